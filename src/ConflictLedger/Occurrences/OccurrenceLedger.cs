using ConflictLedger.Log;

namespace ConflictLedger.Occurrences;

/// <summary>Loads an occurrence from its stream.</summary>
public static class OccurrenceLedger
{
    /// <returns>The occurrence and its stream version (0 when it has no events yet).</returns>
    public static async Task<(Occurrence State, long Version)> LoadAsync(LedgerLog store, string occurrenceId, CancellationToken ct = default)
    {
        var state = Occurrence.Empty(occurrenceId);
        long version = 0;
        await foreach (var e in store.ReadStreamAsync(OccurrenceEvents.StreamId(occurrenceId), ct: ct))
        {
            if (OccurrenceEvents.FromStored(e.Type, e.Data) is { } domainEvent) state = state.Evolve(domainEvent);
            version = e.Version;
        }
        return (state, version);
    }
}
