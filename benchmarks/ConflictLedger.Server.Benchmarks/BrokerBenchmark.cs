using System.Diagnostics;
using ConflictLedger.Log;
using ConflictLedger.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ConflictLedger.Server.Benchmarks;

/// <summary>
/// The RabbitMQ fan-out against a plain RabbitMQ.Client publisher in the same run, on a
/// broker node of its own: both publish the same CloudEvent bodies, persistent, each
/// waiting for its publisher confirm (the relay's guarantee); the rate is what a bound
/// queue receives, first message to last.
/// </summary>
internal static class BrokerBenchmark
{
    public static async Task<IReadOnlyList<Figure>> RunAsync(string connectionString, int events, CancellationToken ct)
    {
        await using var broker = await RabbitBroker.StartAsync();
        var schema = "bench_rmq_" + Guid.NewGuid().ToString("N")[..12];
        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
        var log = LedgerLog.Create(dataSource, new LogOptions(schema));
        try
        {
            await log.MigrateAsync(ct);
            await using (var append = await log.BeginAsync(ct))
            {
                await append.BulkStartStreamsAsync(Enumerable.Range(0, events).Select(i => (LedgerTestEvents.NewStream(), (IReadOnlyList<EventData>)[LedgerTestEvents.Report(n: i)])).ToList(), ct);
                await append.CommitAsync(ct);
            }
            var bodies = new List<(string Type, byte[] Body)>();
            await foreach (var e in log.ReadAllAsync(LogPosition.Start, ct: ct)) bodies.Add((e.Type, Feed.LedgerCloudEvents.Encode(e, schema)));

            var plain = await ReceiveRateAsync(broker, "plain", bodies.Count, () => PublishPlainAsync(broker, "plain", bodies, ct), ct);
            var relayed = await ReceiveRateAsync(broker, "relayed", bodies.Count, () => RunRelayAsync(connectionString, schema, broker, bodies.Count, ct), ct);
            return
            [
                new("broker fan-out, events/s (persistent, confirmed one by one)",
                    Measure.Format($"{relayed:0} (relay: log -> RabbitMQ, {bodies.Count:N0} events)"),
                    Measure.Format($"plain RabbitMQ.Client publisher of the same bodies: {plain:0}; ratio {relayed / plain:0.00}")),
            ];
        }
        finally
        {
            await log.DisposeAsync();
            await using var drop = dataSource.CreateCommand($"drop schema if exists \"{schema}\" cascade; drop schema if exists \"{schema}_rm1\" cascade");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Binds a queue to the exchange, runs the publisher and measures what arrives, first message to last.</summary>
    private static async Task<double> ReceiveRateAsync(RabbitBroker broker, string exchange, int count, Func<Task> publish, CancellationToken ct)
    {
        var factory = new ConnectionFactory { Uri = broker.Uri };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, cancellationToken: ct);
        var queue = (await channel.QueueDeclareAsync(exchange + "-bench", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "#", cancellationToken: ct);
        var received = 0;
        long first = 0, last = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, _) =>
        {
            if (received == 0) first = Stopwatch.GetTimestamp();
            if (++received == count)
            {
                last = Stopwatch.GetTimestamp();
                done.TrySetResult();
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer, ct);
        var publishing = publish();
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5), ct);
        await publishing;
        return (count - 1) / Stopwatch.GetElapsedTime(first, last).TotalSeconds;
    }

    private static async Task PublishPlainAsync(RabbitBroker broker, string exchange, List<(string Type, byte[] Body)> bodies, CancellationToken ct)
    {
        var factory = new ConnectionFactory { Uri = broker.Uri };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        foreach (var (type, body) in bodies)
        {
            var properties = new BasicProperties { ContentType = "application/cloudevents+json", DeliveryMode = DeliveryModes.Persistent };
            await channel.BasicPublishAsync(exchange, type, mandatory: false, properties, body, ct);
        }
    }

    /// <summary>
    /// The server with the broker configured, until the relay has published the benchmark's
    /// events (they come first in the log; the seed the server imports at start follows them).
    /// </summary>
    private static async Task RunRelayAsync(string connectionString, string schema, RabbitBroker broker, int count, CancellationToken ct)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConflictLedger:Database"] = connectionString,
            ["ConflictLedger:Schema"] = schema,
            ["ConflictLedger:RabbitMq:Uri"] = broker.Uri.ToString(),
            ["ConflictLedger:RabbitMq:Exchange"] = "relayed",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var app = ConflictLedgerServer.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
        });
        await app.StartAsync(ct);
        var checkpoint = log(connectionString, schema);
        while ((await checkpoint()).Value < count) await Task.Delay(50, ct);
        await app.StopAsync(ct);

        static Func<Task<LogPosition>> log(string connectionString, string schema) => async () =>
        {
            await using var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
            await using var command = dataSource.CreateCommand($"select coalesce((select position from \"{schema}\".checkpoints where name = 'broker-relay'), 0)");
            return new LogPosition((long)(await command.ExecuteScalarAsync())!);
        };
    }
}
