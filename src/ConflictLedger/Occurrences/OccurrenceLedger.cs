using ConflictLedger.Log;
using Marten;

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

    /// <summary>
    /// Several occurrences in one query (an import decides thousands at once: one query per
    /// stream made a re-import of 7,000 ACLED rows 7,000 round trips). Occurrences with no
    /// events yet are empty at version 0.
    /// </summary>
    public static async Task<Dictionary<string, (Occurrence State, long Version)>> LoadManyAsync(
        LedgerLog store, IReadOnlyCollection<string> occurrenceIds, CancellationToken ct = default)
    {
        var loaded = occurrenceIds.Distinct(StringComparer.Ordinal)
            .ToDictionary(id => id, id => (State: Occurrence.Empty(id), Version: 0L), StringComparer.Ordinal);
        var occurrenceOf = loaded.Keys.ToDictionary(OccurrenceEvents.StreamId, id => id, StringComparer.Ordinal);
        var streams = occurrenceOf.Keys.ToArray();
        await using var session = store.Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey!.IsOneOf(streams))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        foreach (var e in events)
        {
            var id = occurrenceOf[e.StreamKey!];
            var (state, _) = loaded[id];
            loaded[id] = (e.Data is IOccurrenceEvent domainEvent ? state.Evolve(domainEvent) : state, e.Version);
        }
        return loaded;
    }
}
