using ConflictLedger.Server.Operations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConflictLedger.Server.Health;

public sealed record CheckResult(string Name, bool Ready, string Detail);

public sealed record ReadinessReport(string Status, IReadOnlyList<CheckResult> Checks);

/// <summary>
/// Liveness says the process answers; readiness says it can do its work (database reachable,
/// schema current, plus every registered <see cref="IReadinessCheck"/>).
/// </summary>
public static class HealthApi
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddHealth(this IServiceCollection services) =>
        services.AddSingleton<IReadinessCheck, SchemaReadiness>();

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", Live).WithName("Live").WithSummary("200 while the process runs.");
        health.MapGet("/ready", Ready).WithName("Ready").WithSummary("200 when every readiness check passes, else 503 with the failing checks.");
        return app;
    }

    private static Ok<ReadinessReport> Live() => TypedResults.Ok(new ReadinessReport("live", []));

    private static async Task<Results<Ok<ReadinessReport>, JsonHttpResult<ReadinessReport>>> Ready(
        IEnumerable<IReadinessCheck> checks, CancellationToken ct)
    {
        var results = await Task.WhenAll(checks.Select(check => RunAsync(check, ct)));
        var report = new ReadinessReport(results.All(r => r.Ready) ? "ready" : "not-ready", results);
        return results.All(r => r.Ready)
            ? TypedResults.Ok(report)
            : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>A check that throws or hangs reports not-ready instead of failing the probe.</summary>
    private static async Task<CheckResult> RunAsync(IReadinessCheck check, CancellationToken ct)
    {
        var name = check.GetType().Name;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            var (ready, detail) = await check.CheckAsync(timeout.Token);
            return new(name, ready, detail);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(name, false, $"No answer within {CheckTimeout.TotalSeconds} s.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new(name, false, ex.Message);
        }
    }
}

/// <summary>The database answers and every schema script of the store and the server has run.</summary>
internal sealed class SchemaReadiness(DatabaseMigrations migrations) : IReadinessCheck
{
    public async Task<(bool Ready, string Detail)> CheckAsync(CancellationToken ct) =>
        await migrations.IsCurrentAsync(ct)
            ? (true, "Database reachable; schema current.")
            : (false, "Database reachable, but schema scripts are missing: restart the server to apply them.");
}
