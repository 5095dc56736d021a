using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using ConflictLedger.Server.Operations;
using ConflictLedger.Server.Tests.Webhooks;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.Operations;

/// <summary>
/// Runs alone: OpenTelemetry merges same-named instruments of every server in the process
/// into one stream and ends it when any of their meters is disposed, so another test
/// class stopping its server mid-scrape would blank this server's series. One server per
/// process, as in production, never meets that.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsTests))]
public sealed class MetricsTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, object? Projection)> measurements = new();

    /// <summary>Listens to this test's server only: every server has its own meter factory.</summary>
    private void Listen()
    {
        var factory = server.Server.App.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ConflictLedgerMetrics.MeterName && instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            object? projection = null;
            foreach (var tag in tags) if (tag.Key == "projection") projection = tag.Value;
            measurements.Enqueue((instrument.Name, value, projection));
        });
        listener.Start();
    }

    private long Sum(string instrument) => measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    [Fact]
    public async Task webhook_deliveries_and_failures_are_counted()
    {
        Listen();
        await using var receiver = await TestReceiver.StartAsync(call => call == 1 ? 500 : 200);
        using var created = await server.Writer.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await server.Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence());
        await Eventually.TrueAsync(() => Sum("conflictledger.webhooks.delivered") == 2, "two deliveries counted");

        Assert.Equal(1, Sum("conflictledger.webhooks.failed"));
    }

    [Fact]
    public void projection_lag_is_published_per_projection()
    {
        Listen();
        var metrics = server.Server.App.Services.GetRequiredService<ConflictLedgerMetrics>();
        metrics.SetProjectionLag("control", 42);

        listener.RecordObservableInstruments();

        Assert.Contains(("conflictledger.projections.lag", 42L, (object?)"control"), measurements);
    }

    [Fact]
    public async Task reports_through_the_api_are_counted_as_appends_and_the_read_model_lag_is_published()
    {
        Listen();
        await Eventually.TrueAsync(async () => (await server.Client.GetAsync("/api/catalog/lookup?name=MSC")).IsSuccessStatusCode, "catalog projected");
        using var report = await server.Writer.PostAsJsonAsync("/api/occurrences", new
        {
            account = new
            {
                kind = "armed-clash",
                when = new { earliest = "2015-06-11" },
                place = "Derna",
                actors = new[] { new { actor = "MSC", role = "side" } },
                source = new { outlet = "Test wire", quote = "Fighting in Derna." },
            },
        });
        Assert.Equal(HttpStatusCode.Created, report.StatusCode);
        Assert.Equal(1, Sum("conflictledger.events.appended"));

        // The server publishes the read model's own lag, measured against the log.
        await Eventually.TrueAsync(() =>
        {
            listener.RecordObservableInstruments();
            return measurements.Any(m => m.Instrument == "conflictledger.projections.lag" && Equals(m.Projection, "read-model"));
        }, "read model lag published");
    }

    [Fact]
    public async Task a_webhook_disabled_after_repeated_failure_is_counted()
    {
        Listen();
        await using var receiver = await TestReceiver.StartAsync(_ => 500);
        using var created = await server.Writer.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await server.Store.AppendEachAsync(TestEvents.Occurrence());

        // The test server disables a webhook after 4 failures in a row.
        await Eventually.TrueAsync(() => Sum("conflictledger.webhooks.disabled") == 1, "the disabled webhook counted");
        Assert.Equal(4, receiver.Calls.Count);
    }

    /// <summary>
    /// Prometheus names: dots become underscores, counters end in _total. The scrape shows every
    /// server of the test process (they share the meter names), so it checks the series exist
    /// and that this server's work moves them.
    /// </summary>
    [Fact]
    public async Task the_metrics_endpoint_serves_the_ledger_series_with_aspnetcore_runtime_and_npgsql_in_prometheus_text()
    {
        await using var receiver = await TestReceiver.StartAsync();
        using var created = await server.Writer.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url });
        await server.Store.AppendEachAsync(TestEvents.Occurrence());
        await Eventually.TrueAsync(() => receiver.Delivered.Count == 1, "one delivery");
        await using var live = await Feed.SseClient.ConnectAsync(server.Client, "/feed/live");

        string text = "";
        await Eventually.TrueAsync(async () =>
        {
            using var response = await server.Client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
            text = await response.Content.ReadAsStringAsync();
            return Value(text, "conflictledger_webhooks_delivered_total") >= 1 && Value(text, "conflictledger_feed_live_clients") >= 1
                && Value(text, "marten_read_model_all_processed_total") >= 1;
        }, "the delivery, the live client and the daemon's progress scraped");

        // Marten's daemon: events processed and the gap to the high-water mark, per projection shard.
        Assert.Contains("marten_read_model_all_gap_bucket{", text);
        Assert.Contains("conflictledger_read_model_dead_letters{", text);

        Assert.Contains("# TYPE conflictledger_events_appended_total counter", text);
        Assert.Contains("conflictledger_projections_lag{", text);
        Assert.Contains("http_server_request_duration_seconds", text);
        Assert.Contains("dotnet_gc_collections_total", text);
        Assert.Contains("db_client_operation_duration_seconds", text);
    }

    /// <summary>The sum of a series' samples in Prometheus text.</summary>
    private static double Value(string text, string series) => text.Split('\n')
        .Where(line => line.StartsWith(series + " ", StringComparison.Ordinal) || line.StartsWith(series + "{", StringComparison.Ordinal))
        .Sum(line => double.Parse(line.Split(' ')[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => listener.Dispose();
}
