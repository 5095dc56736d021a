using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ConflictLedger.Log;
using ConflictLedger.Server.Tests.Webhooks;
using ConflictLedger.Testing;
using Xunit.Abstractions;

namespace ConflictLedger.Server.Tests.Cluster;

/// <summary>Two real server processes on one database: each agent runs on one node, and moves when that node dies.</summary>
public sealed class TwoNodesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Webhooks = "ledger://webhooks/";

    private readonly string schema = TestDatabase.NewSchemaName("nodes");
    private readonly Npgsql.NpgsqlDataSource dataSource = TestDatabase.CreateDataSource("test-nodes");
    private LedgerLog store = null!;

    public Task InitializeAsync()
    {
        store = LedgerLog.Create(dataSource, new LogOptions(schema));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        await TestDatabase.DropSchemaAsync(dataSource, schema);
        await dataSource.DisposeAsync();
    }

    [Fact]
    public async Task each_agent_runs_on_one_node_and_moves_to_the_survivor_when_its_node_is_killed()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await using var a = await ServerProcess.StartAsync(schema);
        await using var b = await ServerProcess.StartAsync(schema);
        ServerProcess[] nodes = [a, b];

        // Every agent placed, each on exactly one node.
        Dictionary<string, ServerProcess> owners = [];
        await Eventually.TrueAsync(async () =>
        {
            owners = await OwnersAsync(nodes);
            return owners.ContainsKey(Webhooks) && owners.Keys.Any(IsReadModel);
        }, "agents placed", TimeSpan.FromSeconds(30));

        using (var created = await b.Writer.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url }))
            created.EnsureSuccessStatusCode();
        var before = await AppendAsync(20);
        await Eventually.TrueAsync(() => Delivered(receiver, before), "first deliveries");

        var victim = owners[Webhooks];
        var survivor = nodes.Single(n => n != victim);
        var moving = owners.Where(o => o.Value == victim).Select(o => o.Key).ToList();
        var clock = Stopwatch.StartNew();
        victim.KillHard();
        var after = await AppendAsync(20);

        await Eventually.TrueAsync(async () => moving.All((await survivor.AgentsAsync()).Contains), "agents moved to the survivor", TimeSpan.FromSeconds(15));
        output.WriteLine($"{string.Join(", ", moving)} moved to the survivor {clock.Elapsed.TotalSeconds:0.0} s after kill -9");

        await Eventually.TrueAsync(() => Delivered(receiver, before.Concat(after)), "deliveries after the failover", TimeSpan.FromSeconds(30));
        var deliveries = receiver.Delivered.GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.Count());
        // At-least-once: only a delivery in flight at the kill may come twice.
        Assert.True(deliveries.Values.Count(n => n > 1) <= 1, $"{deliveries.Values.Count(n => n > 1)} events delivered twice");
        Assert.Equal(before.Concat(after).Select(e => e.ToString()).Order(), deliveries.Keys.Order());

        // The read model follows the log on the survivor whichever node ran it.
        var head = (await store.HeadAsync()).Value;
        using var answer = await survivor.Client.GetAsync($"/api/control?at=2015-06-12&minPosition={head}");
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
    }

    private static bool IsReadModel(string agent) => agent.Contains("read-model", StringComparison.Ordinal);

    private static bool Delivered(TestReceiver receiver, IEnumerable<Guid> ids)
    {
        var delivered = receiver.Delivered.Select(c => c.Id).ToHashSet();
        return ids.All(id => delivered.Contains(id.ToString()));
    }

    private async Task<List<Guid>> AppendAsync(int count)
    {
        var events = LedgerTestEvents.Reports(count);
        foreach (var e in events) await store.AppendAsync(LedgerTestEvents.NewStream(), ExpectedVersion.NoStream, [e]);
        return events.Select(e => e.Id).ToList();
    }

    /// <summary>Which node runs each agent; fails when two nodes run the same one.</summary>
    private static async Task<Dictionary<string, ServerProcess>> OwnersAsync(IEnumerable<ServerProcess> nodes)
    {
        var owners = new Dictionary<string, ServerProcess>();
        foreach (var node in nodes)
            foreach (var agent in await node.AgentsAsync())
                Assert.True(owners.TryAdd(agent, node), $"{agent} runs on two nodes");
        return owners;
    }
}
