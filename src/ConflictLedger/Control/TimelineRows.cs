using ConflictLedger.Catalog;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Control;

/// <summary>
/// What the bulk timeline asks for. <paramref name="Within"/> picks an area (the landmark
/// and everything inside it); <paramref name="Kinds"/> and <paramref name="Actor"/> select
/// landmarks with a matching occurrence (or, for an actor, a period held or contested by
/// it); <paramref name="From"/>..<paramref name="To"/> (end excluded) clips what each row
/// shows. Landmarks are paged in id order after <paramref name="After"/>.
/// </summary>
public sealed record TimelineFilter(
    string? Within = null,
    IReadOnlyList<OccurrenceKind>? Kinds = null,
    string? Actor = null,
    DateOnly? From = null,
    DateOnly? To = null,
    DateOnly? Known = null,
    string? After = null,
    int Limit = 500)
{
    public bool Selects => Kinds is { Count: > 0 } || Actor is not null;

    public bool Overlaps(DateOnly? from, DateOnly? to) =>
        (To is null || from is null || from < To) && (From is null || to is null || to > From);
}

/// <summary>An interval without its evidence: <c>GET /api/landmarks/{id}/timeline</c> gives the accounts behind it.</summary>
public sealed record IntervalSummary(DateOnly? From, DateOnly? To, string? Controller, ControlStatus Status, IReadOnlyList<string> Candidates, int Sources)
{
    public static IntervalSummary Of(ControlInterval i) => new(i.From, i.To, i.Controller, i.Status, i.Candidates,
        i.Evidence.Select(e => e.Source.File ?? e.Source.Outlet).Distinct(StringComparer.Ordinal).Count());
}

/// <summary>An occurrence at a landmark, enough to place a symbol: <c>GET /api/occurrences/{id}</c> gives its accounts.</summary>
public sealed record OccurrenceSummary(string Id, IReadOnlyList<string> Kinds, IReadOnlyList<string> Actors, DateOnly Earliest, DateOnly Latest)
{
    /// <summary>
    /// What the read model stores beside an occurrence's document for the bulk timeline:
    /// its kinds (JSON names), the actors of all its accounts (retracted ones too; once each,
    /// in ordinal order) and its window.
    /// </summary>
    public static OccurrenceSummary Of(OccurrenceView view) => new(
        view.Id,
        view.Kinds.Select(Json.Name).ToList(),
        view.Accounts.SelectMany(a => a.Account.Actors.Select(r => r.Actor)).Distinct().Order(StringComparer.Ordinal).ToList(),
        view.Earliest,
        view.Latest);
}

public sealed record TimelineRow(Landmark Landmark, IReadOnlyList<IntervalSummary> Intervals, IReadOnlyList<OccurrenceSummary> Occurrences);

/// <param name="NextAfter">Where the next page starts; null on the last page. A page can hold fewer rows than asked when kind or actor leave landmarks out.</param>
public sealed record TimelinePage(DateOnly? Known, long Position, IReadOnlyList<TimelineRow> Items, string? NextAfter);
