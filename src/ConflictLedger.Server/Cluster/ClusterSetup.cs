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
        wolverine.Services.AddSingleton<IAgentFamily>(sp => new LedgerAgents(
            sp.GetRequiredService<WebhookDispatcher>(), options.RabbitMq.Uri is null ? null : sp.GetRequiredService<BrokerRelay>()));
        // The ledger has no message handlers of its own, so there is no code to generate;
        // Static mode keeps Roslyn out of the process (and seconds off start-up).
        wolverine.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
    }
}
