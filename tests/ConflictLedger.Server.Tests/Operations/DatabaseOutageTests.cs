using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConflictLedger.Log;
using ConflictLedger.Server.Operations;
using ConflictLedger.Server.Tests.Feed;
using ConflictLedger.Server.Tests.Webhooks;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.Operations;

/// <summary>
/// PostgreSQL goes away for 10 s under live clients, a webhook and a steady writer. The
/// database is a cluster of this test's own (never the shared one), stopped with
/// <c>pg_ctl stop -m fast</c> and started again.
/// </summary>
public sealed class DatabaseOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task clients_ride_through_a_database_outage_and_end_with_every_event_once_in_order()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var schema = TestDatabase.NewSchemaName("outage");
        await using var server = await RunningServer.StartAsync(schema, new Dictionary<string, string?>
        {
            ["ConflictLedger:Database"] = cluster.ConnectionString,
            ["ConflictLedger:DatabaseRetryAfter"] = "00:00:03",
        });
        await using var dataSource = cluster.CreateDataSource("outage-test");
        await using var store = LedgerLog.Create(dataSource, new LogOptions(schema));

        await using var receiver = await TestReceiver.StartAsync();
        using (var created = await server.Writer.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var marker = await store.MarkAsync();
        var clients = new List<LiveReader>();
        for (var i = 0; i < 3; i++) clients.Add(await LiveReader.StartAsync(server.Client, "/feed/live", lastEventId: marker.ToString()));
        clients.Add(await LiveReader.StartAsync(server.Client, $"/feed/live?after={marker}"));

        await using var writer = Writer.Start(store);
        await Eventually.TrueAsync(() => clients.All(c => c.Events.Count >= 5), "every client following the writes");

        await cluster.StopAsync();
        var down = TimeProvider.System.GetTimestamp();
        var writtenBefore = writer.Written;
        try
        {
            await WhileDownAsync(server, clients, marker);
        }
        catch
        {
            await cluster.StartAgainAsync();
            throw;
        }

        var left = Outage - TimeProvider.System.GetElapsedTime(down);
        if (left > TimeSpan.Zero) await Task.Delay(left); // the outage itself, not a wait for a result
        await cluster.StartAgainAsync();
        // The test's own reads come from a pool whose connections the restart closed.
        dataSource.Clear();

        await Eventually.TrueAsync(() => writer.Written >= writtenBefore + 20, "writes going through again", TimeSpan.FromSeconds(60));
        await writer.StopAsync();

        var log = new List<Guid>();
        var seen = false;
        await foreach (var e in store.ReadAllAsync(LogPosition.Start))
        {
            if (seen) log.Add(e.Id);
            seen |= e.Position.Value == marker;
        }
        Assert.Equal(writer.Ids, log);
        await Eventually.TrueAsync(() => clients.All(c => c.Events.Count >= log.Count), "every client caught up", TimeSpan.FromSeconds(60));
        foreach (var client in clients)
        {
            Assert.Null(client.Ended);
            Assert.Equal(log, client.Events.Select(IdOf));
        }

        await Eventually.TrueAsync(() => receiver.Delivered.Any(c => c.Id == log[^1].ToString()), "webhook caught up", TimeSpan.FromSeconds(60));
        var delivered = receiver.Delivered.Select(c => Guid.Parse(c.Id)).Where(id => log.Contains(id)).ToList();
        // At least once: a delivery whose checkpoint could not be written in the outage is sent again.
        Assert.Equal(log, delivered.Distinct());
        Assert.True(delivered.Count - log.Count <= 2, $"{delivered.Count - log.Count} repeated deliveries");

        foreach (var client in clients) await client.DisposeAsync();
    }

    private static async Task WhileDownAsync(RunningServer server, List<LiveReader> clients, long marker)
    {
        // The API says "come back later", with a problem body, instead of a 500.
        using (var report = await server.Writer.PostAsJsonAsync("/api/occurrences", new { account = new { kind = "armed-clash" } }))
            await AssertUnavailableAsync(report);
        using (var read = await server.Client.GetAsync("/api/occurrences/derna-clashes-first-day"))
            await AssertUnavailableAsync(read);
        using (var page = await server.Client.GetAsync($"/feed?after={marker}"))
            await AssertUnavailableAsync(page);
        // A browser that reconnects now must get a 200 stream, never an error it gives up on.
        clients.Add(await LiveReader.StartAsync(server.Client, "/feed/live", lastEventId: marker.ToString()));
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("The database is unavailable.", problem.GetProperty("title").GetString());
    }

    private static Guid IdOf(SseMessage message) => JsonDocument.Parse(message.Data!).RootElement.GetProperty("id").GetGuid();

    /// <summary>One EventSource-like client that never reconnects: the stream it opened must carry it through.</summary>
    private sealed class LiveReader : IAsyncDisposable
    {
        private readonly SseClient client;
        private readonly ConcurrentQueue<SseMessage> events = new();
        private readonly CancellationTokenSource stop = new();
        private Task reading = Task.CompletedTask;

        private LiveReader(SseClient client) => this.client = client;

        public IReadOnlyList<SseMessage> Events => events.ToArray();

        /// <summary>Why the stream ended before the test ended it; null while it is open.</summary>
        public Exception? Ended { get; private set; }

        public static async Task<LiveReader> StartAsync(HttpClient http, string url, string? lastEventId = null)
        {
            var reader = new LiveReader(await SseClient.ConnectAsync(http, url, lastEventId));
            reader.reading = Task.Run(reader.ReadAsync);
            return reader;
        }

        private async Task ReadAsync()
        {
            try
            {
                while (!stop.IsCancellationRequested)
                    if (await client.ReadAsync() is { Comment: null, Data: not null } message) events.Enqueue(message);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                Ended = ex;
            }
            catch (Exception)
            {
                // Disposed by the test.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await client.DisposeAsync();
            await reading;
        }
    }

    /// <summary>Appends one event at a time; while the database is down it sends the same append again, which the store makes a no-op if it had landed.</summary>
    private sealed class Writer : IAsyncDisposable
    {
        private readonly ConcurrentQueue<Guid> ids = new();
        private readonly CancellationTokenSource stop = new();
        private Task running = Task.CompletedTask;

        public int Written => ids.Count;
        public IReadOnlyList<Guid> Ids => ids.ToArray();

        public static Writer Start(LedgerLog store)
        {
            var writer = new Writer();
            writer.running = Task.Run(() => writer.RunAsync(store));
            return writer;
        }

        private async Task RunAsync(LedgerLog store)
        {
            while (!stop.IsCancellationRequested)
            {
                var (stream, e) = (TestEvents.NewStream(), TestEvents.Occurrence());
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await store.AppendAsync(stream, ExpectedVersion.NoStream, [e]);
                        ids.Enqueue(e.Id);
                        break;
                    }
                    catch (Exception ex) when (DatabaseUnavailableHandler.IsUnavailable(ex))
                    {
                        await Task.Delay(100); // a writer's retry pace
                    }
                }
                await Task.Delay(20); // a steady trickle of writes
            }
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await running;
        }

        public async ValueTask DisposeAsync() => await StopAsync();
    }
}
