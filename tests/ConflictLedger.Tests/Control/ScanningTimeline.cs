using ConflictLedger.Control;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// <see cref="ControlTimeline.Build"/> as first written: every segment scans every change
/// and every fight (quadratic per landmark). Kept as the oracle the sweep must agree with.
/// </summary>
internal static class ScanningTimeline
{
    private sealed record Change(string OccurrenceId, AgreedWindow Window, IReadOnlyList<string> Gainers, IReadOnlyList<string> Losers, IReadOnlyList<ControlClaim> Claims)
    {
        public DateOnly Start => Window.Earliest;

        /// <summary>The day after the window: from then on the change has happened.</summary>
        public DateOnly End => Window.Latest.AddDays(1);
    }

    public static IReadOnlyList<ControlInterval> Build(string landmark, IEnumerable<ControlClaim> claims)
    {
        var mine = claims.Where(c => c.Landmark == landmark).ToList();
        var changes = mine.Where(c => c.Effect == ClaimEffect.Change)
            .GroupBy(c => c.OccurrenceId, StringComparer.Ordinal)
            .Select(g => new Change(
                g.Key,
                AgreedWindow.Of(g.Select(c => new SourceWindow(c.AccountId, c.Source.Outlet, c.Earliest, c.Latest))),
                g.SelectMany(c => c.Gainers).Distinct().Order(StringComparer.Ordinal).ToList(),
                g.SelectMany(c => c.Losers).Distinct().Order(StringComparer.Ordinal).ToList(),
                g.OrderBy(c => c.AccountId, StringComparer.Ordinal).ThenBy(c => c.EventId).ToList()))
            .OrderBy(c => c.Start).ThenBy(c => c.End).ThenBy(c => c.OccurrenceId, StringComparer.Ordinal)
            .ToList();
        var fighting = mine.Where(c => c.Effect == ClaimEffect.Fighting)
            .OrderBy(c => c.Earliest).ThenBy(c => c.AccountId, StringComparer.Ordinal).ToList();
        if (changes.Count == 0 && !fighting.Any(f => Sides(f).Any())) return [];

        var boundaries = changes.SelectMany(c => new[] { c.Start, c.End })
            .Concat(fighting.SelectMany(f => new[] { f.Earliest, f.End }))
            .Distinct().Order().Select(d => (DateOnly?)d).ToList();
        var edges = boundaries.Prepend(null).Zip(boundaries.Append(null));

        var intervals = new List<ControlInterval>();
        foreach (var (from, to) in edges)
        {
            if (Segment(landmark, from, to, changes, fighting) is { } interval) intervals.Add(interval);
        }
        return Merge(intervals);
    }

