using ConflictLedger.Control;
using ConflictLedger.ReadModel;
using Npgsql;

namespace ConflictLedger.Tests.Control;

/// <summary>Reads a read model generation back as comparable text (intervals with the claims they cite, occurrences with their summary columns), leaving out log positions (which differ with append order).</summary>
internal static class ReadModelDump
{
    public static async Task<string> OfAsync(NpgsqlDataSource dataSource, string schema)
    {
        var intervals = (await IntervalsAsync(dataSource, schema))
            .Select(interval => Json.Serialize(interval with { Evidence = interval.Evidence.Select(e => e with { Position = 0 }).ToList() }))
            .ToList();
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

    /// <summary>Every stored interval of the generation, read as queries read them.</summary>
    public static async Task<List<ControlInterval>> IntervalsAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand(new ReadModelSql(schema).IntervalsOfMany);
        command.Parameters.Add(new NpgsqlParameter { Value = await LandmarksWithIntervalsAsync(dataSource, schema) });
        await using var reader = await command.ExecuteReaderAsync();
        return await StoredInterval.ReadAllAsync(reader, CancellationToken.None);
    }

    private static async Task<string[]> LandmarksWithIntervalsAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"select array(select distinct landmark from \"{schema}\".control_intervals)");
        return (string[])(await command.ExecuteScalarAsync())!;
    }

    public static async Task<string> ActiveAsync(LedgerFixture ledger) =>
        await OfAsync(ledger.DataSource, await ledger.ReadModels.ActiveSchemaAsync());
}
