using ConflictLedger.Occurrences;

namespace ConflictLedger.Control;

/// <summary>
/// Derives a landmark's control intervals from the claims about it. Pure: the same
/// claims give the same intervals whatever order they were appended in, so an
/// incremental update equals a rebuild. The rules, in the order they apply:
/// <list type="number">
/// <item>Claims are ordered by world time (window start, window end, occurrence id),
/// never by when they were appended: a late report of an early event lands in place.</item>
/// <item>The accounts of one occurrence form one change. Its window is the narrowest one
/// every source allows (<see cref="AgreedWindow"/>): "June" and "12 June" give 12 June.
/// Only sources whose windows do not overlap dispute the date; the change then spans the
/// days the groups of consistent sources allow.</item>
/// <item>Inside a change's window the landmark is <c>uncertain</c> between the sides
/// the change names; inside a disputed window it is <c>disputed</c>. Each source's
/// evidence line states its own window, and the interval carries the agreed window with
/// the sources that pinned it (or the options in dispute).</item>
/// <item>Between two changes, the earlier change's gainer and the later change's loser
/// both say who held it. If they agree (or only one speaks) it is <c>held</c>; if they
/// name different sides, or sources of one change name different gainers, it is
/// <c>disputed</c>. A loss with no gainer named leaves it <c>unknown</c>. Before the
/// first change, only that change's loser speaks; with no loser named, nothing is known
/// and no interval is given.</item>
/// <item>A held interval during reported fighting at the landmark is <c>contested</c>.
/// A take-over of a part of the landmark (or a flagged one) is fighting between its sides:
/// it contests the landmark and adds its sides to the candidates, and where no holder is
/// known the landmark is <c>contested</c> between those sides, with no controller.</item>
/// <item>Only claims about this landmark count: a take-over of a building in a city
/// says nothing about the city (a claim about the city is made on the city itself).</item>
/// </list>
/// </summary>
public static class ControlTimeline
{
    private sealed record Change(string OccurrenceId, AgreedWindow Window, IReadOnlyList<string> Gainers, IReadOnlyList<string> Losers, IReadOnlyList<ControlClaim> Claims)
    {
        public DateOnly Start => Window.Earliest;

        /// <summary>The day after the window: from then on the change has happened.</summary>
        public DateOnly End => Window.Latest.AddDays(1);
    }

    /// <summary>The landmark's intervals; with <paramref name="cutoff"/>, only those from that day on (see <see cref="UnchangedBefore"/>).</summary>
    /// <param name="cutoff">
    /// The start of a change among the claims, which must then hold, whole (every standing
    /// account of each occurrence), every change and fight not ended by that day. The
    /// intervals from then on depend on nothing else (the change at the cutoff covers the
    /// first segment and, once ended, is the latest ended change), so they equal those of a
    /// build from every claim of the landmark.
    /// </param>
    public static IReadOnlyList<ControlInterval> Build(string landmark, IEnumerable<ControlClaim> claims, DateOnly? cutoff = null)
    {
        var mine = claims.Where(c => c.Landmark == landmark).ToList();
        var changes = Changes(mine);
        var fighting = mine.Where(c => c.Effect == ClaimEffect.Fighting)
            .OrderBy(c => c.Earliest).ThenBy(c => c.AccountId, StringComparer.Ordinal).ToList();
        if (changes.Count == 0 && !fighting.Any(f => Sides(f).Any())) return [];

        var boundaries = changes.SelectMany(c => new[] { c.Start, c.End })
            .Concat(fighting.SelectMany(f => new[] { f.Earliest, f.End }))
            .Distinct().Order().ToList();

        // One sweep over the boundaries, in date order, instead of scanning every change and
        // fight for every segment (that cost the square of a landmark's changes: 37 s of a
        // 1,000,000-event rebuild). Every window starts and ends on a boundary, so between
        // two neighbouring boundaries a window either spans the whole segment or misses it:
        // the windows spanning [from, to) are those opened by `from` and not yet ended.
        var endOrder = Enumerable.Range(0, changes.Count).OrderBy(i => changes[i].End).ToArray();
        var fightEndOrder = Enumerable.Range(0, fighting.Count).OrderBy(i => fighting[i].End).ToArray();
        var openChanges = new SortedSet<int>();
        var openFights = new SortedSet<int>();
        int started = 0, ended = 0, fightsStarted = 0, fightsEnded = 0, firstAfter = 0;
        var lastEnded = -1; // the last change, in list order, that has ended by `from`

        var intervals = new List<ControlInterval>();
        for (var k = 0; k <= boundaries.Count; k++)
        {
            DateOnly? from = k == 0 ? null : boundaries[k - 1];
            DateOnly? to = k == boundaries.Count ? null : boundaries[k];
            if (from is { } f)
            {
                while (started < changes.Count && changes[started].Start <= f) openChanges.Add(started++);
                while (ended < endOrder.Length && changes[endOrder[ended]].End <= f)
                {
                    openChanges.Remove(endOrder[ended]);
                    lastEnded = Math.Max(lastEnded, endOrder[ended++]);
                }
                while (fightsStarted < fighting.Count && fighting[fightsStarted].Earliest <= f) openFights.Add(fightsStarted++);
                while (fightsEnded < fightEndOrder.Length && fighting[fightEndOrder[fightsEnded]].End <= f) openFights.Remove(fightEndOrder[fightsEnded++]);
            }
            // Changes are in start order: the first to start on or after `to` is the next one.
            if (to is { } t)
                while (firstAfter < changes.Count && changes[firstAfter].Start < t) firstAfter++;

            var covering = from is not null && to is not null ? openChanges.Select(i => changes[i]).ToList() : [];
            var before = from is not null && lastEnded >= 0 ? changes[lastEnded] : null;
            var after = to is not null && firstAfter < changes.Count ? changes[firstAfter] : null;
            var fights = from is not null && to is not null ? openFights.Select(i => fighting[i]).ToList() : [];
            if (cutoff is { } cut && (from is null || from < cut)) continue;
            if (Segment(landmark, from, to, covering, before, after, fights) is { } interval) intervals.Add(interval);
        }
        return Merge(intervals);
    }

