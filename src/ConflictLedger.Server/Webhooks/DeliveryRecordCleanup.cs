namespace ConflictLedger.Server.Webhooks;

/// <summary>
/// Deletes webhook delivery records older than <see cref="WebhookOptions.DeliveryRetention"/>,
/// at start and then every <see cref="WebhookOptions.CleanupInterval"/>: a busy webhook writes
/// a record per request, and the table would otherwise grow with the log. The checkpoint, not
/// the records, says what was delivered, so deleting them loses no delivery.
/// </summary>
public sealed class DeliveryRecordCleanup(WebhookStore webhooks, ConflictLedgerOptions options, ILogger<DeliveryRecordCleanup> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Webhooks.CleanupInterval);
        do
        {
            try
            {
                var deleted = await webhooks.DeleteDeliveriesBeforeAsync(DateTimeOffset.UtcNow - options.Webhooks.DeliveryRetention, stoppingToken);
                if (deleted > 0) logger.LogInformation("Deleted {Count} webhook delivery records older than {Retention}", deleted, options.Webhooks.DeliveryRetention);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not delete old webhook delivery records; trying again in {Interval}", options.Webhooks.CleanupInterval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
