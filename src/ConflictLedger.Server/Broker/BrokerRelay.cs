using ConflictLedger.Log;
using ConflictLedger.Server.Feed;
using RabbitMQ.Client;

namespace ConflictLedger.Server.Broker;

/// <summary>
/// Relays every event of the log, in log order, to RabbitMQ: a topic exchange, routing key =
/// event type, body = the feed's CloudEvent JSON, one persistent message per event. Runs as
/// a ledger agent, so Wolverine keeps it on exactly one node.
/// <para>
/// Written on RabbitMQ.Client rather than Wolverine's durable outbox because the outbox does
/// not keep order across a broker outage (measured: after a broker restart Wolverine's
/// DurableSendingAgent re-sent the queued messages newest first). Here each message waits
/// for the broker's publisher confirm before the next is sent; after a failure the relay
/// reconnects and goes on from the last confirmed event, so a restart of the broker neither
/// reorders nor repeats. The position is stored after each page: a crash of this node
/// repeats at most the page in flight (at-least-once, as webhooks).
/// </para>
/// </summary>
public sealed class BrokerRelay(
    LedgerLog log, LogNotifications notifications, ConflictLedgerOptions options, ILogger<BrokerRelay> logger) : BackgroundService
{
    public const string CheckpointName = "broker-relay";
    private const int PageSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.RabbitMq;
        var position = await log.Checkpoints.LoadAsync(CheckpointName, stoppingToken);
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var factory = new ConnectionFactory { Uri = new Uri(settings.Uri!), AutomaticRecoveryEnabled = false, ClientProvidedName = "conflictledger-relay" };
                await using var connection = await factory.CreateConnectionAsync(stoppingToken);
                await using var channel = await connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken);
                await channel.ExchangeDeclareAsync(settings.Exchange, ExchangeType.Topic, durable: true, cancellationToken: stoppingToken);
                logger.LogInformation("Relaying the log to RabbitMQ exchange {Exchange} from position {Position}", settings.Exchange, position);
                backoff = TimeSpan.FromMilliseconds(200);
                await RelayAsync(channel, settings.Exchange, () => position, p => position = p, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "RabbitMQ relay interrupted at position {Position}; reconnecting in {Delay}", position, backoff);
                try { await Task.Delay(backoff, stoppingToken); } catch (OperationCanceledException) { break; }
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task RelayAsync(IChannel channel, string exchange, Func<LogPosition> position, Action<LogPosition> confirmed, CancellationToken ct)
    {
        var idle = new IdleWait(options.Feed.PollInterval);
        while (!ct.IsCancellationRequested)
        {
            var appended = notifications.NextAsync();
            var page = await log.ReadAllAsync(position(), new ReadAllOptions { Limit = PageSize }, ct).ToListAsync(ct);
            foreach (var e in page)
            {
                var properties = new BasicProperties
                {
                    ContentType = "application/cloudevents+json",
                    DeliveryMode = DeliveryModes.Persistent,
                    MessageId = e.Id.ToString(),
                    Type = e.Type,
                };
                // Returns once the broker confirms it has the message (publisher confirms).
                await channel.BasicPublishAsync(exchange, e.Type, mandatory: false, properties, LedgerCloudEvents.Encode(e, log.Options.Schema), ct);
                confirmed(e.Position);
            }
            if (page.Count > 0)
            {
                await log.Checkpoints.ResetAsync(CheckpointName, position(), ct);
                idle.Reset();
            }
            if (page.Count < PageSize) await idle.WaitAsync(appended, null, ct);
        }
    }
}
