using ConflictLedger.EventStore.Subscriptions;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Server.ReadModel;

/// <summary>
/// Runs the read model daemon for the life of the server. Before the server listens it
/// projects what the log already holds (for at most <see cref="StartupCatchUp"/>), so the
/// first requests see the seed and the catalog; a longer backlog goes on in the background.
/// </summary>
public sealed class ReadModelService(ReadModelDaemon daemon, LogNotifications notifications, EventStore.EventStore store, ILogger<ReadModelService> logger) : IHostedService
{
    public static readonly TimeSpan StartupCatchUp = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        notifications.Start();
        var committed = await store.LastCommittedAsync(cancellationToken);
        running = daemon.RunAsync(stopping.Token);
        try
        {
            await daemon.WaitForAsync(committed, StartupCatchUp, cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("The read model is still catching up after {Seconds} s; the server starts and it continues in the background", StartupCatchUp.TotalSeconds);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await running.WaitAsync(cancellationToken);
        stopping.Dispose();
    }
}
