using ConflictLedger.Server.Broker;
using ConflictLedger.Server.Webhooks;
using JasperFx;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace ConflictLedger.Server.Cluster;

/// <summary>
/// The ledger's background work that must run on exactly one node of a cluster: Wolverine
/// assigns each agent to one live node and moves it when that node stops answering. (The
/// read model projection is a Marten async projection, which Wolverine distributes the
/// same way on its own.)
/// </summary>
/// <param name="relay">Null unless a broker is configured.</param>
public sealed class LedgerAgents(WebhookDispatcher webhooks, BrokerRelay? relay) : IAgentFamily
{
    public const string AgentScheme = "ledger";

    /// <summary>Delivers every webhook: one node at a time, so no webhook is sent twice in parallel.</summary>
    public static readonly Uri Webhooks = new($"{AgentScheme}://webhooks");

    /// <summary>Relays the log to RabbitMQ in order, from one node so the order holds.</summary>
    public static readonly Uri Relay = new($"{AgentScheme}://broker-relay");

    public string Scheme => AgentScheme;

    public ValueTask<IReadOnlyList<Uri>> AllKnownAgentsAsync() =>
        ValueTask.FromResult<IReadOnlyList<Uri>>(relay is null ? [Webhooks] : [Webhooks, Relay]);

    public ValueTask<IReadOnlyList<Uri>> SupportedAgentsAsync() => AllKnownAgentsAsync();

    public ValueTask<IAgent> BuildAgentAsync(Uri uri, IWolverineRuntime wolverineRuntime) => ValueTask.FromResult<IAgent>(
        uri == Webhooks ? new HostedServiceAgent(uri, webhooks, "Delivers webhooks, each from its own checkpoint")
        : uri == Relay && relay is not null ? new HostedServiceAgent(uri, relay, "Relays the log to RabbitMQ in order")
        : throw new ArgumentOutOfRangeException(nameof(uri), uri, "ConflictLedger has no such agent."));

    public ValueTask EvaluateAssignmentsAsync(AssignmentGrid assignments)
    {
        assignments.DistributeEvenly(AgentScheme);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A hosted service that runs where Wolverine places it instead of on every node.</summary>
internal sealed class HostedServiceAgent(Uri uri, IHostedService service, string description) : IAgent
{
    public Uri Uri { get; } = uri;

    public AgentStatus Status { get; private set; } = AgentStatus.Stopped;

    public string Description { get; } = description;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await service.StartAsync(cancellationToken);
        Status = AgentStatus.Running;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await service.StopAsync(cancellationToken);
        Status = AgentStatus.Stopped;
    }
}
