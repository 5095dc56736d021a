using System.Net;
using System.Text.Json;
using ConflictLedger.Log;

namespace ConflictLedger.Server.Tests.Feed;

public sealed class LiveFeedTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private LedgerLog Store => server.Store;

    private static Guid IdOf(SseMessage message) => JsonDocument.Parse(message.Data!).RootElement.GetProperty("id").GetGuid();

    [Fact]
    public async Task a_live_client_receives_appended_events_with_the_position_as_id()
    {
        var after = await Store.MarkAsync();
        await using var live = await SseClient.ConnectAsync(server.Client, $"/feed/live?after={after}");
        Assert.Equal("text/event-stream", live.Response.Content.Headers.ContentType?.MediaType);

        var appended = await Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence(type: TestEvents.Protest), TestEvents.Occurrence());
        var received = await live.ReadEventsAsync(3);

        var recorded = await Store.VisibleAsync(appended);
        Assert.Equal(recorded.Select(e => e.Position.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), received.Select(m => m.Id));
        Assert.Equal(recorded.Select(e => e.Type), received.Select(m => m.Event));
        Assert.Equal(recorded.Select(e => e.Id), received.Select(IdOf));
    }

    [Fact]
    public async Task many_live_clients_need_no_database_connection_each()
    {
        // A server whose pool holds at most 10 connections serves 150 live clients: a
        // design that held a connection (or a LISTEN) per client would run out and time out.
        const int clients = 150;
        await using var small = await server.StartServerAsync(new Dictionary<string, string?>
        {
            ["ConflictLedger:Database"] = ConflictLedger.Testing.TestDatabase.ConnectionString + ";Maximum Pool Size=10;Timeout=5",
        });
        var after = await Store.MarkAsync();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients + 10 };
        using var http = new HttpClient(handler) { BaseAddress = small.BaseAddress };
        var live = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => SseClient.ConnectAsync(http, $"/feed/live?after={after}")));
        try
        {
            var appended = await Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence());
            var received = await Task.WhenAll(live.Select(c => c.ReadEventsAsync(2)));
            Assert.All(received, r => Assert.Equal(appended.Select(e => e.Id), r.Select(IdOf)));
        }
        finally
        {
            foreach (var client in live) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task an_idle_stream_gets_keep_alive_comments()
    {
        var after = await Store.MarkAsync();
        await using var live = await SseClient.ConnectAsync(server.Client, $"/feed/live?after={after}");

        // The marker itself is not sent (it is the resume point); the first message is the heartbeat.
        var message = await live.ReadAsync();

        Assert.Equal("keep-alive", message.Comment);
    }

    [Fact]
    public async Task type_and_landmark_filters_send_only_matching_events()
    {
        var after = await Store.MarkAsync();
        await using var live = await SseClient.ConnectAsync(server.Client, $"/feed/live?after={after}&landmark=derna&type={TestEvents.Clash}");

        var events = await Store.AppendEachAsync(
            TestEvents.Occurrence("benghazi"), TestEvents.Occurrence("derna"), TestEvents.Occurrence("derna", TestEvents.Protest),
            TestEvents.Occurrence("sirte"), TestEvents.Occurrence("derna"));
        var received = await live.ReadEventsAsync(2);

        // In order, so once the last match arrives every event before it has been passed over.
        Assert.Equal([events[1].Id, events[4].Id], received.Select(IdOf));
    }

    [Theory]
    [InlineData("landmark=derna")]
    [InlineData("type=" + TestEvents.Clash)]
    public async Task a_filtered_live_client_sees_the_corrections_and_retractions_of_the_accounts_it_was_shown(string filter)
    {
        var after = await Store.MarkAsync();
        await using var live = await SseClient.ConnectAsync(server.Client, $"/feed/live?after={after}&{filter}");
        var (_, passing) = await Store.AppendFollowUpsAsync();
        var sentinel = await Store.AppendEachAsync(TestEvents.Occurrence("derna"));

        // In log order, so once the sentinel is in every earlier event was passed or dropped.
        var received = await live.ReadEventsAsync(passing.Count + 1);

        Assert.Equal(passing.Concat(sentinel).Select(e => e.Id), received.Select(IdOf));
    }

    [Fact]
    public async Task resuming_with_last_event_id_across_a_restart_loses_and_repeats_nothing()
    {
        var after = await Store.MarkAsync();
        string lastSeen;
        await using (var first = await server.StartServerAsync())
        {
            await using var live = await SseClient.ConnectAsync(first.Client, $"/feed/live?after={after}");
            await Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence(), TestEvents.Occurrence());
            lastSeen = (await live.ReadEventsAsync(3))[^1].Id!;
        }

        var whileDown = await Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence(), TestEvents.Occurrence());
        await using var second = await server.StartServerAsync();
        await using var resumed = await SseClient.ConnectAsync(second.Client, "/feed/live", lastEventId: lastSeen);
        var afterRestart = await Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence());
        var received = await resumed.ReadEventsAsync(5);

        Assert.Equal(whileDown.Concat(afterRestart).Select(e => e.Id), received.Select(IdOf));
        var sentinel = await Store.AppendEachAsync(TestEvents.Occurrence());
        Assert.Equal(sentinel[0].Id, IdOf((await resumed.ReadEventsAsync(1))[0]));
    }

    [Fact]
    public async Task an_unknown_last_event_id_is_a_400_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/feed/live");
        request.Headers.Add("Last-Event-ID", "999999999999");
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("Last-Event-ID", out _));
    }
}
