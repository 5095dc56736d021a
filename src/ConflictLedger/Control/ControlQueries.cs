using ConflictLedger.Catalog;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using Npgsql;

namespace ConflictLedger.Control;

/// <summary>One landmark's state at a date; <paramref name="Interval"/> is null when no source says anything about that date.</summary>
public sealed record LandmarkControl(Landmark Landmark, ControlInterval? Interval);

/// <param name="Position">The log position the answer reflects.</param>
public sealed record ControlAnswer(DateOnly At, DateOnly? Known, long Position, IReadOnlyList<LandmarkControl> Landmarks);

/// <summary>A landmark's whole history, and every claim behind it (each with when it became known and when it was replaced).</summary>
public sealed record TimelineAnswer(Landmark Landmark, DateOnly? Known, long Position, IReadOnlyList<ControlInterval> Intervals, IReadOnlyList<ControlClaim> Claims);

public sealed class UnknownLandmarkException(string id)
    : Exception($"There is no landmark '{id}' in the catalog. GET /api/catalog/landmarks lists them.")
{
    public string Id { get; } = id;
}

/// <summary>
/// Answers "who controlled what, when, and on whose word" from the active read model.
/// Without <c>known</c> the stored intervals answer directly; with it the intervals are
/// derived again from the claims that stood on that knowledge day, so any past day can
/// be asked.
/// </summary>
public sealed class ControlQueries(ReadModelStore readModels)
{
    private NpgsqlDataSource DataSource => readModels.Store.DataSource;

