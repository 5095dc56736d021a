using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ConflictLedger.EventStore.Subscriptions;

/// <summary>
/// Handles one batch inside the transaction that will also advance the checkpoint: rows
/// the handler writes through <paramref name="transaction"/> commit with the checkpoint
/// or not at all. Keep the work short: an open transaction that has written holds every
/// log reader back (see the events table).
/// </summary>
public delegate Task BatchHandler(IReadOnlyList<RecordedEvent> batch, NpgsqlTransaction transaction, CancellationToken ct);

public sealed record SubscriptionOptions
{
    public int BatchSize { get; init; } = 500;

    /// <summary>How often to read the log when no notification arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The first wait after a failed batch; doubled up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Runs a named subscription: reads batches after its checkpoint, hands them to the
/// handler, and advances the checkpoint in the handler's transaction. After a crash or
/// restart it resumes from the last committed batch, so an event is handled again only
/// if its batch never committed. A failed batch is retried with backoff.
/// </summary>
/// <remarks>Without <paramref name="notifications"/> the runner only polls.</remarks>
public sealed class SubscriptionRunner(
    EventStore store,
    LogNotifications? notifications,
    string name,
    BatchHandler handler,
    SubscriptionOptions? options = null,
    ILogger? logger = null)
{
    private readonly SubscriptionOptions options = options ?? new SubscriptionOptions();
    private readonly ILogger logger = logger ?? NullLogger.Instance;
    private readonly IdleWait idle = new((options ?? new SubscriptionOptions()).PollInterval);

    public string Name { get; } = name;

    /// <summary>The subscription's position: its last committed batch, or where another runner of it has moved it.</summary>
    public LogPosition Position { get; private set; }

    public int FailedBatches { get; private set; }

    /// <summary>Raised when the position moves: after each committed batch, or when the checkpoint is found moved by another runner.</summary>
    public event Action<LogPosition>? PositionChanged;

    public async Task RunAsync(CancellationToken ct)
    {
        var delay = options.RetryDelay;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(ct);
                delay = options.RetryDelay;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                FailedBatches++;
                logger.LogWarning(ex, "Subscription {Name} failed a batch at {Position}; retrying in {Delay}", Name, Position, delay);
                try { await Task.Delay(delay, ct); } catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, options.MaxRetryDelay.TotalMilliseconds));
            }
        }
    }

    /// <summary>Handles batches until the log has nothing more to give; returns how many events were handled.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        var handled = 0;
        while (await TryBatchAsync(ct) is var batch and > 0) handled += batch;
        return handled;
    }

    /// <summary>Handles one batch; when the log has nothing new, waits for a notification or the poll interval.</summary>
    private async Task RunOnceAsync(CancellationToken ct)
    {
        var next = notifications?.NextAsync() ?? Task.Delay(Timeout.Infinite, ct);
        if (await TryBatchAsync(ct) > 0) idle.Reset();
        else await idle.WaitAsync(next, null, ct);
    }

    /// <summary>Reads one batch after the checkpoint and, if there is one, handles and commits it. Returns its size.</summary>
    private async Task<int> TryBatchAsync(CancellationToken ct)
    {
        var from = await store.Checkpoints.LoadAsync(Name, ct);
        MoveTo(from);
        var batch = new List<RecordedEvent>(options.BatchSize);
        await foreach (var e in store.ReadAllAsync(from, new ReadAllOptions { Limit = options.BatchSize }, ct))
            batch.Add(e);
        if (batch.Count == 0) return 0;

        await using var connection = await store.DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await handler(batch, tx, ct);
        await store.Checkpoints.AdvanceAsync(connection, tx, Name, from, batch[^1].Position, ct);
        await tx.CommitAsync(ct);
        MoveTo(batch[^1].Position);
        return batch.Count;
    }

    private void MoveTo(LogPosition position)
    {
        if (position == Position) return;
        Position = position;
        PositionChanged?.Invoke(position);
    }
}