    /// <summary>
    /// Where a landmark's intervals can start to differ after the standing accounts of some
    /// of its occurrences changed (added, corrected or retracted), when no window of theirs,
    /// before or after, starts before <paramref name="changedFrom"/>: the start of the last
    /// change that starts before that day. The segments before it have the same changes and
    /// fights around them (one starting later is at most the "lost from" of the segments
    /// before its start, and the change at the cut starts later than any changed one can), so
    /// an update keeps the intervals before it and derives the rest with <see cref="Build"/>(<c>cutoff</c>).
    /// </summary>
    /// <param name="recent">
    /// Every standing claim on the landmark of the occurrences with a claim ending on or after
    /// <paramref name="loadedFrom"/> (whole occurrences; the others ended before that day).
    /// </param>
    /// <returns>The day, when these claims show it is the cut; null when older claims are needed.</returns>
    public static DateOnly? UnchangedBefore(string landmark, IEnumerable<ControlClaim> recent, DateOnly changedFrom, DateOnly loadedFrom)
    {
        var cut = Changes(recent.Where(c => c.Landmark == landmark).ToList())
            .Where(c => c.Start < changedFrom).Select(c => (DateOnly?)c.Start).Max();
        // An occurrence not loaded ended before loadedFrom, so it started before it too: a start
        // on or after loadedFrom is the last one overall, and everything not ended by then is loaded.
        return cut >= loadedFrom ? cut : null;
    }

    /// <summary>The accounts of each occurrence that change control, as one change each, in world-time order.</summary>
    private static List<Change> Changes(List<ControlClaim> mine) => mine.Where(c => c.Effect == ClaimEffect.Change)
        .GroupBy(c => c.OccurrenceId, StringComparer.Ordinal)
        .Select(g => new Change(
            g.Key,
            AgreedWindow.Of(g.Select(c => new SourceWindow(c.AccountId, c.Source.Outlet, c.Earliest, c.Latest))),
            g.SelectMany(c => c.Gainers).Distinct().Order(StringComparer.Ordinal).ToList(),
            g.SelectMany(c => c.Losers).Distinct().Order(StringComparer.Ordinal).ToList(),
            g.OrderBy(c => c.AccountId, StringComparer.Ordinal).ThenBy(c => c.EventId).ToList()))
        .OrderBy(c => c.Start).ThenBy(c => c.End).ThenBy(c => c.OccurrenceId, StringComparer.Ordinal)
        .ToList();

