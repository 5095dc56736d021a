using ConflictLedger.Catalog;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Log;

/// <summary>
/// The stable type names the ledger publishes and the record each is stored from. One
/// record, <see cref="AccountReported"/>, is stored under a name per kind
/// ("clash-reported.v1", "assassination-reported.v1", ...): the kind is in the name
/// because integrators filter on it.
/// </summary>
public static class LedgerEventTypes
{
    public static readonly IReadOnlyDictionary<string, Type> ByName = Build();

    /// <summary>The record an event of this type name is read into; null for a name the ledger does not write.</summary>
    public static Type? RecordFor(string typeName) => ByName.GetValueOrDefault(typeName);

    private static Dictionary<string, Type> Build()
    {
        var types = new Dictionary<string, Type>(StringComparer.Ordinal)
        {
            [OccurrenceEvents.Corrected] = typeof(AccountCorrected),
            [OccurrenceEvents.Retracted] = typeof(AccountRetracted),
            [CatalogEvents.ActorType] = typeof(ActorCataloged),
            [CatalogEvents.LandmarkType] = typeof(LandmarkCataloged),
        };
        foreach (var name in OccurrenceEvents.ReportedTypes.Order(StringComparer.Ordinal)) types[name] = typeof(AccountReported);
        return types;
    }
}
