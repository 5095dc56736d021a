using ConflictLedger.ReadModel;
using ConflictLedger.Server.Health;

namespace ConflictLedger.Server.ReadModel;

/// <summary>Ready only while the read model is close enough to the head of the log.</summary>
public sealed class ProjectionLagCheck(ReadModelDaemon daemon, ConflictLedgerOptions options) : IReadinessCheck
{
    public async Task<(bool Ready, string Detail)> CheckAsync(CancellationToken ct)
    {
        var lag = await daemon.LagAsync(ct);
        return (lag <= options.MaxProjectionLag, $"read model {daemon.Generation} at position {daemon.Position}, {lag} event(s) behind (threshold {options.MaxProjectionLag})");
    }
}
