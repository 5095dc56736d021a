using ConflictLedger.Control;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// The read model's per-event check (<see cref="ProjectedEvent.Checked"/>) no longer projects
/// each event alone: it computes the days whose arithmetic can fail. Here, over random
/// accounts of every kind, extent, flag and window (backwards ones and the edges of the
/// calendar included), the check sets aside exactly the events whose projection fails: the
/// occurrence document alone, the claim's intervals alone and beside a change of hands.
/// </summary>
public sealed class SingleEventCheckTests
{
    private static readonly DateOnly[] EdgeDays =
        [DateOnly.MinValue, DateOnly.MinValue.AddDays(1), new(1800, 1, 1), new(2015, 6, 12), DateOnly.MaxValue.AddDays(-7), DateOnly.MaxValue.AddDays(-1), DateOnly.MaxValue];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void an_event_the_check_passes_derives_and_one_that_cannot_derive_is_set_aside(int seed)
    {
        var random = new Random(seed);
        int passed = 0, setAside = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var account = RandomAccount(random);
            var recorded = new DateTimeOffset(2015, 6, 20, 0, 0, 0, TimeSpan.Zero);
            IOccurrenceEvent e = random.Next(2) == 0
                ? new AccountReported("o", "o/1", account)
                : new AccountCorrected("o", "o/1", account, "revised");
            var type = OccurrenceEvents.TypeOf(e);

            var projects = ProjectsAlone(e, recorded);
            try
            {
                ProjectedEvent.Checked(Guid.NewGuid(), i + 1, recorded, type, e);
                Assert.True(projects, $"The check passed an account that cannot be projected: {Json.Serialize(account)}");
                passed++;
            }
            catch (MalformedEventException)
            {
                Assert.False(projects, $"The check set aside an account that can be projected: {Json.Serialize(account)}");
                setAside++;
            }
        }
        // Both sides were tried: most accounts pass; backwards windows and the calendar's edges do not.
        Assert.InRange(passed, 2_000, 3_000);
        Assert.InRange(setAside, 50, 1_000);
    }

    /// <summary>What the check did before (project the event alone), and the claim's intervals beside another claim.</summary>
    private static bool ProjectsAlone(IOccurrenceEvent e, DateTimeOffset recorded)
    {
        try
        {
            _ = OccurrenceView.Of(Occurrence.Empty(e.OccurrenceId).Evolve(e));
            var account = e switch { AccountReported r => r.Account, AccountCorrected c => c.Account, _ => throw new ArgumentException("no account") };
            var day = DateOnly.FromDateTime(recorded.UtcDateTime);
            var knownFrom = e is AccountReported ? ControlClaim.KnowableFrom(account.Source, day) : day;
            if (ControlClaim.From(Guid.NewGuid(), 1, e.OccurrenceId, e.AccountId, account, knownFrom) is { } claim)
            {
                _ = ControlTimeline.Build(claim.Landmark, [claim]);
                // A clash naming no side derives nothing alone; beside a change of hands its window counts.
                _ = ControlTimeline.Build(claim.Landmark, [claim, Takeover(claim.Landmark)]);
            }
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static ControlClaim Takeover(string landmark) => ControlClaim.From(Guid.NewGuid(), 2, "other", "other/1",
        new Account(OccurrenceKind.TerritoryTaken, new WorldTime(new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 12), DatePrecision.Day), landmark,
            [new ActorInRole("a", ActorRole.Gainer), new ActorInRole("b", ActorRole.Loser)], null, Firmness.Reported, new Source("Wire", null, null, null, null, "q")),
        new DateOnly(2015, 6, 13))!;

    private static Account RandomAccount(Random random)
    {
        var kinds = Enum.GetValues<OccurrenceKind>();
        var roles = Enum.GetValues<ActorRole>();
        var start = random.NextDouble() < 0.1 ? EdgeDays[random.Next(EdgeDays.Length)] : new DateOnly(2015, 6, 1).AddDays(random.Next(60));
        var length = random.Next(4) switch { 0 => 0, 1 => 6, 2 => 30, _ => random.Next(400) };
        var end = start.DayNumber + length > DateOnly.MaxValue.DayNumber ? DateOnly.MaxValue : start.AddDays(length);
        // Written past the API, a window may run backwards.
        if (random.Next(20) == 0) (start, end) = (end, start == end ? EdgeDays[random.Next(EdgeDays.Length)] : start);
        DateOnly? published = random.Next(3) switch { 0 => null, 1 => end, _ => EdgeDays[random.Next(EdgeDays.Length)] };
        var actors = Enumerable.Range(0, random.Next(4)).Select(_ => new ActorInRole(random.Next(3) switch { 0 => "a", 1 => "b", _ => "c" }, roles[random.Next(roles.Length)])).ToList();
        return new Account(
            kinds[random.Next(kinds.Length)],
            new WorldTime(start, end, DatePrecision.Day),
            random.Next(2) == 0 ? "derna" : "al-harish-hospital",
            actors,
            random.Next(2) == 0 ? null : new Fatalities(random.Next(20)),
            Firmness.Reported,
            new Source("Wire", random.Next(2) == 0 ? null : "headline", published, random.Next(5) switch { 0 => null, 1 => DatePrecision.Week, 2 => DatePrecision.Month, 3 => DatePrecision.Unknown, _ => DatePrecision.Day }, null, "q"),
            Extent: random.Next(4) switch { 0 => null, 1 => Extent.Whole, 2 => Extent.Most, _ => Extent.Part },
            Flags: random.Next(5) == 0 ? [Account.CodingInconsistent] : null);
    }
}
