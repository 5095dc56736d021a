using Wolverine.Runtime;

namespace ConflictLedger.Server.Cluster;

/// <summary>Which node this is and which agents run on it, for operators and for the failover test.</summary>
public static class ClusterApi
{
    public sealed record NodeAgents(Guid Node, int NodeNumber, IReadOnlyList<string> Agents);

    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/agents", (IWolverineRuntime runtime) => TypedResults.Ok(new NodeAgents(
                runtime.Options.UniqueNodeId,
                runtime.Options.Durability.AssignedNodeNumber,
                runtime.Agents.AllRunningAgentUris().Select(u => u.ToString()).Order(StringComparer.Ordinal).ToList())))
            .WithTags("Health")
            .WithSummary("This node and the agents (read model projection, webhook delivery, broker relay) running on it.");
        return app;
    }
}
