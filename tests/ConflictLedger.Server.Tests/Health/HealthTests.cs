using System.Net;
using System.Text.Json;
using ConflictLedger.Server.Health;

namespace ConflictLedger.Server.Tests.Health;

public sealed class HealthTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private sealed class FailingCheck : IReadinessCheck
    {
        public Task<(bool Ready, string Detail)> CheckAsync(CancellationToken ct) =>
            Task.FromResult((false, "projection 'control' is 12000 events behind"));
    }

    [Fact]
    public async Task live_is_200()
    {
        using var response = await server.Client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ready_is_200_when_the_database_is_reachable_and_migrated()
    {
        using var response = await server.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ready_is_503_naming_the_check_when_a_registered_check_fails()
    {
        await using var lagging = await server.StartServerAsync(services: s => s.AddSingleton<IReadinessCheck, FailingCheck>());

        using var response = await lagging.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var failing = report.GetProperty("checks").EnumerateArray().Single(c => !c.GetProperty("ready").GetBoolean());
        Assert.Equal(nameof(FailingCheck), failing.GetProperty("name").GetString());
        Assert.Contains("behind", failing.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ready_is_503_when_the_schema_is_behind()
    {
        await using (var rollback = server.DataSource.CreateCommand($"delete from \"{server.Schema}\".migrations where module = 'server'"))
            await rollback.ExecuteNonQueryAsync();
        try
        {
            using var response = await server.Client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            await using var restore = server.DataSource.CreateCommand($"insert into \"{server.Schema}\".migrations (module, script) values ('server', '001_server.sql')");
            await restore.ExecuteNonQueryAsync();
        }
    }
}
