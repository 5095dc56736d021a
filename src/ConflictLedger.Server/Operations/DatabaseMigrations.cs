using ConflictLedger.Log;
using ConflictLedger.ReadModel;
using ConflictLedger.Schema;
using ConflictLedger.Server.Health;

namespace ConflictLedger.Server.Operations;

/// <summary>
/// Applies Marten's schema, the ledger's and the server's own tables at start-up. It is the first
/// hosted service, and hosted services start before Kestrel listens, so no request or
/// background loop ever meets a missing table.
/// </summary>
public sealed class DatabaseMigrations(LedgerLog store, ReadModelStore readModels, StartupTimeline timeline, ILogger<DatabaseMigrations> logger) : IHostedService
{
    /// <summary>The module name of the server's own scripts (Schema/*.sql in this assembly).</summary>
    public const string Module = "server";

    public async Task StartAsync(CancellationToken cancellationToken) => await MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task MigrateAsync(CancellationToken ct)
    {
        await store.MigrateAsync(ct);
        // Marten's schema diff, the first-version carry-over check and the log's own scripts.
        timeline.Mark("log schema");
        var ran = new List<string>(await SqlScripts.MigrateAsync(store.DataSource, store.Options.Schema, typeof(DatabaseMigrations).Assembly, Module, ct));
        if (ran.Count > 0)
            logger.LogInformation("Applied {Count} schema scripts to {Schema}: {Scripts}", ran.Count, store.Options.Schema, ran);
        // The read model's first generation, before the projection (wherever it runs) writes to it.
        await readModels.EnsureAsync(ct);
    }

    public async Task<bool> IsCurrentAsync(CancellationToken ct) =>
        await store.IsMigratedAsync(ct)
        && await SqlScripts.IsCurrentAsync(store.DataSource, store.Options.Schema, typeof(DatabaseMigrations).Assembly, Module, ct);
}
