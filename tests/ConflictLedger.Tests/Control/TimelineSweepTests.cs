using ConflictLedger.Control;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// <see cref="ControlTimeline.Build"/> sweeps the boundaries once; it must give exactly what
/// scanning every change and fight per segment gave (<see cref="ScanningTimeline"/>), on
/// histories with overlapping windows, disputed dates, losses with no gainer, partial
/// take-overs and clashes.
/// </summary>
public sealed class TimelineSweepTests
{
    private static readonly string[] Actors = ["a", "b", "c", "d"];
    internal static readonly DateOnly First = new(2015, 1, 1);

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 12)]
    [InlineData(3, 40)]
    [InlineData(4, 150)]
    public void the_sweep_gives_the_same_intervals_as_scanning_every_change_per_segment(int seed, int occurrences)
    {
        var random = new Random(seed);
        for (var landmark = 0; landmark < 60; landmark++)
        {
            var claims = RandomHistory(random, occurrences);

            var swept = ControlTimeline.Build("hotel", claims);

            Assert.Equal(Json.Serialize(ScanningTimeline.Build("hotel", claims)), Json.Serialize(swept));
        }
    }

    [Fact]
    public void a_landmark_with_thousands_of_changes_is_derived_in_one_sweep()
    {
        var claims = RandomHistory(new Random(7), 3_000);

        var intervals = ControlTimeline.Build("hotel", claims);

        Assert.Equal(Json.Serialize(ScanningTimeline.Build("hotel", claims)), Json.Serialize(intervals));
    }

    internal static List<ControlClaim> RandomHistory(Random random, int occurrences)
    {
        var claims = new List<ControlClaim>();
        for (var o = 0; o < occurrences; o++)
        {
            var effect = random.NextDouble() < 0.7 ? ClaimEffect.Change : ClaimEffect.Fighting;
            var day = First.AddDays(random.Next(0, 4 * occurrences + 10));
            var sources = random.Next(1, 4);
            for (var s = 0; s < sources; s++)
            {
                // Sources of one occurrence mostly agree; now and then one gives a window apart (a dispute).
                var start = random.NextDouble() < 0.15 ? day.AddDays(random.Next(-20, 20)) : day.AddDays(-random.Next(0, 3));
                var end = start.AddDays(random.NextDouble() switch { < 0.5 => 0, < 0.8 => 6, _ => 30 });
                var gainers = random.NextDouble() < 0.2 ? [] : new[] { Actors[random.Next(Actors.Length)] };
                var losers = random.NextDouble() < 0.3 ? [] : new[] { Actors[random.Next(Actors.Length)] };
                if (effect == ClaimEffect.Fighting && random.NextDouble() < 0.5) (gainers, losers) = ([], []);
                claims.Add(new ControlClaim(
                    new Guid(random.Next(), 0, 0, new byte[8]), claims.Count, $"occ-{o:D4}", $"occ-{o:D4}/{s}", "hotel", effect,
                    effect == ClaimEffect.Change ? OccurrenceKind.TerritoryTaken : gainers.Length > 0 ? OccurrenceKind.TerritoryTaken : OccurrenceKind.ArmedClash,
                    start, end, gainers, losers, Firmness.Reported, null, null,
                    new SourceRef($"Outlet {s}", null, null, $"report-{o}-{s}.txt", "quote"), First, null));
            }
        }
        return claims;
    }
}