    /// <param name="landmark">One landmark; null for all.</param>
    /// <param name="within">Everything inside this landmark (and itself); null for all.</param>
    public async Task<ControlAnswer> AtAsync(DateOnly at, DateOnly? known, string? landmark, string? within, CancellationToken ct = default)
    {
        var (sql, position) = await ActiveAsync(ct);
        var landmarks = await LandmarksAsync(sql, landmark, within, ct);
        var ids = landmarks.Select(l => l.Id).ToArray();
        Dictionary<string, ControlInterval> intervals;
        if (known is { } day)
        {
            var claims = await ReadClaimsAsync(sql.ClaimsKnownOn, ct, ids, day);
            intervals = claims.GroupBy(c => c.Landmark)
                .Select(g => ControlTimeline.Build(g.Key, g).FirstOrDefault(i => i.Covers(at)))
                .OfType<ControlInterval>()
                .ToDictionary(i => i.Landmark);
        }
        else
        {
            intervals = [];
            // The stored intervals, and the claims of any landmark whose intervals a daemon
            // catching up has not derived yet (ReadModelWriter): those are derived here.
            await using var batch = DataSource.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.IntervalsAt)
            {
                Parameters = { new NpgsqlParameter<string[]> { TypedValue = ids }, new NpgsqlParameter<DateOnly> { TypedValue = at } },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.StaleStandingClaims) { Parameters = { new NpgsqlParameter<string[]> { TypedValue = ids } } });
            await using var reader = await batch.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) intervals[reader.GetString(0)] = Json.Deserialize<ControlInterval>(reader.GetString(1));
            await reader.NextResultAsync(ct);
            var stale = new Dictionary<string, List<ControlClaim>>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct))
            {
                var claims = stale.TryGetValue(reader.GetString(0), out var list) ? list : stale[reader.GetString(0)] = [];
                if (!reader.IsDBNull(1)) claims.Add(Json.Deserialize<ControlClaim>(reader.GetString(1)));
            }
            foreach (var (id, claims) in stale)
            {
                IReadOnlyList<ControlInterval> derived;
                try
                {
                    derived = ControlTimeline.Build(id, claims);
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    continue; // as the writer does: the landmark keeps its last intervals
                }
                if (derived.FirstOrDefault(i => i.Covers(at)) is { } interval) intervals[id] = interval;
                else intervals.Remove(id);
            }
        }
        return new ControlAnswer(at, known, position.Value,
            landmarks.Select(l => new LandmarkControl(l, intervals.GetValueOrDefault(l.Id))).ToList());
    }

    public async Task<TimelineAnswer> TimelineAsync(string landmarkId, DateOnly? known, CancellationToken ct = default)
    {
        var (sql, position) = await ActiveAsync(ct);
        var landmark = (await LandmarksAsync(sql, landmarkId, null, ct)).Single();
        var claims = new List<ControlClaim>();
        await using (var command = DataSource.CreateCommand(sql.AllClaimsOf))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = landmarkId });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                claims.Add(Json.Deserialize<ControlClaim>(reader.GetString(0)) with
                {
                    KnownFrom = reader.GetFieldValue<DateOnly>(1),
                    SupersededFrom = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2),
                });
            }
        }
        var standing = claims.Where(c => c.StandsOn(known ?? DateOnly.MaxValue)).ToList();
        return new TimelineAnswer(landmark, known, position.Value, ControlTimeline.Build(landmarkId, standing), known is null ? claims : standing);
    }

    public async Task<OccurrenceView?> OccurrenceAsync(string id, CancellationToken ct = default)
    {
        var (sql, _) = await ActiveAsync(ct);
        await using var command = DataSource.CreateCommand(sql.Occurrence);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        return await command.ExecuteScalarAsync(ct) is string doc ? Json.Deserialize<OccurrenceView>(doc) : null;
    }

    /// <summary>
    /// Every occurrence; with <paramref name="known"/>, only the accounts a reader could have
    /// seen by then (published by then; an account with no publication date was recorded
    /// by the ledger, which is later than any past day asked about).
    /// </summary>
    public async Task<IReadOnlyList<OccurrenceView>> OccurrencesAsync(DateOnly? known, CancellationToken ct = default)
    {
        var all = await ReadDocsAsync<OccurrenceView>((await ActiveAsync(ct)).Sql.Occurrences, ct);
        if (known is not { } day) return all;
        return all
            .Select(o => o.ToOccurrence())
            .Select(o => o with { Accounts = o.Accounts.Where(a => a.Value.Account.Source.Published is { } p && ControlClaim.KnowableFrom(a.Value.Account.Source, p) <= day).ToDictionary() })
            .Where(o => o.Accounts.Count > 0)
            .Select(OccurrenceView.Of)
            .ToList();
    }

    public async Task<IReadOnlyList<Landmark>> LandmarksAsync(CancellationToken ct = default) =>
        await ReadDocsAsync<Landmark>((await ActiveAsync(ct)).Sql.Landmarks, ct);

    public async Task<IReadOnlyList<Actor>> ActorsAsync(CancellationToken ct = default) =>
        await ReadDocsAsync<Actor>((await ActiveAsync(ct)).Sql.Actors, ct);

    private async Task<(ReadModelSql Sql, LogPosition Position)> ActiveAsync(CancellationToken ct)
    {
        var (schema, position) = await readModels.ActiveWithPositionAsync(ct);
        return (new ReadModelSql(schema), position);
    }

    /// <summary>One landmark, everything within one (itself included), or all; an unknown id is refused.</summary>
    private async Task<List<Landmark>> LandmarksAsync(ReadModelSql sql, string? landmark, string? within, CancellationToken ct)
    {
        if (landmark is null && within is null) return await ReadDocsAsync<Landmark>(sql.Landmarks, ct);
        var one = landmark is not null
            ? await ReadDocsAsync<Landmark>(sql.LandmarkDoc, ct, landmark)
            : await ReadDocsAsync<Landmark>(sql.LandmarkDocsWithin, ct, within!);
        if (one.Count == 0) throw new UnknownLandmarkException((landmark ?? within)!);
        if (landmark is not null && within is not null && !(await ReadDocsAsync<Landmark>(sql.LandmarkDocsWithin, ct, within)).Any(l => l.Id == landmark))
            throw new UnknownLandmarkException(landmark);
        return one;
    }

    private async Task<List<ControlClaim>> ReadClaimsAsync(string text, CancellationToken ct, string[] landmarks, DateOnly known)
    {
        await using var command = DataSource.CreateCommand(text);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = landmarks });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = known });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var claims = new List<ControlClaim>();
        while (await reader.ReadAsync(ct)) claims.Add(Json.Deserialize<ControlClaim>(reader.GetString(0)));
        return claims;
    }

    private async Task<List<T>> ReadDocsAsync<T>(string text, CancellationToken ct, string? parameter = null)
    {
        await using var command = DataSource.CreateCommand(text);
        if (parameter is not null) command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = parameter });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await reader.ReadAsync(ct)) list.Add(Json.Deserialize<T>(reader.GetString(0)));
        return list;
    }
}
