using ConflictLedger.Occurrences;

namespace ConflictLedger.ReadModel;

/// <summary>
/// An occurrence as the read model stores it: its accounts. The rest of an
/// <see cref="OccurrenceView"/> (kinds, places, the agreed window, the casualty range) is
/// derived from them by <see cref="OccurrenceView.Of"/>, and is derived again when a row is
/// read: stored, it was a third of the document (a rebuild writes one per occurrence, 560,892
/// in the benchmark). What queries filter on is in the row's summary columns. Rows written
/// before hold the whole view; they are read the same way.
/// </summary>
public sealed record StoredOccurrence(string Id, IReadOnlyList<CurrentAccount> Accounts)
{
    public static StoredOccurrence Of(OccurrenceView view) => new(view.Id, view.Accounts);

    public Occurrence ToOccurrence() => new(Id, Accounts.ToDictionary(a => a.AccountId, StringComparer.Ordinal));

    /// <summary>The occurrence's state from a stored document.</summary>
    public static Occurrence ReadState(string document) => Json.Deserialize<StoredOccurrence>(document).ToOccurrence();

    /// <summary>The view of a stored document, as <see cref="OccurrenceView.Of"/> made it when it was written.</summary>
    public static OccurrenceView Read(string document) => OccurrenceView.Of(ReadState(document));
}