    /// <param name="covering">The changes whose windows span the segment, in order.</param>
    /// <param name="before">The last change (in order) ended by the segment's start.</param>
    /// <param name="after">The first change starting at or after the segment's end.</param>
    /// <param name="fights">The fights reported during the segment, in order.</param>
    private static ControlInterval? Segment(
        string landmark, DateOnly? from, DateOnly? to, List<Change> covering, Change? before, Change? after, List<ControlClaim> fights)
    {
        if (covering.Count > 0)
        {
            var sides = covering.SelectMany(c => c.Losers.Concat(c.Gainers)).Distinct().Order(StringComparer.Ordinal).ToList();
            var status = covering.Any(c => c.Window.IsDisputed) ? ControlStatus.Disputed : ControlStatus.Uncertain;
            return new ControlInterval(landmark, from, to, null, status, sides,
                covering.SelectMany(c => c.Claims.Select(claim => Cite(claim, "changed hands " + Window(claim.Earliest, claim.End)))).ToList(),
                covering[0].Window);
        }

        var gained = before?.Gainers ?? [];
        var lost = after?.Losers ?? [];
        var evidence = (before?.Claims.Select(c => Cite(c, Gained(c))) ?? [])
            .Concat(lost.Count > 0 ? after!.Claims.Select(c => Cite(c, Lost(c))) : [])
            .ToList();

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

    private static Evidence Cite(ControlClaim c, string says) => Evidence.Of(c, says);

    /// <summary>The sides a fighting claim names: those of a partial or flagged take-over (a clash names none).</summary>
    private static IEnumerable<string> Sides(ControlClaim c) => c.Gainers.Concat(c.Losers);

    private static string Fought(ControlClaim c) => c.Effect == ClaimEffect.Fighting && c.Kind.ChangesControl()
        ? (c.Flags?.Count > 0 ? $"{Json.Name(c.Kind)} coded inconsistently ({string.Join(", ", c.Flags)}) " : $"part taken by {string.Join(" and ", c.Gainers)} ")
            + Window(c.Earliest, c.End)
        : "fighting reported " + Window(c.Earliest, c.End);

    private static string Gained(ControlClaim c) => c.Gainers.Count > 0
        ? $"taken by {string.Join(" and ", c.Gainers)} by {c.Latest:yyyy-MM-dd}"
        : $"lost by {string.Join(" and ", c.Losers)} by {c.Latest:yyyy-MM-dd}, no gainer named";

    private static string Lost(ControlClaim c) => $"held by {string.Join(" and ", c.Losers)} until it was lost from {c.Earliest:yyyy-MM-dd}";

    private static string Window(DateOnly start, DateOnly end) =>
        start == end.AddDays(-1) ? $"on {start:yyyy-MM-dd}" : $"between {start:yyyy-MM-dd} and {end.AddDays(-1):yyyy-MM-dd}";
}

/// <summary>One source's own window for a change or an occurrence (both days included).</summary>
public sealed record SourceWindow(string AccountId, string Outlet, DateOnly Earliest, DateOnly Latest);

/// <summary>The days a group of sources that agree with each other allow, and those sources.</summary>
public sealed record WindowOption(DateOnly Earliest, DateOnly Latest, IReadOnlyList<SourceWindow> Sources);

/// <summary>
/// When something happened on the word of all its sources. When every window overlaps,
/// <c>Earliest..Latest</c> is where they all overlap (a source saying "June" is consistent
/// with one saying "12 June": the answer is 12 June) and <paramref name="PinnedBy"/> names
/// the sources whose own bounds made it that narrow. When some windows do not overlap,
/// <paramref name="Disputed"/> lists what each group of mutually consistent sources allows,
/// and <c>Earliest..Latest</c> spans those options only (the dates in dispute), not every
/// source's widest window.
/// </summary>
public sealed record AgreedWindow(DateOnly Earliest, DateOnly Latest, IReadOnlyList<SourceWindow> PinnedBy, IReadOnlyList<WindowOption> Disputed)
{
    public bool IsDisputed => Disputed.Count > 0;

    public static AgreedWindow Of(IEnumerable<SourceWindow> windows)
    {
        var all = windows.OrderBy(w => w.AccountId, StringComparer.Ordinal).ToList();
        if (all.Count == 0) throw new ArgumentException("No window to agree on.", nameof(windows));
        var (start, end) = (all.Max(w => w.Earliest), all.Min(w => w.Latest));
        if (start <= end)
            return new AgreedWindow(start, end, all.Where(w => w.Earliest == start || w.Latest == end).ToList(), []);

        var options = Groups(all)
            .Select(g => new WindowOption(g.Max(w => w.Earliest), g.Min(w => w.Latest), g))
            .OrderBy(o => o.Earliest).ThenBy(o => o.Latest)
            .ToList();
        return new AgreedWindow(options.Min(o => o.Earliest), options.Max(o => o.Latest), [], options);
    }

    /// <summary>
    /// The largest groups of windows that share a day (the maximal cliques of the interval
    /// graph): a sweep over the window edges records the open windows each time one is about
    /// to close right after another opened.
    /// </summary>
    private static List<List<SourceWindow>> Groups(List<SourceWindow> windows)
    {
        var edges = windows.SelectMany(w => new[] { (Day: w.Earliest, Opens: true, Window: w), (Day: w.Latest.AddDays(1), Opens: false, Window: w) })
            .OrderBy(e => e.Day).ThenBy(e => e.Opens) // a window closing on a day goes before one opening that day
            .ToList();
        var open = new List<SourceWindow>();
        var groups = new List<List<SourceWindow>>();
        var lastOpened = false;
        foreach (var (_, opens, window) in edges)
        {
            if (opens) open.Add(window);
            else
            {
                if (lastOpened) groups.Add(open.OrderBy(w => w.AccountId, StringComparer.Ordinal).ToList());
                open.Remove(window);
            }
            lastOpened = opens;
        }
        return groups;
    }
}
