using System.Runtime.InteropServices;
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
    /// <summary>The accounts of one occurrence that change control, as one change.</summary>
    private sealed class Change(string occurrenceId, AgreedWindow window, IReadOnlyList<string> gainers, IReadOnlyList<string> losers, List<Cited> claims)
    {
        public string OccurrenceId => occurrenceId;
        public AgreedWindow Window => window;
        public IReadOnlyList<string> Gainers => gainers;
        public IReadOnlyList<string> Losers => losers;

        /// <summary>In account order.</summary>
        public List<Cited> Claims => claims;

        public DateOnly Start => Window.Earliest;

        /// <summary>The day after the window: from then on the change has happened.</summary>
        public DateOnly End { get; } = window.Latest.AddDays(1);
    }

    /// <summary>
    /// A claim and the evidence lines it can give. A claim is cited in every segment its
    /// change or fight touches; each line is worded once per build and the same (immutable)
    /// <see cref="Evidence"/> shared by every interval citing it, instead of a new one per segment.
    /// Worded when first cited: a build from a cutoff words only the claims it cites, as it
    /// did when each segment worded its own, so a date out of range fails the same builds.
    /// </summary>
    private sealed class Cited(ControlClaim claim)
    {
        private Evidence? changedHands, gained, lost, fought;

        public ControlClaim Claim => claim;
        public Evidence ChangedHands => changedHands ??= Cite(claim, Window("changed hands ", claim.Earliest, claim.End));
        public Evidence Gained => gained ??= Cite(claim, GainedText(claim));
        public Evidence Lost => lost ??= Cite(claim, LostText(claim));
        public Evidence Fought => fought ??= Cite(claim, FoughtText(claim));
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
        var mine = Mine(landmark, claims);
        var changes = Changes(mine);
        var fighting = Fighting(mine);
        if (changes.Count == 0 && !fighting.Exists(f => f.Claim.Gainers.Count > 0 || f.Claim.Losers.Count > 0)) return [];

        var boundaries = Boundaries(changes, fighting);

        // One sweep over the boundaries, in date order, instead of scanning every change and
        // fight for every segment (that cost the square of a landmark's changes: 37 s of a
        // 1,000,000-event rebuild). Every window starts and ends on a boundary, so between
        // two neighbouring boundaries a window either spans the whole segment or misses it:
        // the windows spanning [from, to) are those opened by `from` and not yet ended.
        // The open sets are lists kept in list order: windows open in that order (changes and
        // fights are in start order), so opening one appends it.
        var endOrder = InEndOrder(changes.Count, i => changes[i].End);
        var fightEndOrder = InEndOrder(fighting.Count, i => fighting[i].Claim.End);
        var openChanges = new List<int>();
        var openFights = new List<int>();
        int started = 0, ended = 0, fightsStarted = 0, fightsEnded = 0, firstAfter = 0;
        var lastEnded = -1; // the last change, in list order, that has ended by `from`

        var intervals = new Intervals(landmark);
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
                while (fightsStarted < fighting.Count && fighting[fightsStarted].Claim.Earliest <= f) openFights.Add(fightsStarted++);
                while (fightsEnded < fightEndOrder.Length && fighting[fightEndOrder[fightsEnded]].Claim.End <= f) openFights.Remove(fightEndOrder[fightsEnded++]);
            }
            // Changes are in start order: the first to start on or after `to` is the next one.
            if (to is { } t)
                while (firstAfter < changes.Count && changes[firstAfter].Start < t) firstAfter++;

            if (cutoff is { } cut && (from is null || from < cut)) continue;
            var inside = from is not null && to is not null;
            if (inside && openChanges.Count > 0)
            {
                Covered(intervals, changes, openChanges);
            }
            else
            {
                var before = from is not null && lastEnded >= 0 ? changes[lastEnded] : null;
                var after = to is not null && firstAfter < changes.Count ? changes[firstAfter] : null;
                if (!Between(intervals, inside, before, after, inside ? openFights : [], fighting)) continue;
            }
            intervals.Add(from, to);
        }
        return intervals.All();
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
        var cut = Changes(Mine(landmark, recent))
            .Where(c => c.Start < changedFrom).Select(c => (DateOnly?)c.Start).Max();
        // An occurrence not loaded ended before loadedFrom, so it started before it too: a start
        // on or after loadedFrom is the last one overall, and everything not ended by then is loaded.
        return cut >= loadedFrom ? cut : null;
    }

    private static List<ControlClaim> Mine(string landmark, IEnumerable<ControlClaim> claims)
    {
        var mine = new List<ControlClaim>(claims.TryGetNonEnumeratedCount(out var count) ? count : 0);
        foreach (var claim in claims)
            if (claim.Landmark == landmark) mine.Add(claim);
        return mine;
    }

    /// <summary>The accounts of each occurrence that change control, as one change each, in world-time order.</summary>
    private static List<Change> Changes(List<ControlClaim> mine)
    {
        var byOccurrence = new Dictionary<string, List<ControlClaim>>(StringComparer.Ordinal);
        foreach (var claim in mine)
        {
            if (claim.Effect != ClaimEffect.Change) continue;
            if (!byOccurrence.TryGetValue(claim.OccurrenceId, out var accounts)) byOccurrence.Add(claim.OccurrenceId, accounts = []);
            accounts.Add(claim);
        }
        var changes = new List<Change>(byOccurrence.Count);
        foreach (var (occurrenceId, accounts) in byOccurrence) changes.Add(ChangeOf(occurrenceId, accounts));
        // No two changes share an occurrence id, so no ties for an unstable sort to reorder.
        changes.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start)
            : a.End != b.End ? a.End.CompareTo(b.End)
            : string.CompareOrdinal(a.OccurrenceId, b.OccurrenceId));
        return changes;
    }

    /// <param name="accounts">The occurrence's claims, in the order given.</param>
    private static Change ChangeOf(string occurrenceId, List<ControlClaim> accounts)
    {
        var windows = new SourceWindow[accounts.Count];
        for (var i = 0; i < accounts.Count; i++)
            windows[i] = new SourceWindow(accounts[i].AccountId, accounts[i].Source.Outlet, accounts[i].Earliest, accounts[i].Latest);
        var (gainers, losers) = (Named(accounts, static c => c.Gainers), Named(accounts, static c => c.Losers));
        var ordered = StableOrder.Of(accounts, static (a, b) => string.CompareOrdinal(a.AccountId, b.AccountId) is var byAccount and not 0
            ? byAccount : a.EventId.CompareTo(b.EventId));
        return new Change(occurrenceId, AgreedWindow.Of(windows), gainers, losers, Citing(ordered));
    }

    /// <summary>
    /// The sides the accounts name in one role, once each, in order. Mostly one account names
    /// one side: its own list is then the answer, with nothing to merge or sort.
    /// </summary>
    private static IReadOnlyList<string> Named(List<ControlClaim> accounts, Func<ControlClaim, IReadOnlyList<string>> role)
    {
        if (accounts.Count == 1 && role(accounts[0]).Count <= 1) return role(accounts[0]);
        var sides = new List<string>();
        foreach (var c in accounts) sides.AddRange(role(c));
        SortDistinct(sides, 0);
        return sides;
    }

    /// <summary>The fighting claims, in world-time order.</summary>
    private static List<Cited> Fighting(List<ControlClaim> mine)
    {
        var fighting = mine.FindAll(c => c.Effect == ClaimEffect.Fighting);
        return Citing(StableOrder.Of(fighting, static (a, b) => a.Earliest != b.Earliest ? a.Earliest.CompareTo(b.Earliest)
            : string.CompareOrdinal(a.AccountId, b.AccountId)));
    }

    private static List<Cited> Citing(IReadOnlyList<ControlClaim> claims)
    {
        var cited = new List<Cited>(claims.Count);
        foreach (var claim in claims) cited.Add(new Cited(claim));
        return cited;
    }

    /// <summary>Every day a change or a fight starts or ends, once each, in order.</summary>
    private static List<DateOnly> Boundaries(List<Change> changes, List<Cited> fighting)
    {
        var days = new List<DateOnly>(2 * (changes.Count + fighting.Count));
        foreach (var c in changes) { days.Add(c.Start); days.Add(c.End); }
        foreach (var f in fighting) { days.Add(f.Claim.Earliest); days.Add(f.Claim.End); }
        days.Sort();
        var kept = 0;
        for (var i = 0; i < days.Count; i++)
            if (kept == 0 || days[kept - 1] != days[i]) days[kept++] = days[i];
        days.RemoveRange(kept, days.Count - kept);
        return days;
    }

    /// <summary>The indexes 0..count-1 by the day each ends (the sweep closes them in that order; ties in any order).</summary>
    private static int[] InEndOrder(int count, Func<int, DateOnly> end)
    {
        var order = new int[count];
        var ends = new DateOnly[count];
        for (var i = 0; i < count; i++) (order[i], ends[i]) = (i, end(i));
        Array.Sort(ends, order);
        return order;
    }

    /// <summary>A segment inside the windows of <paramref name="open"/>: control is changing hands.</summary>
    private static void Covered(Intervals segment, List<Change> changes, List<int> open)
    {
        var disputed = false;
        foreach (var i in open)
        {
            var change = changes[i];
            segment.Candidates.AddRange(change.Losers);
            segment.Candidates.AddRange(change.Gainers);
            foreach (var claim in change.Claims) segment.Evidence.Add(claim.ChangedHands);
            disputed |= change.Window.IsDisputed;
        }
        SortDistinct(segment.Candidates, 0);
        segment.Set(null, disputed ? ControlStatus.Disputed : ControlStatus.Uncertain, changes[open[0]].Window);
    }

    /// <summary>A segment between changes (or before the first): who held it, by the changes around it and the fights during it.</summary>
    /// <param name="inside">The segment has both ends (only those can be contested with no holder known).</param>
    /// <param name="before">The last change (in order) ended by the segment's start.</param>
    /// <param name="after">The first change starting at or after the segment's end.</param>
    /// <param name="fights">The fights reported during the segment, in order.</param>
    /// <returns>False when nothing is known of the segment.</returns>
    private static bool Between(Intervals segment, bool inside, Change? before, Change? after, List<int> fights, List<Cited> fighting)
    {
        var gained = before?.Gainers ?? [];
        var lost = after?.Losers ?? [];
        if (before is null && lost.Count == 0)
        {
            foreach (var i in fights)
            {
                segment.Candidates.AddRange(fighting[i].Claim.Gainers);
                segment.Candidates.AddRange(fighting[i].Claim.Losers);
            }
            if (segment.Candidates.Count == 0 || !inside)
            {
                segment.Candidates.Clear();
                return false;
            }
            SortDistinct(segment.Candidates, 0);
            foreach (var i in fights) segment.Evidence.Add(fighting[i].Fought);
            segment.Set(null, ControlStatus.Contested, null);
            return true;
        }

        if (before is not null)
            foreach (var claim in before.Claims) segment.Evidence.Add(claim.Gained);
        if (lost.Count > 0)
            foreach (var claim in after!.Claims) segment.Evidence.Add(claim.Lost);
        if (before is not null && gained.Count == 0 && lost.Count == 0)
        {
            segment.Set(null, ControlStatus.Unknown, null);
            return true;
        }

        var holders = segment.Candidates;
        holders.AddRange(gained);
        holders.AddRange(lost);
        SortDistinct(holders, 0);
        if (holders.Count > 1)
        {
            segment.Set(null, ControlStatus.Disputed, null);
            return true;
        }

        var holder = holders[0];
        if (fights.Count == 0)
        {
            segment.Set(holder, ControlStatus.Held, null);
            return true;
        }
        foreach (var i in fights)
        {
            segment.Candidates.AddRange(fighting[i].Claim.Gainers);
            segment.Candidates.AddRange(fighting[i].Claim.Losers);
            segment.Evidence.Add(fighting[i].Fought);
        }
        SortDistinct(segment.Candidates, 1);
        // The holder comes first; the fighting adds the other sides.
        if (segment.Candidates.IndexOf(holder, 1) is var again and > 0) segment.Candidates.RemoveAt(again);
        segment.Set(holder, ControlStatus.Contested, null);
        return true;
    }

    /// <summary>
    /// The intervals, joined as the segments come: a neighbour that says the same thing on
    /// the same evidence extends the last interval (so it allocates nothing); only a segment
    /// that differs is copied into an interval of its own. A segment is derived into
    /// <see cref="Candidates"/> and <see cref="Evidence"/>, then <see cref="Set"/> and
    /// <see cref="Add"/>ed.
    /// </summary>
    private sealed class Intervals(string landmark)
    {
        private readonly List<ControlInterval> done = [];
        private ControlInterval? last;
        private DateOnly? lastTo; // where the last interval ends once joined with its neighbours
        private string? controller;
        private ControlStatus status;
        private AgreedWindow? change;

        public List<string> Candidates { get; } = [];
        public List<Evidence> Evidence { get; } = [];

        public void Set(string? controller, ControlStatus status, AgreedWindow? change) =>
            (this.controller, this.status, this.change) = (controller, status, change);

        public void Add(DateOnly? from, DateOnly? to)
        {
            if (last is null || lastTo != from || !SaysTheSame(last))
            {
                Close();
                last = new ControlInterval(landmark, from, to, controller, status, Candidates.ToArray(), Evidence.ToArray(), change);
            }
            lastTo = to;
            Candidates.Clear();
            Evidence.Clear();
        }

        public List<ControlInterval> All()
        {
            Close();
            return done;
        }

        private void Close()
        {
            if (last is not null) done.Add(last.To == lastTo ? last : last with { To = lastTo });
            last = null;
        }

        /// <summary>The same holder, status and candidates, citing the same events saying the same.</summary>
        private bool SaysTheSame(ControlInterval interval)
        {
            if (interval.Controller != controller || interval.Status != status ||
                interval.Candidates.Count != Candidates.Count || interval.Evidence.Count != Evidence.Count) return false;
            for (var i = 0; i < Candidates.Count; i++)
                if (interval.Candidates[i] != Candidates[i]) return false;
            for (var i = 0; i < Evidence.Count; i++)
            {
                var (a, b) = (interval.Evidence[i], Evidence[i]);
                if (!ReferenceEquals(a, b) && (a.EventId != b.EventId || a.Says != b.Says)) return false;
            }
            return true;
        }
    }

    /// <summary>Sorts <paramref name="list"/> from <paramref name="start"/> on (ordinal) and drops repeats there.</summary>
    private static void SortDistinct(List<string> list, int start)
    {
        if (list.Count - start < 2) return;
        // A span sorted with a cached delegate: List.Sort(index, count, comparer) makes a new one per call.
        CollectionsMarshal.AsSpan(list)[start..].Sort(Ordinal);
        var kept = start;
        for (var i = start; i < list.Count; i++)
            if (kept == start || list[kept - 1] != list[i]) list[kept++] = list[i];
        list.RemoveRange(kept, list.Count - kept);
    }

    private static readonly Comparison<string> Ordinal = string.CompareOrdinal;

    private static Evidence Cite(ControlClaim c, string says) => Evidence.Of(c, says);

    private static string FoughtText(ControlClaim c) => Window(
        c.Effect == ClaimEffect.Fighting && c.Kind.ChangesControl()
            ? c.Flags?.Count > 0 ? $"{Json.Name(c.Kind)} coded inconsistently ({string.Join(", ", c.Flags)}) " : $"part taken by {string.Join(" and ", c.Gainers)} "
            : "fighting reported ",
        c.Earliest, c.End);

    private static string GainedText(ControlClaim c) => c.Gainers.Count > 0
        ? $"taken by {string.Join(" and ", c.Gainers)} by {c.Latest:yyyy-MM-dd}"
        : $"lost by {string.Join(" and ", c.Losers)} by {c.Latest:yyyy-MM-dd}, no gainer named";

    private static string LostText(ControlClaim c) => $"held by {string.Join(" and ", c.Losers)} until it was lost from {c.Earliest:yyyy-MM-dd}";

    /// <summary><paramref name="saying"/> followed by the window, in one string.</summary>
    private static string Window(string saying, DateOnly start, DateOnly end) =>
        start == end.AddDays(-1) ? $"{saying}on {start:yyyy-MM-dd}" : $"{saying}between {start:yyyy-MM-dd} and {end.AddDays(-1):yyyy-MM-dd}";
}
