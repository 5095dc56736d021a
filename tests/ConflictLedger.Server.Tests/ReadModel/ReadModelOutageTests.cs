using System.Text.Json;
using ConflictLedger.Log;
using ConflictLedger.ReadModel;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.ReadModel;

/// <summary>
/// PostgreSQL stops for 10 s, twice, under a running server: afterwards exactly one
/// projection runs and it catches up by itself. The database is a cluster of this test's own.
/// </summary>
public sealed class ReadModelOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task after_two_database_outages_one_projection_runs_and_catches_up_by_itself()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var schema = TestDatabase.NewSchemaName("rmout");
        var log = new RecentLog();
        await using var server = await RunningServer.StartAsync(schema, new Dictionary<string, string?> { ["ConflictLedger:Database"] = cluster.ConnectionString },
            services => services.AddSingleton<ILoggerProvider>(log));
        await using var dataSource = cluster.CreateDataSource("rm-outage-test");
        var store = LedgerLog.Create(dataSource, new LogOptions(schema));
        var appended = new List<string>();

        for (var outage = 0; outage < 2; outage++)
        {
            appended.AddRange(await AppendAsync(store, 30));
            await cluster.StopAsync();
            await Task.Delay(Outage); // the outage itself, not a wait for a result
            await cluster.StartAgainAsync();
            dataSource.Clear();
        }
        appended.AddRange(await AppendAsync(store, 30));

        var head = (await store.HeadAsync()).Value;
        var last = "";
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                using var answer = await server.Client.GetAsync($"/api/control?at=2015-06-12&minPosition={head}");
                last = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
                return answer.IsSuccessStatusCode;
            }, "the read model caught up after the outages", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // What the service said last, which agents it runs and what it logged: where it stalled, for whoever reads the failure.
            throw new TimeoutException(
                $"The read model had not reached {head} 60 s after the outages. Last answer: {last}. Agents: {await server.Client.GetStringAsync("/health/agents")}\nThe server's last log lines:\n{log}");
        }

        using (var agents = JsonDocument.Parse(await server.Client.GetStringAsync("/health/agents")))
            Assert.Single(agents.RootElement.GetProperty("agents").EnumerateArray(), a => a.GetString()!.Contains("read-model", StringComparison.Ordinal));
        // Projected once each, and a rebuild gives the same read model.
        var readModels = new ReadModelStore(store);
        await using (var projected = dataSource.CreateCommand($"select count(*) from \"{await readModels.ActiveSchemaAsync()}\".occurrences where id = any($1)"))
        {
            projected.Parameters.AddWithValue(appended.ToArray());
            Assert.Equal(appended.Count, (long)(await projected.ExecuteScalarAsync())!);
        }
        var incremental = await DumpAsync(dataSource, await readModels.ActiveSchemaAsync());
        await readModels.RebuildAsync();
        Assert.Equal(incremental, await DumpAsync(dataSource, await readModels.ActiveSchemaAsync()));
        await store.DisposeAsync();
    }

    /// <summary>Appends reports of new occurrences, each in its own transaction; returns the occurrence ids.</summary>
    private static async Task<List<string>> AppendAsync(LedgerLog store, int count)
    {
        var ids = new List<string>();
        foreach (var e in LedgerTestEvents.Reports(count))
        {
            await store.AppendAsync(LedgerTestEvents.NewStream(), ExpectedVersion.NoStream, [e]);
            ids.Add(JsonDocument.Parse(e.Data).RootElement.GetProperty("occurrenceId").GetString()!);
        }
        return ids;
    }

    private static async Task<string> DumpAsync(Npgsql.NpgsqlDataSource dataSource, string generation)
    {
        await using var command = dataSource.CreateCommand($"""
            select string_agg(x, E'\n' order by x) from (
              select 'o ' || id || ' ' || doc::text as x from "{generation}".occurrences
              union all select 'c ' || event_id || ' ' || landmark || ' ' || coalesce(superseded_from::text, '-') from "{generation}".control_claims
              union all select 'i ' || landmark || ' ' || coalesce(valid_from::text, '-') || ' ' || interval::text from "{generation}".control_intervals) all_rows
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
