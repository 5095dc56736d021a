using System.Collections.Concurrent;
using System.Text.Json;
using ConflictLedger.Log;
using ConflictLedger.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ConflictLedger.Server.Tests.Broker;

/// <summary>The opt-in RabbitMQ fan-out against a real broker, read by a plain AMQP consumer.</summary>
public sealed class BrokerRelayTests : IAsyncLifetime
{
    private const string Exchange = "conflictledger.events";
    private readonly string schema = TestDatabase.NewSchemaName("rmq");
    private readonly Npgsql.NpgsqlDataSource dataSource = TestDatabase.CreateDataSource("test-rmq");
    private RabbitBroker broker = null!;

    public async Task InitializeAsync() => broker = await RabbitBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await broker.DisposeAsync();
        await TestDatabase.DropSchemaAsync(dataSource, schema);
        await dataSource.DisposeAsync();
    }

    [Fact]
    public async Task a_bound_queue_receives_every_event_once_in_log_order_across_a_broker_restart()
    {
        var received = new ConcurrentQueue<(string RoutingKey, string ContentType, long Position, Guid Id)>();
        var factory = new ConnectionFactory { Uri = broker.Uri, AutomaticRecoveryEnabled = true, NetworkRecoveryInterval = TimeSpan.FromMilliseconds(500) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // The integrator's own durable queue, bound to every type.
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true);
        await channel.QueueDeclareAsync("integrator", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync("integrator", Exchange, "#");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var json = JsonDocument.Parse(delivery.Body);
            received.Enqueue((delivery.RoutingKey, delivery.BasicProperties.ContentType ?? "",
                json.RootElement.GetProperty("position").GetInt64(), json.RootElement.GetProperty("id").GetGuid()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync("integrator", autoAck: true, consumer);

        await using var server = await RunningServer.StartAsync(schema, new Dictionary<string, string?> { ["ConflictLedger:RabbitMq:Uri"] = broker.Uri.ToString() });
        await using var store = LedgerLog.Create(dataSource, new LogOptions(schema));
        for (var i = 0; i < 150; i++) await store.AppendAsync(LedgerTestEvents.NewStream(), ExpectedVersion.NoStream, [LedgerTestEvents.Report(n: i)]);
        await broker.RestartAsync();
        for (var i = 0; i < 150; i++) await store.AppendAsync(LedgerTestEvents.NewStream(), ExpectedVersion.NoStream, [LedgerTestEvents.Report(n: i)]);

        var log = await store.ReadAllAsync(LogPosition.Start).ToListAsync();
        await Eventually.TrueAsync(() => received.Count >= log.Count, $"{log.Count} events through the broker", TimeSpan.FromSeconds(90));

        var got = received.ToList();
        Assert.Equal(log.Select(e => e.Id), got.Select(m => m.Id));
        Assert.Equal(log.Select(e => e.Position.Value), got.Select(m => m.Position));
        Assert.Equal(log.Select(e => e.Type), got.Select(m => m.RoutingKey));
        Assert.All(got, m => Assert.Equal("application/cloudevents+json", m.ContentType));
    }
}
