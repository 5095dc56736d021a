using ConflictLedger.Catalog;
using ConflictLedger.EventStore;
using ConflictLedger.EventStore.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConflictLedger.ReadModel;

/// <summary>
/// Keeps the active read model generation current: runs its projection as a
/// subscription of the log (checkpoint committed with the projected rows), follows a
/// swap to a rebuilt generation, and lets a query wait until a position is projected.
/// </summary>
public sealed class ReadModelDaemon(ReadModelStore readModels, LogNotifications notifications, ILogger? logger = null)
{
    private readonly ILogger logger = logger ?? NullLogger.Instance;
    private TaskCompletionSource progressed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SubscriptionOptions Options { get; init; } = new();

    /// <summary>How often to look for a swap made by a rebuild in another process.</summary>
    public TimeSpan GenerationCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Counts committed batches that changed the catalog, so a cache of it knows when to reload.</summary>
    public int CatalogRevision => catalogRevision;

    private int catalogRevision;

    /// <summary>The position the read model reflects, as this process last saw it.</summary>
    public LogPosition Position { get; private set; }

    public string? Generation { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var generation = await readModels.EnsureAsync(ct);
                Generation = generation;
                Position = await readModels.PositionAsync(generation, ct);
                var projection = new ReadModelProjection(generation);
                bool handled = false, catalogChanged = false;
                var runner = new SubscriptionRunner(readModels.Store, notifications, ReadModelStore.CheckpointName(generation),
                    (batch, tx, token) =>
                    {
                        handled = true;
                        catalogChanged |= batch.Any(e => e.Type is CatalogEvents.ActorType or CatalogEvents.LandmarkType);
                        return projection.ApplyAsync(batch, tx, deferIntervals: false, token);
                    }, Options, logger);
                runner.PositionChanged += position =>
                {
                    // After the commit, so a cache that reloads now sees the new rows. A move
                    // this process did not make (another runner's) may have changed the catalog too.
                    if (catalogChanged || !handled) Interlocked.Increment(ref catalogRevision);
                    handled = catalogChanged = false;
                    Position = position;
                    Interlocked.Exchange(ref progressed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                };
                using var swapped = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var running = runner.RunAsync(swapped.Token);
                while (!running.IsCompleted && await readModels.ActiveSchemaAsync(ct) == generation)
                    await Task.WhenAny(running, Task.Delay(GenerationCheckInterval, ct));
                logger.LogInformation("Read model generation {Old} replaced; following the new one", generation);
                await swapped.CancelAsync();
                await running;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Read model daemon failed; restarting");
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct); } catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>How many readable events the read model has yet to project.</summary>
    public Task<long> LagAsync(CancellationToken ct = default) => readModels.Store.CountAfterAsync(Position, ct);

    /// <summary>Waits until the read model has projected <paramref name="target"/>; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(LogPosition target, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (Position < target)
            {
                var next = Volatile.Read(ref progressed).Task;
                if (Position >= target) return;
                await next.WaitAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The read model had not reached position {target} after {timeout.TotalSeconds:0.#} s (it is at {Position}). Retry, or ask without a minimum position.");
        }
    }
}
