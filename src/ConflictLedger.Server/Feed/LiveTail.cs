using System.Text;
using ConflictLedger.Log;

namespace ConflictLedger.Server.Feed;

/// <summary>One event of the tail, with its server-sent-event frame encoded once (UTF-8) for every client.</summary>
public sealed record LiveFrame(RecordedEvent Event, byte[] Utf8);

/// <summary>
/// One reader of the head of the log for every live client of this process. It keeps the
/// most recent events, in log order and without gaps, with their frames ready to send;
/// a client whose position lies inside that window is served from memory, so an append
/// costs one read of the log however many clients follow it. A client further behind
/// (a resume from an old Last-Event-ID, a slow client the window has left behind) reads
/// the log itself until it reaches the window.
/// </summary>
public sealed class LiveTail(LedgerLog store, LogNotifications notifications, ConflictLedgerOptions options, ILogger<LiveTail> logger)
    : BackgroundService
{
    private const int Capacity = 10_000;
    private const int PageSize = 500;

    /// <summary>
    /// The tail publishes at most once per window. Every publication wakes every client, and
    /// each wake-up is a write and a flush per client: at 500 appends/s and 200 clients,
    /// publishing each append alone meant 100,000 flushes a second, more than two cores
    /// give. Batching the appends of a window bounds that, at a cost of at most one window
    /// of latency and only when appends come faster than one per window.
    /// </summary>
    private static readonly TimeSpan PublishWindow = TimeSpan.FromMilliseconds(10);

    private readonly Lock gate = new();
    private readonly List<LiveFrame> frames = [];
    private LogPosition start;
    private LogPosition head;
    private bool started;
    private TaskCompletionSource advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The frames after <paramref name="cursor"/> (none yet when the cursor is at or past the
    /// tail's head), and a task that completes when the tail moves on. Null frames: the
    /// cursor is older than the window (or the tail has not started): read the log.
    /// </summary>
    public (IReadOnlyList<LiveFrame>? Frames, Task Advanced) After(LogPosition cursor)
    {
        lock (gate)
        {
            var next = advanced.Task;
            if (!started || cursor < start) return (null, next);
            if (cursor >= head) return ([], next);
            var first = frames.BinarySearch(new LiveFrame(new RecordedEvent(default, "", 0, cursor, "", "", "", default), []), ByPosition.Instance);
            first = first >= 0 ? first + 1 : ~first;
            return (frames.GetRange(first, frames.Count - first), next);
        }
    }

    public byte[] Frame(RecordedEvent e)
    {
        var frame = new MemoryStream();
        frame.Write(Encoding.UTF8.GetBytes($"id: {e.Position.Value}\nevent: {e.Type}\ndata: "));
        frame.Write(LedgerCloudEvents.Encode(e, store.Options.Schema));
        frame.Write("\n\n"u8);
        return frame.ToArray();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = new IdleWait(options.Feed.PollInterval);
        var published = 0L;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sincePublished = TimeProvider.System.GetElapsedTime(published);
                if (sincePublished < PublishWindow) await Task.Delay(PublishWindow - sincePublished, stoppingToken);
                if (!started)
                {
                    var at = await store.HeadAsync(stoppingToken);
                    lock (gate) (start, head, started) = (at, at, true);
                }
                var next = notifications.NextAsync();
                var page = await store.ReadAllAsync(head, new ReadAllOptions { Limit = PageSize }, stoppingToken).ToListAsync(stoppingToken);
                if (page.Count == 0)
                {
                    await idle.WaitAsync(next, null, stoppingToken);
                    continue;
                }
                idle.Reset();
                var added = page.Select(e => new LiveFrame(e, Frame(e))).ToList();
                lock (gate)
                {
                    frames.AddRange(added);
                    head = added[^1].Event.Position;
                    if (frames.Count > Capacity)
                    {
                        var drop = frames.Count - Capacity;
                        start = frames[drop - 1].Event.Position;
                        frames.RemoveRange(0, drop);
                    }
                    advanced.TrySetResult();
                    advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                published = TimeProvider.System.GetTimestamp();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The live tail could not read the log; retrying");
                try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private sealed class ByPosition : IComparer<LiveFrame>
    {
        public static readonly ByPosition Instance = new();
        public int Compare(LiveFrame? x, LiveFrame? y) => x!.Event.Position.CompareTo(y!.Event.Position);
    }
}
