using System.Buffers;
using ConflictLedger.Log;
using ConflictLedger.Server.Operations;
using Microsoft.AspNetCore.Http.Metadata;
using Npgsql;

namespace ConflictLedger.Server.Feed;

/// <summary>
/// Streams the log to one SSE client. A client at the head is served from the process's
/// <see cref="LiveTail"/>, which reads each new event once for everyone; a client behind it
/// reads the log itself (a pooled connection for the length of a read) until it catches
/// up. No client holds a database connection while it waits.
/// </summary>
public sealed class LiveFeed(
    LedgerLog store,
    LogNotifications notifications,
    LiveTail tail,
    ConflictLedgerOptions options,
    ConflictLedgerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<LiveFeed> logger)
{
    private const int PageSize = 500;

    /// <summary>
    /// How many clients behind the tail read the log at once (say, many reconnecting after a
    /// restart): unbounded they would take every pooled connection; bounded, they take turns.
    /// </summary>
    private readonly SemaphoreSlim readers = new(8);

    public async Task StreamAsync(HttpContext http, LiveStart start, FeedFilter filter)
    {
        // Shutdown ends the stream, so stopping the server does not wait for clients to leave.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        metrics.LiveClientConnected();
        logger.LogDebug("Live feed client connected after {Position} ({Filter})", start, filter);
        try
        {
            // Should the stream end anyway (a restart), an EventSource comes back within a second with Last-Event-ID.
            await WriteAsync(response, $"retry: {(int)options.Feed.ReconnectDelay.TotalMilliseconds}\n\n", ct);
            var heartbeat = options.Feed.HeartbeatInterval;
            var lastWrite = TimeProvider.System.GetTimestamp();
            var idle = new IdleWait(options.Feed.PollInterval);
            // At the tail a client waits for the tail's next publication or its heartbeat, whichever
            // comes first. The heartbeat's timer lives until it fires (about once per interval),
            // not once per publication: 200 clients at 100 publications a second would otherwise
            // start and stop 20,000 timers a second.
            Task? heartbeatDue = null;
            var unavailable = false;
            LogPosition? cursor = start.Resolved;
            while (!ct.IsCancellationRequested)
            {
                Task next;
                bool atTail;
                IReadOnlyList<LiveFrame> page;
                List<LiveFrame> passing;
                try
                {
                    if (cursor is null)
                    {
                        // The database was down when the client came: its Last-Event-ID is resolved now.
                        next = notifications.NextAsync();
                        cursor = await store.ResolveAsync(start.Position, ct);
                        if (cursor is null)
                        {
                            await WriteAsync(response, $": no event has the position {start.Position}\n\n", ct);
                            return;
                        }
                    }
                    var (fromTail, advanced) = tail.After(cursor.Value);
                    atTail = fromTail is not null;
                    if (fromTail is not null)
                    {
                        (next, page) = (advanced, fromTail);
                    }
                    else
                    {
                        next = notifications.NextAsync();
                        page = tail.Frames(await ReadLogAsync(cursor.Value, ct));
                    }
                    passing = await PassingAsync(page, filter, ct);
                    if (unavailable) logger.LogInformation("Live feed resumes after {Position}: the database is back", cursor);
                    unavailable = false;
                }
                catch (Exception ex) when (DatabaseUnavailableHandler.IsUnavailable(ex) && !ct.IsCancellationRequested)
                {
                    // Holding the stream open is what lets the client ride through the outage:
                    // a non-200 on reconnect would make a browser's EventSource give up for good.
                    if (!unavailable) logger.LogWarning("Live feed waits for the database: {Error}", ex.Message);
                    unavailable = true;
                    await WriteAsync(response, ": database unavailable, waiting\n\n", ct);
                    lastWrite = TimeProvider.System.GetTimestamp();
                    await LogNotifications.WaitAsync(notifications.NextAsync(), Min(options.Feed.PollInterval, heartbeat), ct);
                    continue;
                }
                if (page.Count > 0)
                {
                    idle.Reset();
                    cursor = page[^1].Event.Position;
                    if (passing.Count > 0)
                    {
                        await WriteAsync(response, passing, ct);
                        lastWrite = TimeProvider.System.GetTimestamp();
                    }
                    continue;
                }
                var untilHeartbeat = heartbeat - TimeProvider.System.GetElapsedTime(lastWrite);
                if (untilHeartbeat <= TimeSpan.Zero)
                {
                    await WriteAsync(response, ": keep-alive\n\n", ct);
                    lastWrite = TimeProvider.System.GetTimestamp();
                    continue;
                }
                if (atTail)
                {
                    // The tail publishes only what it has read, so its next publication has frames: no idle backoff here.
                    heartbeatDue ??= Task.Delay(untilHeartbeat, ct);
                    await Task.WhenAny(next, heartbeatDue);
                    if (heartbeatDue.IsCompleted) heartbeatDue = null;
                }
                else
                {
                    await idle.WaitAsync(next, untilHeartbeat, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left or the server is stopping: either way the stream is over.
        }
        catch (IOException ex)
        {
            logger.LogDebug(ex, "Live feed stream ended: the client went away");
        }
        catch (NpgsqlException ex)
        {
            // Not an outage (those are waited out above): ending the stream is the recovery, the
            // client reconnects with Last-Event-ID and loses nothing.
            logger.LogWarning(ex, "Live feed stream ended by a database error");
        }
        finally
        {
            metrics.LiveClientDisconnected();
            logger.LogDebug("Live feed client disconnected");
        }
    }

    /// <summary>
    /// The frames of the events that pass the filter (a correction or retraction may read its
    /// stream to decide). The filter reads each event's facts from the frame, parsed once for
    /// every client.
    /// </summary>
    private async Task<List<LiveFrame>> PassingAsync(IReadOnlyList<LiveFrame> page, FeedFilter filter, CancellationToken ct)
    {
        if (filter.IsAll) return page as List<LiveFrame> ?? [.. page];
        var passing = new List<LiveFrame>(page.Count);
        foreach (var frame in page)
            if (await filter.PassesAsync(frame.Event, frame.Facts, store, ct)) passing.Add(frame);
        return passing;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// A page of the log after the cursor, read into memory so the connection goes back to
    /// the pool before a slow client is written to. Every type is read (the filter applies
    /// after), so the cursor moves over the whole log and reaches the tail's window.
    /// </summary>
    private async Task<List<RecordedEvent>> ReadLogAsync(LogPosition cursor, CancellationToken ct)
    {
        await readers.WaitAsync(ct);
        try
        {
            return await store.ReadAllAsync(cursor, new ReadAllOptions { Limit = PageSize }, ct).ToListAsync(ct);
        }
        finally
        {
            readers.Release();
        }
    }

    /// <summary>
    /// Copies the frames, encoded once for every client, into the response and sends them in one
    /// flush. Frames that lie back to back in the tail's buffer go as one slice: a client that
    /// takes every event of a publication writes it with a single call, which Kestrel sends as
    /// one chunk (writing frame by frame cost a chunk-buffer reservation per frame).
    /// </summary>
    private static async Task WriteAsync(HttpResponse response, List<LiveFrame> frames, CancellationToken ct)
    {
        var (run, runs) = (frames[0], 0);
        var length = run.Length;
        for (var i = 1; i < frames.Count; i++)
        {
            if (frames[i - 1].IsFollowedBy(frames[i]))
            {
                length += frames[i].Length;
                continue;
            }
            response.BodyWriter.Write(run.Buffer.AsSpan(run.Start, length));
            (run, length) = (frames[i], frames[i].Length);
            runs++;
        }
        if (runs == 0)
        {
            // Write and flush in one call.
            await response.BodyWriter.WriteAsync(run.Buffer.AsMemory(run.Start, length), ct);
            return;
        }
        response.BodyWriter.Write(run.Buffer.AsSpan(run.Start, length));
        await response.BodyWriter.FlushAsync(ct);
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.WriteAsync(text, ct);
        await response.Body.FlushAsync(ct);
    }
}

/// <summary>
/// Where a live stream starts: the public position, and its place in the log when the
/// database could resolve it before the stream began (null while the database is down).
/// </summary>
public sealed record LiveStart(long Position, LogPosition? Resolved);

/// <summary>The live stream as an endpoint result, so the handler can still answer 400 before it starts.</summary>
public sealed class LiveFeedResult(LiveStart start, FeedFilter filter) : IResult, IEndpointMetadataProvider
{
    public Task ExecuteAsync(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<LiveFeed>().StreamAsync(httpContext, start, filter);

    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
}
