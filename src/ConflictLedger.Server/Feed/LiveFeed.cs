using System.Text;
using ConflictLedger.EventStore;
using ConflictLedger.EventStore.Subscriptions;
using ConflictLedger.Server.Operations;
using Microsoft.AspNetCore.Http.Metadata;
using Npgsql;

namespace ConflictLedger.Server.Feed;

/// <summary>
/// Streams the log to one SSE client. Idle clients cost no database connection: they wait
/// on the process's one LISTEN connection and borrow a pooled connection only to read.
/// </summary>
public sealed class LiveFeed(
    EventStore.EventStore store,
    LogNotifications notifications,
    ConflictLedgerOptions options,
    ConflictLedgerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<LiveFeed> logger)
{
    private const int PageSize = 500;

    /// <summary>
    /// How many clients read the log at once. A notification wakes every client together;
    /// unbounded, a few hundred clients would take every pooled connection at each append
    /// (measured: 104 connections for 150 clients). Bounded, the pool stays small and the
    /// clients take turns, each read being one short query.
    /// </summary>
    private readonly SemaphoreSlim readers = new(8);

    public async Task StreamAsync(HttpContext http, LogPosition after, FeedFilter filter)
    {
        // Shutdown ends the stream, so stopping the server does not wait for clients to leave.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        metrics.LiveClientConnected();
        logger.LogDebug("Live feed client connected after {Position} ({Filter})", after, filter);
        try
        {
            await response.Body.FlushAsync(ct);
            var cursor = after;
            var idle = new IdleWait(options.Feed.PollInterval);
            var heartbeat = options.Feed.HeartbeatInterval;
            var lastWrite = TimeProvider.System.GetTimestamp();
            while (!ct.IsCancellationRequested)
            {
                var next = notifications.NextAsync();
                // The page is read into memory first, so the connection goes back to the pool before a slow client is written to.
                List<RecordedEvent> events;
                await readers.WaitAsync(ct);
                try
                {
                    events = await store.ReadAllAsync(cursor, new ReadAllOptions { Types = filter.Types, Limit = PageSize }, ct).ToListAsync(ct);
                }
                finally
                {
                    readers.Release();
                }
                if (events.Count > 0)
                {
                    idle.Reset();
                    cursor = events[^1].Position;
                    var text = new StringBuilder();
                    foreach (var e in events.Where(filter.Matches))
                        text.Append("id: ").Append(e.Position.Value).Append("\nevent: ").Append(e.Type)
                            .Append("\ndata: ").Append(Encoding.UTF8.GetString(CloudEvent.From(e, store.Options.Schema).ToUtf8Json())).Append("\n\n");
                    if (text.Length > 0)
                    {
                        await WriteAsync(response, text.ToString(), ct);
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
                await idle.WaitAsync(next, untilHeartbeat, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left or the server is stopping: either way the stream is over.
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException)
        {
            // Ending the stream is the recovery: the client reconnects with Last-Event-ID and loses nothing.
            logger.LogWarning(ex, "Live feed stream ended by an error");
        }
        finally
        {
            metrics.LiveClientDisconnected();
            logger.LogDebug("Live feed client disconnected");
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.WriteAsync(text, ct);
        await response.Body.FlushAsync(ct);
    }
}

/// <summary>The live stream as an endpoint result, so the handler can still answer 400 before it starts.</summary>
public sealed class LiveFeedResult(LogPosition after, FeedFilter filter) : IResult, IEndpointMetadataProvider
{
    public Task ExecuteAsync(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<LiveFeed>().StreamAsync(httpContext, after, filter);

    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
}
