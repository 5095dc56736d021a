using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using ConflictLedger.Server.Operations;
using ConflictLedger.Server.Tests.Webhooks;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.Operations;

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

    public void Dispose() => listener.Dispose();
}
