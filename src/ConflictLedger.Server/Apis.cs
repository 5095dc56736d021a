using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using ConflictLedger.Server.ApiDescription;
using ConflictLedger.Server.Catalog;
using ConflictLedger.Server.Control;
using ConflictLedger.Server.Health;
using ConflictLedger.Server.ReadModel;
using ConflictLedger.Server.Reports;

namespace ConflictLedger.Server;

/// <summary>
/// The extension point for the domain areas (reports, control, timeline, catalog). Each
/// area adds its services and endpoints here, nowhere else, so <see cref="ConflictLedgerServer"/>
/// stays the one place that decides the pipeline: API-key checks, rate limits, body size
/// limits and problem details already apply to everything mapped below.
/// </summary>
public static class Apis
{
    /// <summary>
    /// Runs after the server's own services, so hosted services added here start after the
    /// schema is migrated and the log notifications listen. Readiness checks:
    /// <c>services.AddSingleton&lt;IReadinessCheck, ProjectionLagCheck&gt;();</c>
    /// </summary>
    public static IServiceCollection AddApiServices(this IServiceCollection services, ConflictLedgerOptions options)
    {
        _ = options;
        services.AddSingleton(sp => new ReadModelStore(sp.GetRequiredService<LedgerLog>(), sp.GetRequiredService<ILogger<ReadModelStore>>()));
        services.AddSingleton(sp => new ReadModelDaemon(sp.GetRequiredService<ReadModelStore>(), sp.GetRequiredService<ILogger<ReadModelDaemon>>()));
        services.AddSingleton(sp => new ControlQueries(sp.GetRequiredService<ReadModelStore>()));
        services.AddSingleton(sp => new OccurrenceService(sp.GetRequiredService<LedgerLog>()));
        services.AddSingleton<CatalogCache>();
        // The seed is imported before the daemon starts and before the server listens.
        services.AddHostedService<SeedImport>();
        services.AddHostedService<ReadModelService>();
        services.AddSingleton<IReadinessCheck, ProjectionLagCheck>();
        services.AddApiDocumentation();
        return services;
    }

    /// <summary>Writes (POST/PUT/PATCH/DELETE) under /api need an API key; reads are open unless RequireKeyForReads.</summary>
    public static IEndpointRouteBuilder MapApis(this IEndpointRouteBuilder app)
    {
        app.MapReportsApi();
        app.MapControlApi();
        app.MapCatalogApi();
        app.MapReadModelApi();
        app.MapApiDocumentation();
        return app;
    }
}
