using ConflictLedger.Catalog;
using ConflictLedger.Control;
using ConflictLedger.Occurrences;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>An event the writer could not write (PostgreSQL refused its rows), and why: it is dead-lettered.</summary>
public sealed record SetAside(ProjectedEvent Event, Exception Reason);

/// <summary>When a batch derives the control intervals of the landmarks it touched.</summary>
public enum IntervalDerivation
{
    /// <summary>In the batch, together with every landmark earlier batches left stale: the daemon is at the head of the log.</summary>
    Now,

    /// <summary>
    /// Later: the landmarks are listed as stale (queries derive them from their claims
    /// meanwhile), so a daemon catching up derives each landmark once, not once per batch.
    /// </summary>
    Deferred,

    /// <summary>Not per batch: a rebuild derives every landmark once at the end.</summary>
    AtEnd,
}

/// <summary>
/// Writes a batch of checked events into one read model generation, inside the
/// transaction that also moves the checkpoint (Marten's daemon batch, or a rebuild's).
/// Decisions are the pure functions (<see cref="ControlClaim.From"/>,
/// <see cref="ControlTimeline.Build"/>, <see cref="OccurrenceView.Of"/>); this class only
/// moves rows.
/// </summary>
public sealed class ReadModelWriter(string schema, ILogger? logger = null)
{
    private readonly ILogger logger = logger ?? NullLogger.Instance;

    private readonly ReadModelSql sql = new(schema);

    public string Schema { get; } = schema;

    /// <summary>
    /// Writes the batch. When PostgreSQL refuses a row of it (a value the per-event check
    /// cannot foresee: a place too long for an index, say), the batch is written again one
    /// event at a time, each under its own savepoint, and the events whose rows are refused
    /// are returned to be set aside (dead-lettered) like an event that fails the check:
    /// Marten would otherwise retry the whole batch forever and the read model would stop.
    /// </summary>
    /// <returns>The events set aside, each with the reason; usually none.</returns>
    public async Task<IReadOnlyList<SetAside>> ApplyAsync(IReadOnlyList<ProjectedEvent> batch, NpgsqlTransaction tx, IntervalDerivation intervals, CancellationToken ct)
    {
        await tx.SaveAsync(BatchSavepoint, ct);
        try
        {
            await WriteAsync(batch, tx, intervals, ct);
            await tx.ReleaseAsync(BatchSavepoint, ct);
            return [];
        }
        catch (PostgresException ex) when (RefusesData(ex))
        {
            await tx.RollbackAsync(BatchSavepoint, ct);
            logger.LogWarning(ex, "PostgreSQL refused a row of a read model batch of {Count} events; writing them one at a time", batch.Count);
        }

        var setAside = new List<SetAside>();
        foreach (var e in batch)
        {
            await tx.SaveAsync(EventSavepoint, ct);
            try
            {
                // Intervals are derived once below, for every landmark the events touched.
                await WriteAsync([e], tx, intervals == IntervalDerivation.AtEnd ? IntervalDerivation.AtEnd : IntervalDerivation.Deferred, ct);
                await tx.ReleaseAsync(EventSavepoint, ct);
            }
            catch (PostgresException ex) when (RefusesData(ex))
            {
                await tx.RollbackAsync(EventSavepoint, ct);
                logger.LogError(ex, "The read model sets aside event {Position} ({Type}): PostgreSQL refused its rows", e.Position, e.Type);
                setAside.Add(new SetAside(e, ex));
            }
        }
        if (intervals == IntervalDerivation.Now) await WriteAsync([], tx, IntervalDerivation.Now, ct);
        return setAside;
    }

    private const string BatchSavepoint = "read_model_batch";
    private const string EventSavepoint = "read_model_event";

    /// <summary>
    /// Errors about the data written (classes 22 data exception, 23 integrity constraint
    /// violation, 54 program limit exceeded): writing the same rows again fails again. Any
    /// other error (a lost connection, a deadlock, a bug in a statement) fails the batch,
    /// and Marten retries it: it must never set events aside.
    /// </summary>
    internal static bool RefusesData(PostgresException ex) => ex.SqlState[..2] is "22" or "23" or "54";

