using JasperFx.CodeGeneration;
using ConflictLedger.Server.Broker;
using ConflictLedger.Server.Webhooks;
using JasperFx.Core;
using Wolverine;
using Wolverine.Runtime.Agents;

namespace ConflictLedger.Server.Cluster;

/// <summary>
/// Several server nodes on one PostgreSQL: Wolverine (its tables live in the ledger's
/// schema, next to Marten's) keeps a record of the live nodes and places every agent on
/// exactly one of them.
/// </summary>
public static class ClusterSetup
{
    /// <summary>The node's service name in Wolverine (and its meter, "Wolverine:ConflictLedger").</summary>
    public const string ServiceName = "ConflictLedger";

    public static void UseCluster(this WolverineOptions wolverine, ConflictLedgerOptions options)
    {
        wolverine.ServiceName = ServiceName;
        wolverine.Durability.Mode = DurabilityMode.Balanced;
        // Tuned for failover in seconds rather than a minute (measured: ../shared/research/
        // wolverine.md): nodes report every second, a node silent for 5 s is dead, and
        // assignments are checked every second.
        wolverine.Durability.HealthCheckPollingTime = 1.Seconds();
        wolverine.Durability.FirstHealthCheckExecution = TimeSpan.Zero;
        wolverine.Durability.StaleNodeTimeout = 5.Seconds();
        wolverine.Durability.CheckAssignmentPeriod = 1.Seconds();
        // An agent that fails while the database is away (the read model's projection, say) is
        // started again with a backoff that Wolverine lets grow to 5 minutes, and after 3 failed
        // starts it is released with a 10-minute embargo on the node: on one node that is a read
        // model stopped for minutes after the database is back. Bounded to seconds here.
        wolverine.Durability.TransientFailureRestartMaxBackoff = 10.Seconds();
        wolverine.Durability.AgentReleaseCooldown = 30.Seconds();
        wolverine.Services.AddSingleton<IAgentFamily>(sp => new LedgerAgents(
            sp.GetRequiredService<WebhookDispatcher>(), options.RabbitMq.Uri is null ? null : sp.GetRequiredService<BrokerRelay>()));
        // The ledger has no message handlers of its own, so there is no code to generate;
        // Static mode keeps Roslyn out of the process (and seconds off start-up).
        wolverine.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
    }
}