    private static ControlInterval? Segment(string landmark, DateOnly? from, DateOnly? to, List<Change> changes, List<ControlClaim> fighting)
    {
        var covering = changes.Where(c => from is { } f && to is { } t && c.Start <= f && t <= c.End).ToList();
        if (covering.Count > 0)
        {
            var sides = covering.SelectMany(c => c.Losers.Concat(c.Gainers)).Distinct().Order(StringComparer.Ordinal).ToList();
            var status = covering.Any(c => c.Window.IsDisputed) ? ControlStatus.Disputed : ControlStatus.Uncertain;
            return new ControlInterval(landmark, from, to, null, status, sides,
                covering.SelectMany(c => c.Claims.Select(claim => Cite(claim, "changed hands " + Window(claim.Earliest, claim.End)))).ToList(),
                covering[0].Window);
        }

        var before = from is { } start ? changes.LastOrDefault(c => c.End <= start) : null;
        var after = to is { } end ? changes.FirstOrDefault(c => c.Start >= end) : null;
        var gained = before?.Gainers ?? [];
        var lost = after?.Losers ?? [];
        var evidence = (before?.Claims.Select(c => Cite(c, Gained(c))) ?? [])
            .Concat(lost.Count > 0 ? after!.Claims.Select(c => Cite(c, Lost(c))) : [])
            .ToList();

        var fights = fighting.Where(f => (to is null || f.Earliest < to) && (from is null || f.End > from)).ToList();
        var fightingSides = fights.SelectMany(Sides).ToList();
        if (before is null && lost.Count == 0)
            return fightingSides.Count == 0 || from is null || to is null ? null
                : new ControlInterval(landmark, from, to, null, ControlStatus.Contested, fightingSides.Distinct().Order(StringComparer.Ordinal).ToList(),
                    fights.Select(f => Cite(f, Fought(f))).ToList());
        if (before is not null && gained.Count == 0 && lost.Count == 0)
            return new ControlInterval(landmark, from, to, null, ControlStatus.Unknown, [], evidence);

        var holders = gained.Concat(lost).Distinct().Order(StringComparer.Ordinal).ToList();
        if (holders.Count > 1)
            return new ControlInterval(landmark, from, to, null, ControlStatus.Disputed, holders, evidence);

        return fights.Count == 0
            ? new ControlInterval(landmark, from, to, holders[0], ControlStatus.Held, holders, evidence)
            : new ControlInterval(landmark, from, to, holders[0], ControlStatus.Contested,
                holders.Concat(fightingSides.Where(s => !holders.Contains(s)).Distinct().Order(StringComparer.Ordinal)).ToList(),
                evidence.Concat(fights.Select(f => Cite(f, Fought(f)))).ToList());
    }

    /// <summary>Joins neighbours that say the same thing on the same evidence.</summary>
    private static List<ControlInterval> Merge(List<ControlInterval> intervals)
    {
        var merged = new List<ControlInterval>();
        foreach (var next in intervals)
        {
            if (merged.Count > 0 && merged[^1] is var last && last.To == next.From && Same(last, next))
                merged[^1] = last with { To = next.To };
            else
                merged.Add(next);
        }
        return merged;
    }

    private static bool Same(ControlInterval a, ControlInterval b) =>
        a.Controller == b.Controller && a.Status == b.Status &&
        a.Candidates.SequenceEqual(b.Candidates) &&
        a.Evidence.Select(e => (e.EventId, e.Says)).SequenceEqual(b.Evidence.Select(e => (e.EventId, e.Says)));

    private static Evidence Cite(ControlClaim c, string says) =>
        new(c.EventId, c.Position, c.OccurrenceId, c.AccountId, c.Kind, says, c.Firmness, c.Claimant, c.Extent, c.Source, c.Flags);

    /// <summary>The sides a fighting claim names: those of a partial or flagged take-over (a clash names none).</summary>
    private static IEnumerable<string> Sides(ControlClaim c) => c.Gainers.Concat(c.Losers);

    private static string Fought(ControlClaim c) => c.Effect == ClaimEffect.Fighting && c.Kind.ChangesControl()
        ? (c.Flags?.Count > 0 ? $"{ConflictLedger.Json.Name(c.Kind)} coded inconsistently ({string.Join(", ", c.Flags)}) " : $"part taken by {string.Join(" and ", c.Gainers)} ")
            + Window(c.Earliest, c.End)
        : "fighting reported " + Window(c.Earliest, c.End);

    private static string Gained(ControlClaim c) => c.Gainers.Count > 0
        ? $"taken by {string.Join(" and ", c.Gainers)} by {c.Latest:yyyy-MM-dd}"
        : $"lost by {string.Join(" and ", c.Losers)} by {c.Latest:yyyy-MM-dd}, no gainer named";

    private static string Lost(ControlClaim c) => $"held by {string.Join(" and ", c.Losers)} until it was lost from {c.Earliest:yyyy-MM-dd}";

    private static string Window(DateOnly start, DateOnly end) =>
        start == end.AddDays(-1) ? $"on {start:yyyy-MM-dd}" : $"between {start:yyyy-MM-dd} and {end.AddDays(-1):yyyy-MM-dd}";
}

