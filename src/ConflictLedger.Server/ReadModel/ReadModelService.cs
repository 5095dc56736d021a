using ConflictLedger.EventStore.Subscriptions;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Server.ReadModel;

/// <summary>Runs the read model daemon for the life of the server.</summary>
public sealed class ReadModelService(ReadModelDaemon daemon, LogNotifications notifications) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        notifications.Start();
        return daemon.RunAsync(stoppingToken);
    }
}
