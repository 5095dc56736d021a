using ConflictLedger.Log;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// Fills a log with generated events the way the importer would: per chunk, the streams it
/// starts go through Marten's COPY path in one transaction, and the events for streams an
/// earlier chunk started are appended in a second one (COPY starts new streams only).
/// </summary>
internal static class LogImport
{
    /// <param name="started">The streams the log already holds; those this import starts are added.</param>
    public static async Task<LogPosition> ImportAsync(
        LedgerLog log, IEnumerable<StreamEvent> events, int chunkSize, CancellationToken ct, HashSet<string>? started = null)
    {
        started ??= new HashSet<string>(StringComparer.Ordinal);
        var last = LogPosition.Start;
        foreach (var chunk in events.Chunk(chunkSize))
        {
            var byStream = chunk.GroupBy(e => e.StreamId, StringComparer.Ordinal)
                .Select(g => (StreamId: g.Key, Events: (IReadOnlyList<EventData>)g.Select(e => e.Event).ToList()))
                .ToList();
            var fresh = byStream.Where(s => !started.Contains(s.StreamId)).ToList();
            var later = byStream.Where(s => started.Contains(s.StreamId)).ToList();
            if (fresh.Count > 0)
            {
                await using var bulk = await log.BeginAsync(ct);
                last = (await bulk.BulkStartStreamsAsync(fresh, ct)).Position;
                await bulk.CommitAsync(ct);
                started.UnionWith(fresh.Select(s => s.StreamId));
            }
            if (later.Count > 0)
            {
                await using var append = await log.BeginAsync(ct);
                foreach (var (stream, list) in later)
                    last = (await append.AppendAsync(stream, ExpectedVersion.Any, list, ct)).Position;
                await append.CommitAsync(ct);
            }
        }
        return last;
    }
}
