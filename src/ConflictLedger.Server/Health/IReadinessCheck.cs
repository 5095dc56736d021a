namespace ConflictLedger.Server.Health;

/// <summary>
/// One condition /health/ready requires. Register implementations as
/// <c>services.AddSingleton&lt;IReadinessCheck, MyCheck&gt;()</c>; all of them run on each probe.
/// </summary>
public interface IReadinessCheck
{
    Task<(bool Ready, string Detail)> CheckAsync(CancellationToken ct);
}