    private async Task WriteAsync(IReadOnlyList<ProjectedEvent> batch, NpgsqlTransaction tx, IntervalDerivation intervals, CancellationToken ct)
    {
        var connection = tx.Connection!;
        var changed = new HashSet<(string Landmark, string Occurrence)>();

        // Catalog entries: the last revision in the batch wins, one statement per table.
        var landmarks = batch.Select(e => e.Domain).OfType<LandmarkCataloged>().Select(e => e.Landmark)
            .GroupBy(l => l.Id).Select(g => g.Last()).ToList();
        var actors = batch.Select(e => e.Domain).OfType<ActorCataloged>().Select(e => e.Actor)
            .GroupBy(a => a.Id).Select(g => g.Last()).ToList();
        if (landmarks.Count > 0)
        {
            await Execute(connection, tx, sql.UpsertLandmarks, ct,
                landmarks.Select(l => l.Id).ToArray(), landmarks.Select(l => l.Parent).ToArray(), landmarks.Select(l => Json.SerializeStored(l)).ToArray());
            await Execute(connection, tx, sql.RefreshAncestors, ct);
        }
        if (actors.Count > 0)
            await Execute(connection, tx, sql.UpsertActors, ct, actors.Select(a => a.Id).ToArray(), actors.Select(a => Json.SerializeStored(a)).ToArray());

        var occurrenceEvents = batch.Where(e => e.Domain is IOccurrenceEvent).Select(e => (e, (IOccurrenceEvent)e.Domain)).ToList();
        if (occurrenceEvents.Count > 0)
        {
            var started = Stopwatch.GetTimestamp();
            await ProjectOccurrencesAsync(connection, tx, occurrenceEvents, ct);
            Record("occurrences", started);
            started = Stopwatch.GetTimestamp();
            // AtEnd is a rebuild's bulk pass, into a generation nobody reads yet: claims go in by COPY.
            await ProjectClaimsAsync(connection, tx, occurrenceEvents, changed, copy: intervals == IntervalDerivation.AtEnd, ct);
            Record("claims", started);
        }
        if (intervals == IntervalDerivation.AtEnd) return;

        var changedFrom = changed.Count > 0 ? await ChangedFromAsync(connection, tx, changed, ct) : [];
        if (intervals == IntervalDerivation.Deferred)
        {
            if (changedFrom.Count > 0)
                await Execute(connection, tx, sql.MarkStaleLandmarks, ct, Param(changedFrom.Keys.ToArray()),
                    new NpgsqlParameter<DateOnly?[]> { TypedValue = changedFrom.Values.ToArray() });
            return;
        }
        // At the head: with every landmark earlier batches left stale (one statement, usually empty).
        await using (var take = new NpgsqlCommand(sql.TakeStaleLandmarks, connection, tx))
        await using (var reader = await take.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var landmark = reader.GetString(0);
                DateOnly? day = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateOnly>(1);
                changedFrom[landmark] = changedFrom.TryGetValue(landmark, out var other) ? Earlier(day, other) : day;
            }
        }
        if (changedFrom.Count > 0) await new IntervalUpdate(sql, logger).UpdateAsync(connection, tx, changedFrom, ct);
    }

    /// <summary>The earlier day, where null (from the first claim) is earliest.</summary>
    private static DateOnly? Earlier(DateOnly? a, DateOnly? b) => a is { } x && b is { } y ? (x < y ? x : y) : null;

    /// <summary>Per landmark, the earliest window of any version of the changed occurrences' accounts about it: where its intervals can change from.</summary>
    private async Task<Dictionary<string, DateOnly?>> ChangedFromAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, HashSet<(string Landmark, string Occurrence)> changed, CancellationToken ct)
    {
        var changedFrom = new Dictionary<string, DateOnly?>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(sql.ChangedFrom, connection, tx)
        {
            Parameters = { Param(changed.Select(c => c.Landmark).ToArray()), Param(changed.Select(c => c.Occurrence).ToArray()) },
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            changedFrom[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateOnly>(1);
        return changedFrom;
    }

    /// <summary>Where a batch's time goes, by phase: occurrences, claims, intervals (milliseconds).</summary>
    public static readonly Histogram<double> Duration =
        new Meter("ConflictLedger.ReadModel").CreateHistogram<double>("conflictledger.read_model.write.duration", "ms", "Time a read model batch spends per phase");

    internal static void Record(string phase, long started) =>
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("phase", phase));

    private async Task ProjectOccurrencesAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, List<(ProjectedEvent Recorded, IOccurrenceEvent Domain)> events, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var ids = events.Select(e => e.Domain.OccurrenceId).Distinct().ToArray();
        var states = new Dictionary<string, Occurrence>(StringComparer.Ordinal);
        await using (var load = new NpgsqlCommand(sql.LoadOccurrences, connection, tx) { Parameters = { Param(ids) } })
        await using (var reader = await load.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var state = StoredOccurrence.ReadState(reader.GetString(0));
                states[state.Id] = state;
            }
        }
        Record("occurrences: load", started);
        started = Stopwatch.GetTimestamp();
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (recorded, domain) in events)
        {
            var state = states.GetValueOrDefault(domain.OccurrenceId) ?? Occurrence.Empty(domain.OccurrenceId);
            states[domain.OccurrenceId] = state.Evolve(domain);
            positions[domain.OccurrenceId] = recorded.Position;
        }
        // An occurrence with no account yet (a retraction of an account it never had) has nothing to show.
        var shown = ids.Where(id => states[id].Accounts.Count > 0).Select(id => OccurrenceView.Of(states[id])).ToList();
        if (shown.Count == 0) return;
        var summaries = shown.Select(OccurrenceSummary.Of).ToList();
        object[] columns =
        [
            shown.Select(v => v.Id).ToArray(),
            shown.Select(v => positions[v.Id]).ToArray(),
            shown.Select(v => Json.SerializeStored(StoredOccurrence.Of(v))).ToArray(),
            shown.Select(v => ReadModelSql.ArrayLiteral(v.Places)).ToArray(),
            summaries.Select(o => ReadModelSql.ArrayLiteral(o.Kinds)).ToArray(),
            summaries.Select(o => ReadModelSql.ArrayLiteral(o.Actors)).ToArray(),
            summaries.Select(o => o.Earliest).ToArray(),
            summaries.Select(o => o.Latest).ToArray(),
        ];
        Record("occurrences: documents", started);
        started = Stopwatch.GetTimestamp();
        await Execute(connection, tx, sql.UpsertOccurrences, ct, columns);
        Record("occurrences: write", started);
    }

    /// <summary>
    /// Claims of a batch in two statements: first the versions standing before the batch
    /// that a correction or retraction in it replaces are marked replaced (from the first
    /// such day); then the batch's new claims are inserted, those replaced within the same
    /// batch already marked. An account is named by its occurrence and its id: the same
    /// account id on another occurrence is another account.
    /// </summary>
    private async Task ProjectClaimsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, List<(ProjectedEvent Recorded, IOccurrenceEvent Domain)> events,
        HashSet<(string Landmark, string Occurrence)> changed, bool copy, CancellationToken ct)
    {
        var claims = new List<ControlClaim>();
        var standingInBatch = new Dictionary<(string, string), List<int>>();
        var replacedBeforeBatch = new Dictionary<(string Occurrence, string Account), DateOnly>();
        foreach (var (recorded, domain) in events)
        {
            var key = (domain.OccurrenceId, domain.AccountId);
            var day = DateOnly.FromDateTime(recorded.RecordedAt.UtcDateTime);
            if (domain is AccountCorrected or AccountRetracted)
            {
                if (standingInBatch.Remove(key, out var replaced))
                    foreach (var i in replaced) claims[i] = claims[i] with { SupersededFrom = day };
                else
                    replacedBeforeBatch.TryAdd(key, day);
            }

            if (ControlClaim.Made(recorded.Id, recorded.Position, domain, day) is { } claim)
            {
                (standingInBatch.TryGetValue(key, out var list) ? list : standingInBatch[key] = []).Add(claims.Count);
                claims.Add(claim);
                changed.Add((claim.Landmark, claim.OccurrenceId));
            }
        }

        if (replacedBeforeBatch.Count > 0)
        {
            await using var supersede = new NpgsqlCommand(sql.SupersedeAccounts, connection, tx)
            {
                Parameters =
                {
                    Param(replacedBeforeBatch.Keys.Select(k => k.Occurrence).ToArray()),
                    Param(replacedBeforeBatch.Keys.Select(k => k.Account).ToArray()),
                    new NpgsqlParameter<DateOnly[]> { TypedValue = replacedBeforeBatch.Values.ToArray() },
                },
            };
            await using var reader = await supersede.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) changed.Add((reader.GetString(0), reader.GetString(1)));
        }
        if (claims.Count == 0) return;
        if (copy)
        {
            await using var import = await BinaryCopy.BeginAsync(connection, sql.CopyClaims, ct);
            foreach (var c in claims)
            {
                var document = StoredClaim.Pooled(c);
                StoredClaim.Copy(import, c, document.Text.Span);
                document.Return();
            }
            await import.CompleteAsync(ct);
            return;
        }
        await Execute(connection, tx, sql.InsertClaims, ct,
            claims.Select(c => c.EventId).ToArray(),
            claims.Select(c => c.Landmark).ToArray(),
            claims.Select(c => c.Position).ToArray(),
            claims.Select(c => c.OccurrenceId).ToArray(),
            claims.Select(c => c.AccountId).ToArray(),
            claims.Select(StoredClaim.Document).ToArray(),
            claims.Select(c => c.KnownFrom).ToArray(),
            new NpgsqlParameter<DateOnly?[]> { TypedValue = claims.Select(c => c.SupersededFrom).ToArray() },
            new NpgsqlParameter<DateOnly[]> { TypedValue = claims.Select(c => c.Earliest).ToArray() },
            new NpgsqlParameter<DateOnly[]> { TypedValue = claims.Select(c => c.Latest).ToArray() });
    }

    /// <summary>Derives the intervals of landmarks that have none stored yet (a rebuild's new generation) and copies them in.</summary>
    private async Task DeriveFreshIntervalsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string[] landmarks, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var claimRows = new List<StoredClaim.Row>();
        await using (var load = new NpgsqlCommand(sql.StandingClaims, connection, tx) { Parameters = { Param(landmarks) } })
        await using (var reader = await load.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) claimRows.Add(StoredClaim.Row.Of(reader));
        }
        Record("intervals: read claims", started);
        started = Stopwatch.GetTimestamp();
        // Landmarks are derived apart from each other by pure functions: on every core.
        var intervals = claimRows.AsParallel().AsOrdered().Select(r => r.ToClaim()).ToList()
            .GroupBy(c => c.Landmark, StringComparer.Ordinal)
            .AsParallel().AsOrdered()
            .SelectMany(landmark => TryBuild(landmark.Key, landmark, null, logger) ?? [])
            .ToList();
        Record("intervals: derive", started);
        started = Stopwatch.GetTimestamp();
        var rows = intervals.AsParallel().AsOrdered().Select(StoredInterval.CopyRow.Of).ToList();
        await CopyIntervalsAsync(connection, rows, ct);
        Record("intervals: write", started);
    }

    /// <summary>
    /// The landmark's intervals (from <paramref name="cutoff"/> on), or null when its claims,
    /// each of which passed <see cref="ControlTimeline.Build"/> alone (<see cref="ProjectedEvent.Checked"/>),
    /// still fail together: the landmark then keeps its last intervals rather than stopping
    /// the read model for every other one.
    /// </summary>
    internal static IReadOnlyList<ControlInterval>? TryBuild(string landmark, IEnumerable<ControlClaim> claims, DateOnly? cutoff, ILogger logger)
    {
        try
        {
            return ControlTimeline.Build(landmark, claims, cutoff);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            logger.LogError(ex, "Could not derive the control intervals of {Landmark}; its previous intervals stand", landmark);
            return null;
        }
    }

    /// <summary>What PostgreSQL's md5(text) gives for the document (the database is UTF-8).</summary>
    internal static string Hash(string document) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(document)));

    /// <summary>A fresh generation's intervals: binary COPY instead of INSERT (a rebuild writes about one interval per event).</summary>
    private async Task CopyIntervalsAsync(NpgsqlConnection connection, List<StoredInterval.CopyRow> rows, CancellationToken ct)
    {
        await using var copy = await BinaryCopy.BeginAsync(connection, sql.CopyIntervals, ct);
        foreach (var row in rows) row.WriteTo(copy);
        await copy.CompleteAsync(ct);
    }

    /// <summary>After a deferred rebuild: the intervals of every landmark, in slices so no transaction grows large.</summary>
    public async Task RecomputeAllIntervalsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var landmarks = new List<string>();
        await using (var list = dataSource.CreateCommand(sql.LandmarksWithClaims))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) landmarks.Add(reader.GetString(0));
        }
        foreach (var slice in landmarks.Chunk(2000))
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await DeriveFreshIntervalsAsync(connection, tx, slice, ct);
            await tx.CommitAsync(ct);
        }
    }

    private static NpgsqlParameter Param(string[] values) => new NpgsqlParameter<string[]> { TypedValue = values };

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string text, CancellationToken ct, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(text, connection, tx);
        foreach (var p in parameters)
            command.Parameters.Add(p as NpgsqlParameter ?? new NpgsqlParameter { Value = p });
        await command.ExecuteNonQueryAsync(ct);
    }
}
