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
        // services.AddHostedService<ProjectionDaemon>();
        // services.AddSingleton<IReadinessCheck, ProjectionLagCheck>();
        return services;
    }

    /// <summary>Writes (POST/PUT/PATCH/DELETE) under /api need an API key; reads are open unless RequireKeyForReads.</summary>
    public static IEndpointRouteBuilder MapApis(this IEndpointRouteBuilder app)
    {
        // app.MapReportsApi();
        // app.MapControlApi();
        // app.MapCatalogApi();
        return app;
    }
}
