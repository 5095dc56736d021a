using System.Diagnostics;
using ConflictLedger.Catalog;
using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using Marten;
using Microsoft.Extensions.Logging;
using System.Threading.Channels;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>
/// A rebuild's bulk pass into a fresh generation that nobody reads until the swap. The log,
/// up to its head as the pass begins, is read in one ordered query as pages of raw rows;
/// each page is deserialised (with Marten's serializer, as Marten would) and checked
/// (<see cref="ProjectedEvent.Checked"/>) on every core while the page before is folded in
/// memory: each occurrence's state and its claims, with the day a correction or retraction
/// replaced them, and the last revision of each catalog entry. An occurrence is written as
/// soon as its stream's last event is folded (its document and claims go into two COPYs
/// open for the whole pass) and only its standing claims are kept, as their documents
/// (<see cref="StandingClaimDocuments"/>), for the intervals derived at the end. The tables
/// are filled without their indexes, which are built after (<see cref="DeferredIndexes"/>),
/// but for the intervals' (written in its order) and a partial index no row of the pass
/// enters. Page by page, the same rows took a load and an upsert of each touched occurrence
/// per page, an index update per row and a read of every claim back (77 s for 1,000,000
/// events; the README has the figures).
/// The rows are those the daemon's writer leaves (<see cref="ReadModelWriter"/>:
/// <c>ProjectOccurrencesAsync</c>, <c>ProjectClaimsAsync</c>, <c>RecomputeAllIntervalsAsync</c>);
/// tests compare a rebuild with incremental projection.
/// </summary>
/// <remarks>
/// Memory: every standing claim's document, the occurrences still open and the ids of those written.
/// Time: the pass is bound by the .NET side's processor time, much of it collecting garbage:
/// what survives a collection is copied, so pages, queues and batches are kept short and
/// documents are serialised into pooled buffers (<see cref="PooledJson"/>). A page with an event that
/// fails the check is read again through Marten (<paramref name="checkThroughMarten"/>),
/// which dead-letters it with Marten's own record of the event, as the page-by-page rebuild did.
/// </remarks>
internal sealed class BulkRebuild(
    LedgerLog log, string generation, int pageSize, Func<long, long, int, CancellationToken, Task<List<ProjectedEvent>>> checkThroughMarten, ILogger logger)
{
    private const int CopyChunk = 500;
    private const int PagesInFlight = 2;
    /// <summary>
    /// Landmarks whose intervals are derived together: what a chunk derives waits to be written and
    /// survives collections (with chunks of 200 landmarks, the intervals of a 300,000-event rebuild
    /// took 3.7 s against 3.4 s, and 0.78 s of GC pauses against 0.49 s).
    /// </summary>
    private const int LandmarksPerChunk = 20;
    /// <summary>Chunks of landmarks derived at once, beside the one being written.</summary>
    private const int ChunksAhead = 2;

    /// <summary>
    /// The tables the pass fills by COPY; their indexes and keys are built after. The intervals
    /// keep their index: they are written in its order (<see cref="CopyIntervalsAsync"/>), each
    /// entry goes to its last page, and building it after would be the rebuild's last step, alone
    /// (1.2 s of a 1,000,000-event rebuild).
    /// </summary>
    private static readonly string[] BulkTables = ["occurrences", "control_claims"];

    /// <summary>
    /// Indexes of those tables kept in place: a partial index that no row of a rebuild enters
    /// (every claim it writes has its window; one without comes only from an older node during
    /// an upgrade). Built after, it would cost a scan of the whole table for nothing.
    /// </summary>
    private static readonly string[] KeptIndexes = ["control_claims_unwindowed"];

    private readonly ReadModelSql sql = new(generation);
    private readonly Marten.ISerializer serializer = log.Store.Options.Serializer();

    /// <summary>Occurrences that may still receive events, by id.</summary>
    private readonly Dictionary<string, FoldedOccurrence> open = new(StringComparer.Ordinal);
    /// <summary>Occurrences whose last event has been folded and whose rows are written or on their way.</summary>
    private readonly HashSet<string> closed = new(StringComparer.Ordinal);
    private readonly Channel<FoldedOccurrence> done = Channel.CreateBounded<FoldedOccurrence>(2 * CopyChunk);
    /// <summary>The standing claims of each landmark (filled as occurrences close, by the one task that writes them).</summary>
    private readonly StandingClaimDocuments standing = new();
    private readonly Dictionary<string, Landmark> landmarks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Actor> actors = new(StringComparer.Ordinal);
    private Dictionary<string, long> lastVersions = [];
    private int occurrenceCount;
    private int claimCount;

    /// <summary>One occurrence being folded: its state, the position of its last event, and the claims of its accounts.</summary>
    private sealed class FoldedOccurrence(string id)
    {
        public Occurrence State { get; set; } = Occurrence.Empty(id);
        public long Position { get; set; }
        public List<ControlClaim> Claims { get; } = [];
        /// <summary>It has events in a stream not its own (written past the API): it is kept open to the end.</summary>
        public bool Irregular { get; set; }
    }

    private sealed record RawEvent(long Sequence, Guid Id, string Stream, long Version, string Type, byte[] Data, DateTimeOffset Timestamp);

    /// <summary>
    /// A page's events as the daemon would take them (those of other kinds left out), each with
    /// its stream and version (not its raw JSON, which need not wait for the fold), and how many rows the page had.
    /// </summary>
    private sealed record CheckedPage(int Count, IReadOnlyList<(ProjectedEvent Event, string Stream, long Version)> Events);

    /// <summary>The bulk pass cannot give the daemon's rows for this log (<see cref="ReadModelStore.RebuildAsync"/> then rebuilds page by page).</summary>
    internal sealed class NotApplicableException(string message) : Exception(message);

    /// <summary>
    /// Fills the generation with the log up to its head as the pass begins; returns that
    /// head and how many events it read. What is appended meanwhile is left to the caller.
    /// </summary>
    public async Task<(long Head, int Events)> RunAsync(CancellationToken ct)
    {
        var indexes = await DeferredIndexes.DropAsync(log.DataSource, generation, BulkTables, KeptIndexes, ct);
        var head = await SnapshotAsync(ct);
        // Four stages side by side, joined by short queues: reading, checking (on every core),
        // folding (here), writing. Each page is in memory only while it moves through them
        // (longer queues held more of the pass in memory for the garbage collector to copy).
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var rawPages = Channel.CreateBounded<List<RawEvent>>(PagesInFlight);
        var checkedPages = Channel.CreateBounded<CheckedPage>(PagesInFlight);
        Task[] stages =
        [
            Stage(rawPages.Writer, () => ReadAsync(head, rawPages.Writer, failed.Token)),
            Stage(checkedPages.Writer, () => CheckAsync(rawPages.Reader, checkedPages.Writer, failed.Token)),
            Stage(done.Writer, () => WriteClosedRowsAsync(failed.Token)),
        ];
        var events = 0;
        try
        {
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (!await checkedPages.Reader.WaitToReadAsync(failed.Token)) break;
                ReadModelWriter.Record("rebuild: wait for the check", started);
                started = Stopwatch.GetTimestamp();
                while (checkedPages.Reader.TryRead(out var page))
                {
                    events += page.Count;
                    foreach (var (e, stream, version) in page.Events) await FoldAsync(e, stream, version, failed.Token);
                }
                ReadModelWriter.Record("rebuild: fold", started);
            }
            // Occurrences whose last event was set aside, or that are irregular, close now.
            foreach (var left in open.Values) await done.Writer.WriteAsync(left, failed.Token);
            open.Clear();
            done.Writer.TryComplete();
            await Task.WhenAll(stages);
        }
        catch
        {
            // The first failure stops every stage; the one that failed first says why (a row PostgreSQL refused, say).
            failed.Cancel();
            done.Writer.TryComplete();
            try
            {
                await Task.WhenAll(stages);
            }
            catch (Exception)
            {
                // Looked at below, stage by stage.
            }
            if (stages.FirstOrDefault(s => s.IsFaulted && s.Exception!.InnerException is not OperationCanceledException and not ChannelClosedException) is { } first)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first.Exception!.InnerException!);
            throw;
        }
        // The server builds the indexes of the occurrences and claims while the intervals are derived here.
        var indexed = Task.Run(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            await DeferredIndexes.CreateAsync(log.DataSource, generation, indexes, ct);
            ReadModelWriter.Record("rebuild: indexes", started);
        }, ct);
        async Task IntervalsAsync()
        {
            await CopyIntervalsAsync(ct);
            await DeferredIndexes.AnalyzeAsync(log.DataSource, generation, ["control_intervals"], ct);
        }
        // The catalog's tables are written beside them. All three run to their end whatever the
        // others do: when one fails (a row or an index entry PostgreSQL refuses, say), the caller
        // drops the generation and rebuilds it page by page, and nothing of this pass may still be
        // writing into it (the intervals' failure used to leave the index builds running).
        await Task.WhenAll(indexed, WriteCatalogAsync(ct), IntervalsAsync());
        logger.LogInformation("Rebuilt {Events} events into {Generation}: {Occurrences} occurrences, {Claims} claims", events, generation, occurrenceCount, claimCount);
        return (head, events);
    }

    /// <summary>
    /// The head of the log and each stream's version, from one snapshot: an occurrence whose
    /// stream reaches that version has had its last event of the pass, and its rows can be
    /// written (and its state dropped) at once.
    /// </summary>
    private async Task<long> SnapshotAsync(CancellationToken ct)
    {
        await using var connection = await log.DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        long head;
        await using (var max = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from \"{log.Options.Schema}\".mt_events", connection, tx))
            head = (long)(await max.ExecuteScalarAsync(ct))!;
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var streams = new NpgsqlCommand($"select id, version from \"{log.Options.Schema}\".mt_streams", connection, tx))
        await using (var reader = await streams.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) versions[reader.GetString(0)] = reader.GetInt64(1);
        }
        await tx.CommitAsync(ct);
        lastVersions = versions;
        return head;
    }

    /// <summary>
    /// Runs one stage of the pass; when it ends, <paramref name="closes"/> is completed (with
    /// the stage's exception when it failed, so the stage on its other side stops too).
    /// </summary>
    private static Task Stage<T>(ChannelWriter<T> closes, Func<Task> stage) => Task.Run(async () =>
    {
        try
        {
            await stage();
            closes.TryComplete();
        }
        catch (Exception ex)
        {
            closes.TryComplete(ex);
            throw;
        }
    });

    /// <summary>The log up to <paramref name="head"/> in one ordered read, as pages of raw rows.</summary>
    private async Task ReadAsync(long head, ChannelWriter<List<RawEvent>> pages, CancellationToken ct)
    {
        await using var command = log.DataSource.CreateCommand(
            $"select seq_id, id, stream_id, version, type, data, timestamp from \"{log.Options.Schema}\".mt_events where seq_id <= $1 order by seq_id");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var page = new List<RawEvent>(pageSize);
        var started = Stopwatch.GetTimestamp();
        while (await reader.ReadAsync(ct))
        {
            page.Add(new RawEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.GetFieldValue<byte[]>(5), reader.GetFieldValue<DateTimeOffset>(6)));
            if (page.Count < pageSize) continue;
            ReadModelWriter.Record("rebuild: read", started);
            await pages.WriteAsync(page, ct);
            page = new List<RawEvent>(pageSize);
            started = Stopwatch.GetTimestamp();
        }
        if (page.Count > 0) await pages.WriteAsync(page, ct);
    }

    /// <summary>Each page's events checked on every core, in log order.</summary>
    private async Task CheckAsync(ChannelReader<List<RawEvent>> pages, ChannelWriter<CheckedPage> checkedPages, CancellationToken ct)
    {
        var after = 0L;
        await foreach (var page in pages.ReadAllAsync(ct))
        {
            var started = Stopwatch.GetTimestamp();
            var results = page.AsParallel().AsOrdered().WithCancellation(ct).Select(Check).ToList();
            ReadModelWriter.Record("rebuild: check", started);
            if (results.Any(r => r.Failed))
            {
                var bySequence = page.ToDictionary(r => r.Sequence);
                var throughMarten = await checkThroughMarten(after, page[^1].Sequence, page.Count, ct);
                await checkedPages.WriteAsync(new CheckedPage(page.Count, throughMarten.Select(e => (e, bySequence[e.Position].Stream, bySequence[e.Position].Version)).ToList()), ct);
            }
            else
            {
                await checkedPages.WriteAsync(new CheckedPage(page.Count,
                    results.Zip(page).Where(r => r.First.Event is not null).Select(r => (r.First.Event!, r.Second.Stream, r.Second.Version)).ToList()), ct);
            }
            after = page[^1].Sequence;
        }
    }

    /// <summary>The event as the daemon would take it; null when it is none of the ledger's; failed when it is one the daemon would set aside (or Marten could not read).</summary>
    private (ProjectedEvent? Event, bool Failed) Check(RawEvent e)
    {
        if (LedgerEventTypes.RecordFor(e.Type) is not { } type) return (null, false);
        try
        {
            var data = serializer.FromJson(type, new MemoryStream(e.Data, writable: false));
            return (ProjectedEvent.Checked(e.Id, e.Sequence, e.Timestamp, e.Type, data), false);
        }
        catch (Exception)
        {
            // Read again through Marten, whatever failed: what Marten makes of the event is what counts.
            return (null, true);
        }
    }

    /// <summary>What <see cref="ReadModelWriter"/> does with the event, in memory; an occurrence whose last event this is goes to be written.</summary>
    private async ValueTask FoldAsync(ProjectedEvent e, string stream, long version, CancellationToken ct)
    {
        switch (e.Domain)
        {
            case LandmarkCataloged { Landmark: var landmark }:
                landmarks[landmark.Id] = landmark;
                break;
            case ActorCataloged { Actor: var actor }:
                actors[actor.Id] = actor;
                break;
            case IOccurrenceEvent o:
                // Cannot happen when every event is in its occurrence's stream; one written past
                // the API into another stream after its occurrence closed would need a row rewritten.
                if (closed.Contains(o.OccurrenceId))
                    throw new NotApplicableException($"Event {e.Position} is about occurrence {o.OccurrenceId}, which had its last event in its own stream before.");
                if (!open.TryGetValue(o.OccurrenceId, out var folded)) open[o.OccurrenceId] = folded = new FoldedOccurrence(o.OccurrenceId);
                folded.State = folded.State.Evolve(o);
                folded.Position = e.Position;
                FoldClaim(folded, e, o);
                if (stream != OccurrenceEvents.StreamId(o.OccurrenceId)) folded.Irregular = true;
                else if (!folded.Irregular && lastVersions.TryGetValue(stream, out var last) && version >= last)
                {
                    open.Remove(o.OccurrenceId);
                    closed.Add(o.OccurrenceId);
                    await done.Writer.WriteAsync(folded, ct);
                }
                break;
        }
    }

    /// <summary>A correction or retraction replaces, from its day, every standing claim of its account; a report or correction may make a new claim.</summary>
    private static void FoldClaim(FoldedOccurrence folded, ProjectedEvent e, IOccurrenceEvent o)
    {
        var day = DateOnly.FromDateTime(e.RecordedAt.UtcDateTime);
        if (o is AccountCorrected or AccountRetracted)
        {
            var claims = folded.Claims;
            for (var i = 0; i < claims.Count; i++)
            {
                if (claims[i].SupersededFrom is null && claims[i].AccountId == o.AccountId) claims[i] = claims[i] with { SupersededFrom = day };
            }
        }
        if (ControlClaim.Made(e.Id, e.Position, o, day) is { } claim) folded.Claims.Add(claim);
    }

    /// <summary>
    /// Writes each closed occurrence's document and claims as it comes (two COPYs, open for the
    /// whole pass, each batch's rows made on every core) and keeps its standing claims for the intervals.
    /// </summary>
    private async Task WriteClosedRowsAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var occurrenceConnection = await log.DataSource.OpenConnectionAsync(ct);
        await using var claimConnection = await log.DataSource.OpenConnectionAsync(ct);
        await using var occurrenceCopy = await BinaryCopy.BeginAsync(occurrenceConnection, sql.CopyOccurrences, ct);
        await using var claimCopy = await BinaryCopy.BeginAsync(claimConnection, sql.CopyClaims, ct);
        // A batch's rows are made on every core while the batch before is written.
        Task<List<(FoldedOccurrence, OccurrenceRow?, PooledJson[])>>? made = null;
        while (await done.Reader.WaitToReadAsync(ct))
        {
            var batch = new List<FoldedOccurrence>(CopyChunk);
            while (batch.Count < CopyChunk && done.Reader.TryRead(out var folded)) batch.Add(folded);
            var making = Task.Run(() => batch.AsParallel().AsOrdered().WithCancellation(ct).Select(Rows).ToList(), ct);
            if (made is not null) WriteRows(await made, occurrenceCopy, claimCopy);
            made = making;
        }
        if (made is not null) WriteRows(await made, occurrenceCopy, claimCopy);
        await occurrenceCopy.CompleteAsync(ct);
        await claimCopy.CompleteAsync(ct);
        ReadModelWriter.Record("rebuild: occurrences and claims", started);
    }

    /// <summary>Writes a batch's rows, synchronously: they are in memory and each COPY has a connection of its own.</summary>
    private void WriteRows(List<(FoldedOccurrence, OccurrenceRow?, PooledJson[])> rows, BinaryCopy occurrenceCopy, BinaryCopy claimCopy)
    {
        foreach (var (folded, occurrence, claims) in rows)
        {
            if (occurrence is { } o)
            {
                occurrenceCopy.StartRow(8);
                occurrenceCopy.Text(o.Id);
                occurrenceCopy.Int64(o.Position);
                occurrenceCopy.Text(o.Document.Text.Span);
                o.Document.Return();
                occurrenceCopy.TextArray(o.Places);
                occurrenceCopy.TextArray(o.Kinds);
                occurrenceCopy.TextArray(o.Actors);
                occurrenceCopy.Date(o.Earliest);
                occurrenceCopy.Date(o.Latest);
                occurrenceCount++;
            }
            for (var i = 0; i < claims.Length; i++)
            {
                var c = folded.Claims[i];
                StoredClaim.Copy(claimCopy, c, claims[i].Text.Span);
                if (c.SupersededFrom is null) standing.Add(c, claims[i].Text.Span);
                claims[i].Return();
                claimCount++;
            }
        }
    }

    private sealed record OccurrenceRow(string Id, long Position, PooledJson Document, string[] Places, string[] Kinds, string[] Actors, DateOnly Earliest, DateOnly Latest);

    /// <summary>The occurrence's row (none when it has no account: a retraction of an account it never had shows nothing) and each claim's document.</summary>
    private static (FoldedOccurrence Folded, OccurrenceRow? Occurrence, PooledJson[] Claims) Rows(FoldedOccurrence folded)
    {
        OccurrenceRow? row = null;
        if (folded.State.Accounts.Count > 0)
        {
            var view = OccurrenceView.Of(folded.State);
            var summary = OccurrenceSummary.Of(view);
            row = new OccurrenceRow(view.Id, folded.Position, PooledJson.Of(StoredOccurrence.Of(view)), view.Places.ToArray(), summary.Kinds.ToArray(), summary.Actors.ToArray(), summary.Earliest, summary.Latest);
        }
        return (folded, row, folded.Claims.Select(StoredClaim.Pooled).ToArray());
    }

    /// <summary>
    /// Every landmark's intervals from its standing claims, as <see cref="ReadModelWriter.RecomputeAllIntervalsAsync"/>
    /// derives them for a fresh generation, in one COPY: each chunk of landmarks is derived on every
    /// core while the chunk before is written.
    /// </summary>
    private async Task CopyIntervalsAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        // In the order of the intervals' index (landmark, then end: Build gives each landmark's in time order).
        var byLandmark = standing.Landmarks();
        // As the writer does: a landmark that cannot be derived is left without intervals rather than failing every other one.
        Task<List<StoredInterval.CopyRow>> Derive(int from) => Task.Run(() => byLandmark.Skip(from).Take(LandmarksPerChunk)
            .AsParallel().AsOrdered().WithCancellation(ct)
            .SelectMany(landmark => (ReadModelWriter.TryBuild(landmark, standing.Of(landmark), null, logger) ?? []).Select(StoredInterval.CopyRow.Of))
            .ToList(), ct);

        await using var connection = await log.DataSource.OpenConnectionAsync(ct);
        await using var copy = await BinaryCopy.BeginAsync(connection, sql.CopyIntervals, ct);
        // Chunks are derived ahead of the one being written: a chunk's last landmarks keep one
        // core busy while the other has nothing left of it, and a next chunk started only once
        // the one before was done left that core idle.
        var derived = new Queue<Task<List<StoredInterval.CopyRow>>>();
        var next = 0;
        void DeriveAhead()
        {
            for (; derived.Count < ChunksAhead && next < byLandmark.Count; next += LandmarksPerChunk) derived.Enqueue(Derive(next));
        }
        DeriveAhead();
        while (derived.TryDequeue(out var deriving))
        {
            var rows = await deriving;
            DeriveAhead();
            // Written synchronously: the rows are in memory and the COPY has a connection of its own.
            foreach (var row in rows) row.WriteTo(copy);
        }
        await copy.CompleteAsync(ct);
        ReadModelWriter.Record("rebuild: intervals", started);
    }

    /// <summary>The last revision of each catalog entry, as the writer's upserts leave them.</summary>
    private async Task WriteCatalogAsync(CancellationToken ct)
    {
        await using var connection = await log.DataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        if (landmarks.Count > 0)
        {
            var list = landmarks.Values.ToList();
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.UpsertLandmarks)
            {
                Parameters =
                {
                    new NpgsqlParameter<string[]> { TypedValue = list.Select(l => l.Id).ToArray() },
                    new NpgsqlParameter { Value = list.Select(l => l.Parent).ToArray() },
                    new NpgsqlParameter<string[]> { TypedValue = list.Select(l => Json.SerializeStored(l)).ToArray() },
                },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.RefreshAncestors));
        }
        if (actors.Count > 0)
        {
            var list = actors.Values.ToList();
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.UpsertActors)
            {
                Parameters =
                {
                    new NpgsqlParameter<string[]> { TypedValue = list.Select(a => a.Id).ToArray() },
                    new NpgsqlParameter<string[]> { TypedValue = list.Select(a => Json.SerializeStored(a)).ToArray() },
                },
            });
        }
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
    }
}
