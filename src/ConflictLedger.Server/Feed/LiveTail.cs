using System.Buffers;
using System.Globalization;
using System.Text;
using ConflictLedger.Log;

namespace ConflictLedger.Server.Feed;

/// <summary>
/// One event of the tail, with its server-sent-event frame encoded once (UTF-8) for every
/// client: <see cref="Length"/> bytes from <see cref="Start"/> of <see cref="Buffer"/>, which
/// holds the frames of the whole page read with it, back to back. So a client sends a run of
/// consecutive frames as one slice, with one write.
/// </summary>
public sealed class LiveFrame(RecordedEvent e, byte[] buffer, int start, int length)
{
    private EventFacts? facts;

    public RecordedEvent Event { get; } = e;
    public byte[] Buffer { get; } = buffer;
    public int Start { get; } = start;
    public int Length { get; } = length;

    /// <summary>What filters read from the event, parsed once for every client (two clients racing may both parse it: same result).</summary>
    public EventFacts Facts => facts ??= EventFacts.Of(Event);

    /// <summary>Whether <paramref name="next"/> follows this frame in the same buffer.</summary>
    public bool IsFollowedBy(LiveFrame next) => ReferenceEquals(Buffer, next.Buffer) && Start + Length == next.Start;
}

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
            var first = FirstAfter(cursor);
            return (frames.GetRange(first, frames.Count - first), next);
        }
    }

    /// <summary>The index of the first frame after <paramref name="cursor"/> (frames are in position order).</summary>
    private int FirstAfter(LogPosition cursor)
    {
        var (low, high) = (0, frames.Count);
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (frames[middle].Event.Position <= cursor) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    /// <summary>The frames of a page of events, encoded into one buffer.</summary>
    public List<LiveFrame> Frames(IReadOnlyList<RecordedEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, events.Count * 1024));
        var ends = new int[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            buffer.Write("id: "u8);
            e.Position.Value.TryFormat(buffer.GetSpan(20), out var digits, default, CultureInfo.InvariantCulture);
            buffer.Advance(digits);
            buffer.Write("\nevent: "u8);
            Encoding.UTF8.GetBytes(e.Type, buffer);
            buffer.Write("\ndata: "u8);
            buffer.Write(LedgerCloudEvents.Encode(e, store.Options.Schema));
            buffer.Write("\n\n"u8);
            ends[i] = buffer.WrittenCount;
        }
        var bytes = buffer.WrittenMemory.ToArray();
        var frames = new List<LiveFrame>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var start = i == 0 ? 0 : ends[i - 1];
            frames.Add(new LiveFrame(events[i], bytes, start, ends[i] - start));
        }
        return frames;
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
                var added = Frames(page);
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
}
