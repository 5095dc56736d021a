using ConflictLedger.Catalog;
using ConflictLedger.Control;
using ConflictLedger.EventStore;
using ConflictLedger.Occurrences;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>
/// Projects a batch of the log into one read model generation, inside the transaction
/// that also moves the checkpoint. Decisions are the pure functions
/// (<see cref="ControlClaim.From"/>, <see cref="ControlTimeline.Build"/>,
/// <see cref="OccurrenceView.Of"/>); this class only moves rows.
/// </summary>
public sealed class ReadModelProjection(string schema)
{
    private readonly ReadModelSql sql = new(schema);

    public string Schema { get; } = schema;

    /// <param name="deferIntervals">During a rebuild intervals are computed once at the end, not per batch.</param>
    public async Task ApplyAsync(IReadOnlyList<RecordedEvent> batch, NpgsqlTransaction tx, bool deferIntervals, CancellationToken ct)
    {
        var connection = tx.Connection!;
        var touched = new HashSet<string>(StringComparer.Ordinal);

        // Catalog entries: the last revision in the batch wins, one statement per table.
        var landmarks = batch.Where(e => e.Type == CatalogEvents.LandmarkType)
            .Select(e => Json.Deserialize<LandmarkCataloged>(e.Data).Landmark)
            .GroupBy(l => l.Id).Select(g => g.Last()).ToList();
        var actors = batch.Where(e => e.Type == CatalogEvents.ActorType)
            .Select(e => Json.Deserialize<ActorCataloged>(e.Data).Actor)
            .GroupBy(a => a.Id).Select(g => g.Last()).ToList();
        if (landmarks.Count > 0)
        {
            await Execute(connection, tx, sql.UpsertLandmarks, ct,
                landmarks.Select(l => l.Id).ToArray(), landmarks.Select(l => l.Parent).ToArray(), landmarks.Select(l => Json.Serialize(l)).ToArray());
            await Execute(connection, tx, sql.RefreshAncestors, ct);
        }
        if (actors.Count > 0)
            await Execute(connection, tx, sql.UpsertActors, ct, actors.Select(a => a.Id).ToArray(), actors.Select(a => Json.Serialize(a)).ToArray());

        var occurrenceEvents = new List<(RecordedEvent Recorded, IOccurrenceEvent Domain)>();
        foreach (var e in batch)
        {
            try
            {
                if (OccurrenceEvents.FromStored(e.Type, e.Data) is { } domain) occurrenceEvents.Add((e, domain));
            }
            catch (MalformedEventException ex)
            {
                await Execute(connection, tx, sql.RejectEvent, ct, e.Id, e.Position.Value, e.Type, ex.Message);
            }
        }
        if (occurrenceEvents.Count > 0)
        {
            await ProjectOccurrencesAsync(connection, tx, occurrenceEvents, ct);
            await ProjectClaimsAsync(connection, tx, occurrenceEvents, touched, ct);
        }
        if (!deferIntervals && touched.Count > 0) await RecomputeIntervalsAsync(connection, tx, touched.ToArray(), ct);
    }

