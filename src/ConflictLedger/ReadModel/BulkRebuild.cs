using System.Diagnostics;
using ConflictLedger.Catalog;
using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace ConflictLedger.ReadModel;

/// <summary>
/// A rebuild's bulk pass into a fresh generation that nobody reads until the swap. The log
/// is read as raw rows, page by page; each page is deserialised (with Marten's serializer,
/// as Marten would) and checked (<see cref="ProjectedEvent.Checked"/>) on every core while
/// the page before is folded in memory: each occurrence's state, every claim with the day a
/// correction or retraction replaced it, the last revision of each catalog entry. Then
/// every row is written once, by binary COPY, into tables whose indexes are built after.
/// Page by page, the same rows took a load and an upsert of each touched occurrence per
/// page, an index update per row and a read of every claim back (measured: 77 s for
/// 1,000,000 events; see the README's figures for this pass).
/// The rows are those the daemon's writer would leave (<see cref="ReadModelWriter"/>:
/// <c>ProjectOccurrencesAsync</c>, <c>ProjectClaimsAsync</c>, <c>RecomputeIntervalsAsync</c>);
/// tests compare a rebuild with incremental projection.
/// </summary>
/// <remarks>
/// Memory: the fold holds every occurrence's accounts and every claim (about 2 GB for
/// 1,000,000 events, 560,000 occurrences). A page with an event that fails the check is
/// read again through Marten (<paramref name="checkThroughMarten"/>), which dead-letters it
/// with Marten's own record of the event, as the page-by-page rebuild did.
/// </remarks>
internal sealed class BulkRebuild(
    LedgerLog log, string generation, int pageSize, Func<long, long, int, CancellationToken, Task<List<ProjectedEvent>>> checkThroughMarten, ILogger logger)
{
    private const int CopyChunk = 20_000;

    /// <summary>The tables the pass fills by COPY; their indexes and keys are built after.</summary>
    private static readonly string[] BulkTables = ["occurrences", "control_claims", "control_intervals"];

    private readonly ReadModelSql sql = new(generation);
    private readonly Marten.ISerializer serializer = log.Store.Options.Serializer();

    private readonly Dictionary<string, (Occurrence State, long Position)> occurrences = new(StringComparer.Ordinal);
    private readonly List<ControlClaim> claims = [];
    /// <summary>The claims of each account (occurrence, account) that no correction or retraction has replaced yet, by index in <see cref="claims"/>.</summary>
    private readonly Dictionary<(string Occurrence, string Account), List<int>> standing = [];
    private readonly Dictionary<string, Landmark> landmarks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Actor> actors = new(StringComparer.Ordinal);

    private sealed record RawEvent(long Sequence, Guid Id, string Type, byte[] Data, DateTimeOffset Timestamp);

    private sealed record CheckedPage(int Count, long Last, IReadOnlyList<ProjectedEvent> Events);

    /// <summary>Fills the generation from the start of the log; returns the last position read and how many events it read.</summary>
    public async Task<(long Cursor, int Events)> RunAsync(CancellationToken ct)
    {
        var indexes = await DeferredIndexes.DropAsync(log.DataSource, generation, BulkTables, ct);
        var events = 0;
        var cursor = 0L;
        var next = ReadCheckedPageAsync(cursor, ct);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var page = await next;
            ReadModelWriter.Record("rebuild: wait for the read", started);
            if (page.Count == 0) break;
            cursor = page.Last;
            events += page.Count;
            next = ReadCheckedPageAsync(cursor, ct);
            started = Stopwatch.GetTimestamp();
            foreach (var e in page.Events) Fold(e);
            ReadModelWriter.Record("rebuild: fold", started);
        }

        // Three COPYs on three connections: each prepares its rows on every core while the
        // server takes the chunk before.
        await Task.WhenAll(
            Task.Run(() => CopyOccurrencesAsync(ct), ct),
            Task.Run(() => CopyClaimsAsync(ct), ct),
            Task.Run(() => CopyIntervalsAsync(ct), ct));
        await WriteCatalogAsync(ct);
        var built = Stopwatch.GetTimestamp();
        await DeferredIndexes.CreateAsync(log.DataSource, indexes,
            $"analyze {string.Join(", ", BulkTables.Append("landmarks").Select(t => $"\"{generation}\".{t}"))}", ct);
        ReadModelWriter.Record("rebuild: indexes", built);
        logger.LogInformation("Rebuilt {Events} events into {Generation}: {Occurrences} occurrences, {Claims} claims", events, generation, occurrences.Count, claims.Count);
        return (cursor, events);
    }

    private async Task<CheckedPage> ReadCheckedPageAsync(long after, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var page = new List<RawEvent>(pageSize);
        await using (var command = log.DataSource.CreateCommand(
            $"select seq_id, id, type, data, timestamp from \"{log.Options.Schema}\".mt_events where seq_id > $1 order by seq_id limit $2"))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                page.Add(new RawEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        ReadModelWriter.Record("rebuild: read", started);
        if (page.Count == 0) return new CheckedPage(0, after, []);

        started = Stopwatch.GetTimestamp();
        var results = page.AsParallel().AsOrdered().WithCancellation(ct).Select(Check).ToList();
        ReadModelWriter.Record("rebuild: check", started);
        if (results.Any(r => r.Failed))
            return new CheckedPage(page.Count, page[^1].Sequence, await checkThroughMarten(after, page[^1].Sequence, page.Count, ct));
        return new CheckedPage(page.Count, page[^1].Sequence, results.Where(r => r.Event is not null).Select(r => r.Event!).ToList());
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

    /// <summary>What <see cref="ReadModelWriter"/> does with the event, in memory.</summary>
    private void Fold(ProjectedEvent e)
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
                var state = occurrences.TryGetValue(o.OccurrenceId, out var folded) ? folded.State : Occurrence.Empty(o.OccurrenceId);
                occurrences[o.OccurrenceId] = (state.Evolve(o), e.Position);
                FoldClaim(e, o);
                break;
        }
    }

    /// <summary>A correction or retraction replaces, from its day, every standing claim of its account; a report or correction may make a new claim.</summary>
    private void FoldClaim(ProjectedEvent e, IOccurrenceEvent o)
    {
        var key = (o.OccurrenceId, o.AccountId);
        var day = DateOnly.FromDateTime(e.RecordedAt.UtcDateTime);
        if (o is AccountCorrected or AccountRetracted && standing.Remove(key, out var replaced))
        {
            foreach (var i in replaced) claims[i] = claims[i] with { SupersededFrom = day };
        }
        var (account, knownFrom) = o switch
        {
            AccountReported r => (r.Account, ControlClaim.KnowableFrom(r.Account.Source, day)),
            AccountCorrected c => (c.Account, day),
            _ => ((Account?)null, day),
        };
        if (account is not null && ControlClaim.From(e.Id, e.Position, o.OccurrenceId, o.AccountId, account, knownFrom) is { } claim)
        {
            (standing.TryGetValue(key, out var list) ? list : standing[key] = []).Add(claims.Count);
            claims.Add(claim);
        }
    }

    private Task CopyOccurrencesAsync(CancellationToken ct)
    {
        // An occurrence with no account (a retraction of an account it never had) has nothing to show.
        var shown = occurrences.Values.Where(o => o.State.Accounts.Count > 0).ToList();
        return CopyAsync("rebuild: occurrences", sql.CopyOccurrences, shown, o =>
        {
            var view = OccurrenceView.Of(o.State);
            var summary = OccurrenceSummary.Of(view);
            return new[] { (view.Id, o.Position, Document: Json.Serialize(view), Places: view.Places.ToArray(), Kinds: summary.Kinds.ToArray(), Actors: summary.Actors.ToArray(), summary.Earliest, summary.Latest) };
        }, (copy, row) =>
        {
            copy.Write(row.Id, NpgsqlDbType.Text);
            copy.Write(row.Position, NpgsqlDbType.Bigint);
            copy.Write(row.Document, NpgsqlDbType.Text);
            copy.Write(row.Places, NpgsqlDbType.Array | NpgsqlDbType.Text);
            copy.Write(row.Kinds, NpgsqlDbType.Array | NpgsqlDbType.Text);
            copy.Write(row.Actors, NpgsqlDbType.Array | NpgsqlDbType.Text);
            copy.Write(row.Earliest, NpgsqlDbType.Date);
            copy.Write(row.Latest, NpgsqlDbType.Date);
        }, ct);
    }

    private Task CopyClaimsAsync(CancellationToken ct) =>
        CopyAsync("rebuild: claims", sql.CopyClaims, claims, c => new[] { (Claim: c, Document: Json.Serialize(c with { SupersededFrom = null })) },
            (copy, row) =>
            {
                var c = row.Claim;
                copy.Write(c.EventId, NpgsqlDbType.Uuid);
                copy.Write(c.Landmark, NpgsqlDbType.Text);
                copy.Write(c.Position, NpgsqlDbType.Bigint);
                copy.Write(c.OccurrenceId, NpgsqlDbType.Text);
                copy.Write(c.AccountId, NpgsqlDbType.Text);
                copy.Write(row.Document, NpgsqlDbType.Text);
                copy.Write(c.KnownFrom, NpgsqlDbType.Date);
                if (c.SupersededFrom is { } day) copy.Write(day, NpgsqlDbType.Date);
                else copy.WriteNull();
            }, ct);

    /// <summary>Every landmark's intervals from its standing claims, as <see cref="ReadModelWriter.RecomputeIntervalsAsync"/> derives them for a fresh generation.</summary>
    private Task CopyIntervalsAsync(CancellationToken ct)
    {
        var byLandmark = claims.Where(c => c.SupersededFrom is null).GroupBy(c => c.Landmark, StringComparer.Ordinal).ToList();
        return CopyAsync("rebuild: intervals", sql.CopyIntervals, byLandmark, landmark =>
        {
            IReadOnlyList<ControlInterval> intervals;
            try
            {
                intervals = ControlTimeline.Build(landmark.Key, landmark);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // As the writer does: the landmark is left without intervals rather than failing every other one.
                logger.LogError(ex, "Could not derive the control intervals of {Landmark}; its previous intervals stand", landmark.Key);
                return [];
            }
            return intervals.Select(i => (Interval: i, Document: Json.Serialize(StoredInterval.Of(i)), Evidence: StoredInterval.CitedEventIds(i).ToArray()));
        }, (copy, row) =>
        {
            var i = row.Interval;
            copy.Write(i.Landmark, NpgsqlDbType.Text);
            WriteNullable(copy, i.From);
            WriteNullable(copy, i.To);
            if (i.Controller is null) copy.WriteNull();
            else copy.Write(i.Controller, NpgsqlDbType.Text);
            copy.Write(Json.Name(i.Status), NpgsqlDbType.Text);
            copy.Write(row.Document, NpgsqlDbType.Text);
            copy.Write(row.Evidence, NpgsqlDbType.Array | NpgsqlDbType.Uuid);
        }, ct, chunk: 200);
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, DateOnly? day)
    {
        if (day is { } value) copy.Write(value, NpgsqlDbType.Date);
        else copy.WriteNull();
    }

    /// <summary>
    /// One COPY of the rows of <paramref name="items"/>: each chunk's rows are made on every
    /// core (JSON, pure derivations) while the chunk before is written.
    /// </summary>
    private async Task CopyAsync<T, TRow>(
        string phase, string copySql, IReadOnlyList<T> items, Func<T, IEnumerable<TRow>> make,
        Action<NpgsqlBinaryImporter, TRow> write, CancellationToken ct, int chunk = CopyChunk)
    {
        var started = Stopwatch.GetTimestamp();
        Task<List<TRow>> Prepare(int from) => Task.Run(() => Enumerable.Range(from, Math.Min(chunk, items.Count - from))
            .AsParallel().AsOrdered().WithCancellation(ct).SelectMany(i => make(items[i])).ToList(), ct);

        await using var connection = await log.DataSource.OpenConnectionAsync(ct);
        await using var import = await connection.BeginBinaryImportAsync(copySql, ct);
        var next = items.Count > 0 ? Prepare(0) : Task.FromResult(new List<TRow>());
        for (var from = 0; from < items.Count; from += chunk)
        {
            var rows = await next;
            if (from + chunk < items.Count) next = Prepare(from + chunk);
            // Written synchronously: the rows are in memory and the COPY has a connection of its own.
            foreach (var row in rows)
            {
                import.StartRow();
                write(import, row);
            }
        }
        await import.CompleteAsync(ct);
        ReadModelWriter.Record(phase, started);
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
                    new NpgsqlParameter<string[]> { TypedValue = list.Select(l => Json.Serialize(l)).ToArray() },
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
                    new NpgsqlParameter<string[]> { TypedValue = list.Select(a => Json.Serialize(a)).ToArray() },
                },
            });
        }
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
    }
}
