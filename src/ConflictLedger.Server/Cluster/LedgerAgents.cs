using ConflictLedger.Server.Webhooks;
using JasperFx;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace ConflictLedger.Server.Cluster;

/// <summary>
/// The ledger's background work that must run on exactly one node of a cluster: Wolverine
/// assigns each agent to one live node and moves it when that node stops answering. (The
/// read model projection and the broker relay are Marten subscriptions, which Wolverine
/// distributes the same way on its own.)
/// </summary>
public sealed class LedgerAgents(WebhookDispatcher webhooks) : IAgentFamily
{
    public const string AgentScheme = "ledger";

    /// <summary>Delivers every webhook: one node at a time, so no webhook is sent twice in parallel.</summary>
    public static readonly Uri Webhooks = new($"{AgentScheme}://webhooks");

    public string Scheme => AgentScheme;

    public ValueTask<IReadOnlyList<Uri>> AllKnownAgentsAsync() => ValueTask.FromResult<IReadOnlyList<Uri>>([Webhooks]);

    public ValueTask<IReadOnlyList<Uri>> SupportedAgentsAsync() => AllKnownAgentsAsync();

    public ValueTask<IAgent> BuildAgentAsync(Uri uri, IWolverineRuntime wolverineRuntime) =>
        uri == Webhooks
            ? ValueTask.FromResult<IAgent>(new HostedServiceAgent(uri, webhooks, "Delivers webhooks, each from its own checkpoint"))
            : throw new ArgumentOutOfRangeException(nameof(uri), uri, "ConflictLedger has no such agent.");

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
