using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ConflictLedger.Log;

/// <summary>
/// One LISTEN connection per process that wakes every waiter when an append commits:
/// subscription runners and live feed clients share it, so thousands of waiters cost
/// one database connection. Notifications are only a hint to read sooner: waiters must
/// still read the log, and fall back to polling when the connection is down.
/// </summary>
public sealed class LogNotifications : IAsyncDisposable
{
    private readonly NpgsqlDataSource dataSource;
    private readonly string schema;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stop = new();
    private TaskCompletionSource pulse = NewPulse();
    private Task? loop;

    public LogNotifications(NpgsqlDataSource dataSource, LogOptions options, ILogger? logger = null)
    {
        this.dataSource = dataSource;
        schema = options.Schema;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>True while the LISTEN connection is up.</summary>
    public bool IsListening { get; private set; }

    /// <summary>Counts reconnections, for health reporting and tests.</summary>
    public int Reconnects { get; private set; }

    public void Start() => loop ??= Task.Run(() => ListenAsync(stop.Token));

    /// <summary>
    /// A task that completes at the next notification. Take it before reading the log, then
    /// await it only if the read found nothing: an append between the two is not missed.
    /// </summary>
    public Task NextAsync() => Volatile.Read(ref pulse).Task;

    /// <summary>Waits for the next notification (true) or the timeout (false), whichever comes first.</summary>
    public static async Task<bool> WaitAsync(Task next, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await next.WaitAsync(timeout, ct);
            return true;
        }
        catch (TimeoutException)
        {
            // The poll interval passed: the caller reads the log again either way.
            return false;
        }
    }

    private void Wake() => Interlocked.Exchange(ref pulse, NewPulse()).TrySetResult();

    private static TaskCompletionSource NewPulse() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ListenAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, e) =>
                {
                    if (e.Payload == schema) Wake();
                };
                await using (var listen = new NpgsqlCommand($"listen {LogOptions.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                IsListening = true;
                backoff = TimeSpan.FromMilliseconds(100);
                // Whatever was appended while we were not listening is read now.
                Wake();
                while (!ct.IsCancellationRequested) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                IsListening = false;
                Reconnects++;
                logger.LogWarning(ex, "LISTEN connection on {Channel} lost; reconnecting in {Delay}", LogOptions.Channel, backoff);
                Wake();
                try { await Task.Delay(backoff, ct); } catch (OperationCanceledException) { break; }
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
        IsListening = false;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (loop is not null) await loop;
        stop.Dispose();
    }
}
