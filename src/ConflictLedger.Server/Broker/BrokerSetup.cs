namespace ConflictLedger.Server.Broker;

/// <summary>Opt-in fan-out to RabbitMQ: set <c>ConflictLedger:RabbitMq:Uri</c>.</summary>
public sealed class RabbitMqOptions
{
    /// <summary>e.g. amqp://guest:guest@127.0.0.1:5672; null leaves the broker out.</summary>
    public string? Uri { get; set; }

    /// <summary>The topic exchange every event is published to, with its type as the routing key.</summary>
    public string Exchange { get; set; } = "conflictledger.events";
}

public static class BrokerSetup
{
    public static IServiceCollection AddBroker(this IServiceCollection services) => services.AddSingleton<BrokerRelay>();
}