    private async Task ProjectOccurrencesAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, List<(RecordedEvent Recorded, IOccurrenceEvent Domain)> events, CancellationToken ct)
    {
        var ids = events.Select(e => e.Domain.OccurrenceId).Distinct().ToArray();
        var states = new Dictionary<string, Occurrence>(StringComparer.Ordinal);
        await using (var load = new NpgsqlCommand(sql.LoadOccurrences, connection, tx) { Parameters = { Param(ids) } })
        await using (var reader = await load.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var view = Json.Deserialize<OccurrenceView>(reader.GetString(0));
                states[view.Id] = view.ToOccurrence();
            }
        }
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (recorded, domain) in events)
        {
            var state = states.GetValueOrDefault(domain.OccurrenceId) ?? Occurrence.Empty(domain.OccurrenceId);
            states[domain.OccurrenceId] = state.Evolve(domain);
            positions[domain.OccurrenceId] = recorded.Position.Value;
        }
        var docs = ids.Select(id => Json.Serialize(OccurrenceView.Of(states[id]))).ToArray();
        await Execute(connection, tx, sql.UpsertOccurrences, ct, ids, ids.Select(id => positions[id]).ToArray(), docs);
    }

    /// <summary>
    /// Claims of a batch in two statements: first the versions standing before the batch
    /// that a correction or retraction in it replaces are marked replaced (from the first
    /// such day); then the batch's new claims are inserted, those replaced within the same
    /// batch already marked.
    /// </summary>
    private async Task ProjectClaimsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, List<(RecordedEvent Recorded, IOccurrenceEvent Domain)> events,
        HashSet<string> touched, CancellationToken ct)
    {
        var claims = new List<ControlClaim>();
        var standingInBatch = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var replacedBeforeBatch = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var (recorded, domain) in events)
        {
            var day = DateOnly.FromDateTime(recorded.RecordedAt.UtcDateTime);
            if (domain is AccountCorrected or AccountRetracted)
            {
                if (standingInBatch.Remove(domain.AccountId, out var replaced))
                    foreach (var i in replaced) claims[i] = claims[i] with { SupersededFrom = day };
                else
                    replacedBeforeBatch.TryAdd(domain.AccountId, day);
            }

            var (account, knownFrom) = domain switch
            {
                AccountReported r => (r.Account, ControlClaim.KnowableFrom(r.Account.Source, day)),
                AccountCorrected c => (c.Account, day),
                _ => ((Account?)null, day),
            };
            if (account is not null && ControlClaim.From(recorded.Id, recorded.Position.Value, domain.OccurrenceId, domain.AccountId, account, knownFrom) is { } claim)
            {
                (standingInBatch.TryGetValue(domain.AccountId, out var list) ? list : standingInBatch[domain.AccountId] = []).Add(claims.Count);
                claims.Add(claim);
                touched.Add(claim.Landmark);
            }
        }

        if (replacedBeforeBatch.Count > 0)
        {
            await using var supersede = new NpgsqlCommand(sql.SupersedeAccounts, connection, tx)
            {
                Parameters =
                {
                    Param(replacedBeforeBatch.Keys.ToArray()),
                    new NpgsqlParameter<DateOnly[]> { TypedValue = replacedBeforeBatch.Values.ToArray() },
                },
            };
            await using var reader = await supersede.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) touched.Add(reader.GetString(0));
        }
        if (claims.Count == 0) return;
        await Execute(connection, tx, sql.InsertClaims, ct,
            claims.Select(c => c.EventId).ToArray(),
            claims.Select(c => c.Landmark).ToArray(),
            claims.Select(c => c.Position).ToArray(),
            claims.Select(c => c.OccurrenceId).ToArray(),
            claims.Select(c => c.AccountId).ToArray(),
            claims.Select(c => Json.Serialize(c with { SupersededFrom = null })).ToArray(),
            claims.Select(c => c.KnownFrom).ToArray(),
            new NpgsqlParameter<DateOnly?[]> { TypedValue = claims.Select(c => c.SupersededFrom).ToArray() });
    }

    /// <summary>Rebuilds the intervals of the given landmarks from their standing claims.</summary>
    public async Task RecomputeIntervalsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string[] landmarks, CancellationToken ct)
    {
        var claims = new List<ControlClaim>();
        await using (var load = new NpgsqlCommand(sql.StandingClaims, connection, tx) { Parameters = { Param(landmarks) } })
        await using (var reader = await load.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) claims.Add(Json.Deserialize<ControlClaim>(reader.GetString(0)));
        }
        var intervals = claims.GroupBy(c => c.Landmark, StringComparer.Ordinal)
            .SelectMany(g => ControlTimeline.Build(g.Key, g))
            .ToList();

        await Execute(connection, tx, sql.DeleteIntervals, ct, Param(landmarks));
        if (intervals.Count == 0) return;
        await Execute(connection, tx, sql.InsertIntervals, ct,
            intervals.Select(i => i.Landmark).ToArray(),
            new NpgsqlParameter<DateOnly?[]> { TypedValue = intervals.Select(i => i.From).ToArray() },
            new NpgsqlParameter<DateOnly?[]> { TypedValue = intervals.Select(i => i.To).ToArray() },
            intervals.Select(i => i.Controller).ToArray(),
            intervals.Select(i => Json.Name(i.Status)).ToArray(),
            intervals.Select(Json.Serialize).ToArray());
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
            await RecomputeIntervalsAsync(connection, tx, slice, ct);
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
