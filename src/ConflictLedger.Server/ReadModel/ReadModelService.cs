using ConflictLedger.Log;
using ConflictLedger.ReadModel;
using ConflictLedger.Server.Operations;

namespace ConflictLedger.Server.ReadModel;

/// <summary>
/// Follows the read model for the life of the server. The projection itself runs in
/// Marten's daemon on whichever node Wolverine gives it to; before this server listens it
/// waits (for at most <see cref="StartupCatchUp"/>) until what the log already holds is
/// projected, so the first requests see the seed and the catalog.
/// </summary>
public sealed class ReadModelService(
    ReadModelDaemon daemon, ReadModelStore readModels, LedgerLog store, ConflictLedgerMetrics metrics, ILogger<ReadModelService> logger)
    : IHostedService
{
    public static readonly TimeSpan StartupCatchUp = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var committed = await store.HeadAsync(cancellationToken);
        running = ReportLagAsync(stopping.Token);
        try
        {
            await daemon.WaitForAsync(committed, StartupCatchUp, cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("The read model is still catching up after {Seconds} s; the server starts and it continues in the background", StartupCatchUp.TotalSeconds);
        }
    }

    /// <summary>Publishes the read model's lag on the metrics gauge every few seconds.</summary>
    private async Task ReportLagAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            do
            {
                try
                {
                    metrics.SetProjectionLag(ConflictLedger.ReadModel.ReadModelProjection.Name, await daemon.LagAsync(ct));
                    metrics.SetDeadLetters(await readModels.DeadLetterCountAsync(ct));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Could not measure the read model's lag");
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await running.WaitAsync(cancellationToken);
        stopping.Dispose();
    }
}
