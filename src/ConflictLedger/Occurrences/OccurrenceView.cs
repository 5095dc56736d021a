using ConflictLedger.Control;

namespace ConflictLedger.Occurrences;

/// <summary>One source's death toll for an occurrence.</summary>
public sealed record SourceFigure(string AccountId, string Outlet, string? File, Fatalities Fatalities, Firmness Firmness);

/// <summary>
/// The casualty figures of an occurrence across its standing accounts, like UCDP's
/// low/high: "at least N" counts as N, so 11 and "at least 20" give 11 to 20.
/// </summary>
public sealed record CasualtyRange(IReadOnlyList<SourceFigure> Figures, int? Low, int? High, int Sources)
{
    public static CasualtyRange Of(IEnumerable<CurrentAccount> accounts)
    {
        var figures = accounts
            .Where(a => !a.Retracted && a.Account.Fatalities is not null)
            .OrderBy(a => a.AccountId, StringComparer.Ordinal)
            .Select(a => new SourceFigure(a.AccountId, a.Account.Source.Outlet, a.Account.Source.File, a.Account.Fatalities!, a.Account.Firmness))
            .ToList();
        return figures.Count == 0
            ? new CasualtyRange([], null, null, 0)
            : new CasualtyRange(figures, figures.Min(f => f.Fatalities.Low), figures.Max(f => f.Fatalities.Low), figures.Count);
    }
}

/// <summary>
/// An occurrence as analysts read it: every account (retracted ones marked, each with its
/// own date), the casualty range, and when it happened on the word of the standing
/// accounts: <c>Earliest..Latest</c> is the narrowest window they all allow, and
/// <paramref name="When"/> names the sources that pinned it, or the dates in dispute when
/// some sources' windows do not overlap.
/// </summary>
public sealed record OccurrenceView(
    string Id,
    IReadOnlyList<OccurrenceKind> Kinds,
    IReadOnlyList<string> Places,
    DateOnly Earliest,
    DateOnly Latest,
    IReadOnlyList<CurrentAccount> Accounts,
    CasualtyRange Casualties,
    AgreedWindow? When = null)
{
    public static OccurrenceView Of(Occurrence occurrence)
    {
        var accounts = occurrence.Accounts.Values.OrderBy(a => a.AccountId, StringComparer.Ordinal).ToList();
        var standing = accounts.Where(a => !a.Retracted).ToList();
        var basis = standing.Count > 0 ? standing : accounts;
        var when = AgreedWindow.Of(basis.Select(a => new SourceWindow(a.AccountId, a.Account.Source.Outlet, a.Account.When.Earliest, a.Account.When.Latest)));
        return new OccurrenceView(
            occurrence.Id,
            basis.Select(a => a.Account.Kind).Distinct().Order().ToList(),
            basis.Select(a => a.Account.Place).Distinct().Order(StringComparer.Ordinal).ToList(),
            when.Earliest,
            when.Latest,
            accounts,
            CasualtyRange.Of(accounts),
            when);
    }

    /// <summary>
    /// The occurrence as a reader could know it on <paramref name="known"/>, from its stream:
    /// a report counts from its publication (<see cref="ControlClaim.KnowableFrom"/>), a
    /// correction or retraction from the day it was recorded (the version it replaced counts
    /// until then). Null when nothing about it was known yet.
    /// </summary>
    public static OccurrenceView? KnownOn(string id, IEnumerable<(IOccurrenceEvent Event, DateOnly Recorded)> events, DateOnly known)
    {
        var state = Occurrence.Empty(id);
        foreach (var (e, recorded) in events)
        {
            var from = e is AccountReported report ? ControlClaim.KnowableFrom(report.Account.Source, recorded) : recorded;
            if (from <= known) state = state.Evolve(e);
        }
        return state.Accounts.Count == 0 ? null : Of(state);
    }
}
