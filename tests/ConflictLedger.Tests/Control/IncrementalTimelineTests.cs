using ConflictLedger.Control;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// An update derives a landmark's intervals only from the cut <see cref="ControlTimeline.UnchangedBefore"/>
/// finds in its recent claims and keeps the stored intervals before it (<see cref="IntervalUpdate"/>): on random histories with accounts added, corrected and
/// retracted (mostly recent ones, some old), the result must equal deriving the whole
/// history again.
/// </summary>
public sealed class IncrementalTimelineTests
{
    private static readonly int?[] Margins = [60, 366, null];

    /// <param name="stretch">
    /// Spreads the history's days: at 1 a landmark changes hands every few days; stretched,
    /// changes lie weeks apart and long windows span the margins, so the recent claims often
    /// cannot show the cut and older ones are loaded.
    /// </param>
    [Theory]
    [InlineData(1, 12, 1)]
    [InlineData(2, 40, 1)]
    [InlineData(3, 150, 1)]
    [InlineData(4, 400, 1)]
    [InlineData(5, 40, 12)]
    [InlineData(6, 150, 25)]
    public void intervals_updated_from_the_cut_equal_a_whole_derivation(int seed, int occurrences, int stretch)
    {
        var random = new Random(seed);
        var cutsFound = 0;
        const int Rounds = 80;
        for (var round = 0; round < Rounds; round++)
        {
            var before = TimelineSweepTests.RandomHistory(random, occurrences).Select(c => Stretched(c, stretch)).ToList();
            var after = Update(random, before, occurrences);
            var changed = Changed(before, after);
            if (changed.Count == 0) continue;
            var changedFrom = before.Concat(after).Where(c => changed.Contains(c.OccurrenceId)).Min(c => c.Earliest);
            var stored = ControlTimeline.Build("hotel", before).Select(StoredInterval.Of).ToList();

            var (rows, cut) = Updated(stored, after, changedFrom);

            Assert.Equal(Json.Serialize(ControlTimeline.Build("hotel", after).Select(StoredInterval.Of)), Json.Serialize(rows));
            if (cut is not null) cutsFound++;
        }
        // The cut, not the whole history, must be what most updates use, or this tests little.
        Assert.True(cutsFound > Rounds / 2, $"only {cutsFound} of {Rounds} updates found a cut");
    }

    private static ControlClaim Stretched(ControlClaim c, int stretch) => c with
    {
        Earliest = TimelineSweepTests.First.AddDays(stretch * (c.Earliest.DayNumber - TimelineSweepTests.First.DayNumber)),
        Latest = TimelineSweepTests.First.AddDays(stretch * (c.Latest.DayNumber - TimelineSweepTests.First.DayNumber)),
    };

    /// <summary>What <see cref="IntervalUpdate"/> does with one landmark, without the database.</summary>
    private static (List<StoredInterval> Rows, DateOnly? Cut) Updated(List<StoredInterval> stored, List<ControlClaim> after, DateOnly changedFrom)
    {
        foreach (var margin in Margins)
        {
            if (margin is not { } days) break;
            var since = changedFrom.AddDays(-days);
            var loaded = after.Where(c => c.Latest >= since).Select(c => c.OccurrenceId).ToHashSet();
            var recent = after.Where(c => loaded.Contains(c.OccurrenceId)).ToList();
            if (ControlTimeline.UnchangedBefore("hotel", recent, changedFrom, since) is not { } cut) continue;
            // The update relies on this: no stored interval runs across the cut.
            Assert.DoesNotContain(stored, i => (i.From is null || i.From < cut) && (i.To is null || i.To > cut));
            var kept = stored.Where(i => i.To is { } to && to <= cut).ToList();
            kept.AddRange(ControlTimeline.Build("hotel", recent, cut).Select(StoredInterval.Of));
            return (kept, cut);
        }
        return (ControlTimeline.Build("hotel", after).Select(StoredInterval.Of).ToList(), null);
    }

    /// <summary>
    /// The history after a batch: new occurrences at the end of the war, new accounts of
    /// recent occurrences, and corrections and retractions, most of recent accounts.
    /// </summary>
    private static List<ControlClaim> Update(Random random, List<ControlClaim> before, int occurrences)
    {
        var after = before.ToList();
        var last = before.Max(c => c.Latest);
        var recent = before.Where(c => c.Earliest >= last.AddDays(-60)).ToList();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            var day = last.AddDays(random.Next(-20, 10));
            var template = before[random.Next(before.Count)];
            after.Add(template with
            {
                EventId = Guid.NewGuid(), OccurrenceId = $"new-{i}-{random.Next()}", AccountId = $"new-{i}/0",
                Earliest = day, Latest = day.AddDays(random.Next(0, 3) * 3),
            });
        }
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            // Mostly a recent account; now and then one from anywhere in the war.
            var pool = recent.Count > 0 && random.NextDouble() < 0.8 ? recent : before;
            var target = pool[random.Next(pool.Count)];
            after.RemoveAll(c => c.EventId == target.EventId);
            if (random.NextDouble() < 0.6)
            {
                var shift = random.Next(-10, 10);
                after.Add(target with { EventId = Guid.NewGuid(), Earliest = target.Earliest.AddDays(shift), Latest = target.Latest.AddDays(shift) });
            }
        }
        if (random.NextDouble() < 0.3)
        {
            // Another source for a recent occurrence, its window a little apart (sometimes a dispute).
            var pool = recent.Count > 0 ? recent : before;
            var target = pool[random.Next(pool.Count)];
            var shift = random.Next(-25, 5);
            after.Add(target with
            {
                EventId = Guid.NewGuid(), AccountId = target.OccurrenceId + "/extra",
                Earliest = target.Earliest.AddDays(shift), Latest = target.Latest.AddDays(shift + random.Next(0, 7)),
                Source = target.Source with { Outlet = "Another outlet" },
            });
        }
        return after;
    }

    /// <summary>Occurrences whose set of claims differs between the two histories.</summary>
    private static HashSet<string> Changed(List<ControlClaim> before, List<ControlClaim> after) =>
        before.Select(c => c.EventId).ToHashSet() is var old && after.Select(c => c.EventId).ToHashSet() is var now
            ? before.Where(c => !now.Contains(c.EventId)).Concat(after.Where(c => !old.Contains(c.EventId))).Select(c => c.OccurrenceId).ToHashSet()
            : [];
}
