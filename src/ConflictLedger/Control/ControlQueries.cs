using ConflictLedger.Catalog;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using Npgsql;
using NpgsqlTypes;

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
            foreach (var interval in await StoredInterval.ReadAllAsync(reader, ct)) intervals[interval.Landmark] = interval;
            await reader.NextResultAsync(ct);
            var stale = new Dictionary<string, List<ControlClaim>>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct))
            {
                var claims = stale.TryGetValue(reader.GetString(0), out var list) ? list : stale[reader.GetString(0)] = [];
                if (StoredClaim.Row.IfAny(reader, 1) is { } claim) claims.Add(claim.ToClaim());
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
            while (await reader.ReadAsync(ct)) claims.Add(StoredClaim.Row.Of(reader).ToClaim());
        }
        var standing = claims.Where(c => c.StandsOn(known ?? DateOnly.MaxValue)).ToList();
        return new TimelineAnswer(landmark, known, position.Value, ControlTimeline.Build(landmarkId, standing), known is null ? claims : standing);
    }

    /// <summary>
    /// One occurrence; with <paramref name="known"/>, as a reader could know it that day,
    /// replayed from its stream (the document holds only the accounts as they stand now).
    /// </summary>
    public async Task<OccurrenceView?> OccurrenceAsync(string id, DateOnly? known = null, CancellationToken ct = default)
    {
        if (known is { } day)
        {
            var events = new List<(IOccurrenceEvent, DateOnly)>();
            await foreach (var e in readModels.Store.ReadStreamAsync(OccurrenceEvents.StreamId(id), ct: ct))
                if (OccurrenceEvents.FromStored(e.Type, e.Data) is { } domain) events.Add((domain, DateOnly.FromDateTime(e.RecordedAt.UtcDateTime)));
            return OccurrenceView.KnownOn(id, events, day);
        }
        var (sql, _) = await ActiveAsync(ct);
        await using var command = DataSource.CreateCommand(sql.Occurrence);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        return await command.ExecuteScalarAsync(ct) is string doc ? StoredOccurrence.Read(doc) : null;
    }

    /// <summary>
    /// A page of occurrences in id order after <paramref name="after"/>, filtered like
    /// <see cref="OccurrencesAsync"/> when <paramref name="known"/> is given (so a page can
    /// hold fewer than <paramref name="limit"/>). <c>NextAfter</c> is null on the last page.
    /// </summary>
    public async Task<(IReadOnlyList<OccurrenceView> Items, string? NextAfter)> OccurrencesPageAsync(
        DateOnly? known, string? after, int limit, CancellationToken ct = default)
    {
        var (schema, _) = await readModels.ActiveWithPositionAsync(ct);
        var docs = new List<OccurrenceView>();
        await using (var command = DataSource.CreateCommand(ReadSql.OccurrencesAfter(schema)))
        {
            command.Parameters.Add(Text(after));
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit + 1 });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) docs.Add(StoredOccurrence.Read(reader.GetString(0)));
        }
        var more = docs.Count > limit;
        var page = docs.Take(limit).ToList();
        var items = known is { } day ? page.Select(o => KnownOn(o, day)).OfType<OccurrenceView>().ToList() : page;
        return (items, more ? page[^1].Id : null);
    }

    /// <summary>
    /// The bulk timeline: a page of landmarks (in id order) with their intervals (without
    /// evidence) and the occurrences placed at each, one statement per table.
    /// </summary>
    public async Task<TimelinePage> TimelinesAsync(TimelineFilter filter, CancellationToken ct = default)
    {
        var (schema, position) = await readModels.ActiveWithPositionAsync(ct);
        var sql = new ReadModelSql(schema);
        var landmarks = new List<Landmark>();
        await using (var command = DataSource.CreateCommand(ReadSql.LandmarksPage(schema)))
        {
            command.Parameters.Add(Text(filter.Within));
            command.Parameters.Add(Text(filter.After));
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = filter.Limit + 1 });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) landmarks.Add(Json.Deserialize<Landmark>(reader.GetString(0)));
        }
        if (filter.Within is not null && filter.After is null && landmarks.Count == 0) throw new UnknownLandmarkException(filter.Within);
        var more = landmarks.Count > filter.Limit;
        if (more) landmarks.RemoveAt(landmarks.Count - 1);
        var ids = landmarks.Select(l => l.Id).ToArray();

        Dictionary<string, List<ControlInterval>> intervals;
        if (filter.Known is { } known)
        {
            intervals = (await ReadClaimsAsync(sql.ClaimsKnownOn, ct, ids, known))
                .GroupBy(c => c.Landmark)
                .ToDictionary(g => g.Key, g => ControlTimeline.Build(g.Key, g).ToList());
        }
        else
        {
            intervals = [];
            await using var command = DataSource.CreateCommand(sql.IntervalsOfMany);
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
            await using var reader = await command.ExecuteReaderAsync(ct);
            foreach (var interval in await StoredInterval.ReadAllAsync(reader, ct))
                (intervals.TryGetValue(interval.Landmark, out var list) ? list : intervals[interval.Landmark] = []).Add(interval);
        }

        var occurrences = await OccurrencesAtAsync(schema, ids, filter, ct);
        var rows = new List<TimelineRow>();
        foreach (var landmark in landmarks)
        {
            var shown = intervals.GetValueOrDefault(landmark.Id, []).Where(i => filter.Overlaps(i.From, i.To)).ToList();
            var here = occurrences.GetValueOrDefault(landmark.Id, []);
            if (filter.Selects)
            {
                // An actor also selects the landmarks it held or fought for in the range.
                var actorThere = filter.Actor is { } actor && filter.Kinds is not { Count: > 0 }
                    && shown.Any(i => i.Controller == actor || i.Candidates.Contains(actor));
                if (here.Count == 0 && !actorThere) continue;
            }
            rows.Add(new TimelineRow(landmark, shown.Select(IntervalSummary.Of).ToList(), here));
        }
        return new TimelinePage(filter.Known, position.Value, rows, more ? landmarks[^1].Id : null);
    }

    private async Task<Dictionary<string, List<OccurrenceSummary>>> OccurrencesAtAsync(string schema, string[] ids, TimelineFilter filter, CancellationToken ct)
    {
        var byPlace = new Dictionary<string, List<OccurrenceSummary>>(StringComparer.Ordinal);
        await using var command = DataSource.CreateCommand(ReadSql.OccurrencesAt(schema, withDocs: filter.Known is not null));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        command.Parameters.Add(new NpgsqlParameter<string[]?>
        {
            TypedValue = filter.Kinds is { Count: > 0 } kinds ? kinds.Select(Json.Name).ToArray() : null,
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
        });
        command.Parameters.Add(Text(filter.Actor));
        command.Parameters.Add(new NpgsqlParameter<DateOnly?> { TypedValue = filter.From, NpgsqlDbType = NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter<DateOnly?> { TypedValue = filter.To, NpgsqlDbType = NpgsqlDbType.Date });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            var summary = new OccurrenceSummary(reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.GetFieldValue<string[]>(2),
                reader.GetFieldValue<DateOnly>(3), reader.GetFieldValue<DateOnly>(4));
            if (filter.Known is { } day)
            {
                // As known on a day, an occurrence shows only the accounts published by then.
                if (KnownOn(StoredOccurrence.Read(reader.GetString(6)), day) is not { } view) continue;
                summary = new OccurrenceSummary(view.Id, view.Kinds.Select(Json.Name).ToList(),
                    view.Accounts.Where(a => !a.Retracted).SelectMany(a => a.Account.Actors.Select(r => r.Actor)).Distinct().Order(StringComparer.Ordinal).ToList(),
                    view.Earliest, view.Latest);
                if (!filter.Overlaps(summary.Earliest, summary.Latest.AddDays(1))) continue;
            }
            foreach (var place in reader.GetFieldValue<string[]>(5).Where(wanted.Contains))
                (byPlace.TryGetValue(place, out var list) ? list : byPlace[place] = []).Add(summary);
        }
        foreach (var list in byPlace.Values) list.Sort((a, b) => a.Earliest != b.Earliest ? a.Earliest.CompareTo(b.Earliest) : string.CompareOrdinal(a.Id, b.Id));
        return byPlace;
    }

    /// <summary>An occurrence with only the accounts published by <paramref name="day"/> (the document keeps no recording days; an undated account was recorded later than any past day asked about).</summary>
    private static OccurrenceView? KnownOn(OccurrenceView o, DateOnly day)
    {
        var accounts = o.Accounts.Where(a => a.Account.Source.Published is { } p && ControlClaim.KnowableFrom(a.Account.Source, p) <= day).ToList();
        return accounts.Count == 0 ? null : OccurrenceView.Of(new Occurrence(o.Id, accounts.ToDictionary(a => a.AccountId, StringComparer.Ordinal)));
    }

    private static NpgsqlParameter<string?> Text(string? value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>The read side's own statements (the projection writes the tables through <see cref="ReadModelSql"/>).</summary>
    private static class ReadSql
    {
        public static string OccurrencesAfter(string s) => $"""
            select doc from "{s}".occurrences where ($1::text is null or id > $1) order by id limit $2
            """;

        public static string LandmarksPage(string s) => $"""
            select doc from "{s}".landmarks
             where ($1::text is null or id = $1 or ancestors @> array[$1::text])
               and ($2::text is null or id > $2)
             order by id limit $3
            """;

        /// <summary>Occurrences at any of $1, of a kind in $2, naming actor $3, overlapping [$4, $5) (columns from 004_occurrence_summary.sql).</summary>
        public static string OccurrencesAt(string s, bool withDocs) => $"""
            select id, kinds, actors, earliest, latest, places{(withDocs ? ", doc" : "")} from "{s}".occurrences
             where places && $1
               and ($2::text[] is null or kinds && $2)
               and ($3::text is null or $3 = any(actors))
               and ($4::date is null or latest >= $4)
               and ($5::date is null or earliest < $5)
            """;
    }

    /// <summary>
    /// Every occurrence; with <paramref name="known"/>, only the accounts a reader could have
    /// seen by then (published by then; an account with no publication date was recorded
    /// by the ledger, which is later than any past day asked about).
    /// </summary>
    public async Task<IReadOnlyList<OccurrenceView>> OccurrencesAsync(DateOnly? known, CancellationToken ct = default)
    {
        var all = await ReadDocsAsync((await ActiveAsync(ct)).Sql.Occurrences, StoredOccurrence.Read, ct);
        return known is { } day ? all.Select(o => KnownOn(o, day)).OfType<OccurrenceView>().ToList() : all;
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
        while (await reader.ReadAsync(ct)) claims.Add(StoredClaim.Row.Of(reader).ToClaim());
        return claims;
    }

    private Task<List<T>> ReadDocsAsync<T>(string text, CancellationToken ct, string? parameter = null) =>
        ReadDocsAsync(text, Json.Deserialize<T>, ct, parameter);

    private async Task<List<T>> ReadDocsAsync<T>(string text, Func<string, T> read, CancellationToken ct, string? parameter = null)
    {
        await using var command = DataSource.CreateCommand(text);
        if (parameter is not null) command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = parameter });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await reader.ReadAsync(ct)) list.Add(read(reader.GetString(0)));
        return list;
    }
}
