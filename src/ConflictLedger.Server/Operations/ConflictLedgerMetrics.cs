using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ConflictLedger.Server.Operations;

/// <summary>
/// The server's instruments, on the "ConflictLedger" meter: exported by OpenTelemetry
/// (<see cref="Telemetry"/>, Prometheus at /metrics), readable with dotnet-counters too. Projection daemons report their lag through
/// <see cref="SetProjectionLag"/>; the gauge publishes the latest value of each.
/// </summary>
public sealed class ConflictLedgerMetrics
{
    public const string MeterName = "ConflictLedger";

    private readonly Counter<long> appended;
    private readonly Counter<long> delivered;
    private readonly Counter<long> deliveryFailures;
    private readonly Counter<long> disabled;
    private readonly UpDownCounter<long> liveClients;
    private readonly ConcurrentDictionary<string, long> projectionLag = new(StringComparer.Ordinal);

    public ConflictLedgerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        appended = meter.CreateCounter<long>("conflictledger.events.appended", "{event}", "Events appended through the server.");
        delivered = meter.CreateCounter<long>("conflictledger.webhooks.delivered", "{event}", "Events delivered to webhooks (requests answered with 2xx; a batch counts its events).");
        deliveryFailures = meter.CreateCounter<long>("conflictledger.webhooks.failed", "{delivery}", "Webhook deliveries that failed and will be retried.");
        disabled = meter.CreateCounter<long>("conflictledger.webhooks.disabled", "{webhook}",
            "Webhooks disabled after repeated failure: their undelivered events wait, like dead letters, for a resume or replay.");
        liveClients = meter.CreateUpDownCounter<long>("conflictledger.feed.live_clients", "{client}", "Open server-sent-event connections.");
        meter.CreateObservableGauge("conflictledger.projections.lag",
            () => projectionLag.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("projection", p.Key))),
            "{event}", "Events in the log that a projection has not handled yet.");
        meter.CreateObservableGauge("conflictledger.read_model.dead_letters", () => Interlocked.Read(ref deadLetters),
            "{event}", "Events the read model set aside because it could not project them (GET /api/read-model/dead-letters says why).");
    }

    private long deadLetters;

    public void SetDeadLetters(long count) => Interlocked.Exchange(ref deadLetters, count);

    public void EventsAppended(long count) => appended.Add(count);

    public void WebhookDelivered(int events) => delivered.Add(events);

    public void WebhookFailed() => deliveryFailures.Add(1);

    public void WebhookDisabled() => disabled.Add(1);

    public void LiveClientConnected() => liveClients.Add(1);

    public void LiveClientDisconnected() => liveClients.Add(-1);

    public void SetProjectionLag(string projection, long events) => projectionLag[projection] = events;
}
