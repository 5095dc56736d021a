using ConflictLedger.Log;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConflictLedger.ReadModel;

/// <summary>
/// Runs the read model projection in Marten's async daemon and tells callers how far it
/// has got: a query can wait until a position is projected, readiness and metrics read
/// the lag. Progress comes from the daemon when it runs in this process, else from
/// Marten's checkpoint row (another process runs it).
/// </summary>
public sealed class ReadModelDaemon(ReadModelStore readModels, ILogger? logger = null) : IObserver<ShardState>, IAsyncDisposable
{
    private readonly ILogger logger = logger ?? NullLogger.Instance;
    private TaskCompletionSource progressed = NewPulse();
    private IProjectionDaemon? daemon;
    private IDisposable? subscription;
    private long position;

    /// <summary>How often a waiter re-reads the checkpoint when no progress is reported in this process.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>The position the read model reflects, as this process last saw it.</summary>
    public LogPosition Position => new(Interlocked.Read(ref position));

    public string? Generation { get; private set; }

    /// <summary>True while the projection runs in this process.</summary>
    public bool IsRunning => daemon is not null;

    /// <summary>Creates the read model when missing and starts the projection in this process.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        Generation = await readModels.EnsureAsync(ct);
        await RefreshAsync(ct);
        daemon = await readModels.Store.Store.BuildProjectionDaemonAsync(logger: logger);
        subscription = daemon.Tracker.Subscribe(this);
        await daemon.StartAgentAsync(ReadModelProjection.ShardName, ct);
    }

    public async Task StopAsync()
    {
        if (daemon is null) return;
        await daemon.StopAllAsync();
        subscription?.Dispose();
        daemon.Dispose();
        daemon = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>How many events the read model has yet to project.</summary>
    public async Task<long> LagAsync(CancellationToken ct = default)
    {
        await RefreshAsync(ct);
        return await readModels.Store.CountAfterAsync(Position, ct);
    }

    /// <summary>Waits until the read model has projected <paramref name="target"/>; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(LogPosition target, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            // Refreshed at least once, so the generation is current too (the daemon's own
            // reports move only the position).
            while (true)
            {
                var next = Volatile.Read(ref progressed).Task;
                await RefreshAsync(deadline.Token);
                if (Position >= target) return;
                await Task.WhenAny(next, Task.Delay(PollInterval, deadline.Token));
                deadline.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The read model had not reached position {target} after {timeout.TotalSeconds:0.#} s (it is at {Position}). Retry, or ask without a minimum position.");
        }
    }

    /// <summary>Reads the checkpoint and the active generation from the database.</summary>
    private async Task RefreshAsync(CancellationToken ct)
    {
        var (generation, at) = await readModels.ActiveWithPositionAsync(ct);
        Generation = generation;
        Advance(at.Value);
    }

    private void Advance(long to)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref position);
            if (to <= seen) return;
        }
        while (Interlocked.CompareExchange(ref position, to, seen) != seen);
        Interlocked.Exchange(ref progressed, NewPulse()).TrySetResult();
    }

    void IObserver<ShardState>.OnNext(ShardState value)
    {
        if (value.ShardName == ReadModelProjection.ShardName) Advance(value.Sequence);
    }

    void IObserver<ShardState>.OnCompleted() { }

    void IObserver<ShardState>.OnError(Exception error) => logger.LogError(error, "The read model daemon reported an error");

    private static TaskCompletionSource NewPulse() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
