namespace ConflictLedger.Control;

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
        var all = StableOrder.Of(windows as IReadOnlyList<SourceWindow> ?? windows.ToList(), static (a, b) => string.CompareOrdinal(a.AccountId, b.AccountId));
        if (all.Count == 0) throw new ArgumentException("No window to agree on.", nameof(windows));
        // Loops over the list, not LINQ: this runs for every change of every build.
        var (start, end) = (all[0].Earliest, all[0].Latest);
        for (var i = 1; i < all.Count; i++)
        {
            if (all[i].Earliest > start) start = all[i].Earliest;
            if (all[i].Latest < end) end = all[i].Latest;
        }
        if (start <= end)
        {
            var pinnedBy = new List<SourceWindow>(all.Count);
            for (var i = 0; i < all.Count; i++)
                if (all[i].Earliest == start || all[i].Latest == end) pinnedBy.Add(all[i]);
            return new AgreedWindow(start, end, pinnedBy, []);
        }

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
    private static List<List<SourceWindow>> Groups(IReadOnlyList<SourceWindow> windows)
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
