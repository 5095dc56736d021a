using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ConflictLedger.Server.Operations;

/// <summary>
/// OpenTelemetry for the server: our own instruments (<see cref="ConflictLedgerMetrics"/>),
/// ASP.NET Core, outgoing HTTP (webhooks), the .NET runtime and Npgsql, scraped by Prometheus
/// at <c>/metrics</c>. Traces go to an OTLP collector when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set (the OpenTelemetry convention), and nowhere otherwise.
/// </summary>
public static class Telemetry
{
    /// <summary>
    /// Every meter exported: ours, Marten's (its daemon's progress and gaps per projection
    /// shard) and Wolverine's (named after the service: messages, agents, node health).
    /// </summary>
    public static readonly string[] Meters = [ConflictLedgerMetrics.MeterName, "Marten", "Wolverine:" + Cluster.ClusterSetup.ServiceName];

    /// <summary>Every activity source traced, likewise.</summary>
    public static readonly string[] ActivitySources = ["Marten", "Wolverine"];

    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("conflictledger", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(metrics => metrics
                .AddMeter(Meters)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.WithTracing(tracing => tracing
                .AddSource(ActivitySources)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter());
        return services;
    }

    /// <summary>The Prometheus text format of every exported series (open like the other reads).</summary>
    public static IEndpointRouteBuilder MapTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(ScrapePath);
        return app;
    }
}
