using ConflictLedger.Control;
using ConflictLedger.ReadModel;
using Npgsql;

namespace ConflictLedger.Tests.Control;

/// <summary>Reads a read model generation back as comparable text (intervals with the claims they cite, occurrences with their summary columns), leaving out log positions (which differ with append order).</summary>
internal static class ReadModelDump
{
    public static async Task<string> OfAsync(NpgsqlDataSource dataSource, string schema)
    {
        var intervals = new List<string>();
        await using (var command = dataSource.CreateCommand($"select {ReadModelSql.Interval("i")}, {new ReadModelSql(schema).CitedClaims} from \"{schema}\".control_intervals i"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var interval = StoredInterval.Read(reader.GetString(0), reader.GetFieldValue<string[]>(1));
                intervals.Add(Json.Serialize(interval with { Evidence = interval.Evidence.Select(e => e with { Position = 0 }).ToList() }));
            }
        }
        var occurrences = new List<string>();
        await using (var command = dataSource.CreateCommand($"select concat_ws(' ', doc, places, kinds, actors, earliest, latest) from \"{schema}\".occurrences"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) occurrences.Add(reader.GetString(0));
        }
        var claims = new List<string>();
        await using (var command = dataSource.CreateCommand($"select concat_ws(' ', event_id, landmark, known_from, coalesce(superseded_from::text, '-'), earliest, latest) from \"{schema}\".control_claims"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) claims.Add(reader.GetString(0));
        }
        return string.Join('\n', intervals.Order(StringComparer.Ordinal).Concat(occurrences.Order(StringComparer.Ordinal)).Concat(claims.Order(StringComparer.Ordinal)));
    }

    public static async Task<string> ActiveAsync(LedgerFixture ledger) =>
        await OfAsync(ledger.DataSource, await ledger.ReadModels.ActiveSchemaAsync());
}
