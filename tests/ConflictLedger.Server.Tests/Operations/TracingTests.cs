using System.Net;

namespace ConflictLedger.Server.Tests.Operations;

public sealed class TracingTests(TracingTests.Fixture server) : IClassFixture<TracingTests.Fixture>
{
    /// <summary>Nothing listens at the collector's address: the exporter's failures stay in the background.</summary>
    public sealed class Fixture : ServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
        };
    }

    [Fact]
    public async Task with_an_otlp_endpoint_set_the_server_traces_and_still_serves_requests_and_metrics()
    {
        using var read = await server.Client.GetAsync("/api/catalog/actors");
        using var scrape = await server.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.NotNull(server.Server.App.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
    }
}
