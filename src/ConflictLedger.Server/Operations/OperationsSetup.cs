using ConflictLedger.Log;

namespace ConflictLedger.Server.Operations;

public static class OperationsSetup
{
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<ConflictLedgerMetrics>();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddSingleton<DatabaseMigrations>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseMigrations>());
        services.AddHostedService<NotificationsListener>();
        return services;
    }
}

/// <summary>Starts the process's one LISTEN connection; the container disposes it after the host stops.</summary>
internal sealed class NotificationsListener(LogNotifications notifications) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        notifications.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
