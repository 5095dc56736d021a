using System.Net;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using ConflictLedger.Log;

namespace ConflictLedger.Server.Tests.Feed;

public sealed class FeedTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private LedgerLog Store => server.Store;

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task paging_with_next_returns_the_whole_log_in_order()
    {
        var appended = new List<EventData>();
        for (var i = 0; i < 5; i++) appended.AddRange(await Store.AppendManyAsync(3));
        await Store.VisibleAsync(appended);
        var log = new List<RecordedEvent>();
        await foreach (var e in Store.ReadAllAsync(LogPosition.Start)) log.Add(e);

        var paged = new List<JsonElement>();
        long next = 0;
        for (var complete = false; !complete;)
        {
            var page = await GetJsonAsync(server.Client, $"/feed?after={next}&limit=4");
            paged.AddRange(page.GetProperty("events").EnumerateArray());
            next = page.GetProperty("next").GetInt64();
            complete = page.GetProperty("complete").GetBoolean();
        }

        Assert.Equal(log.Select(e => e.Id), paged.Select(e => e.GetProperty("id").GetGuid()));
        Assert.Equal(log.Select(e => e.Position.Value), paged.Select(e => e.GetProperty("position").GetInt64()));
        Assert.Equal(log[^1].Position.Value, next);
    }

    [Fact]
    public async Task events_are_cloudevents_with_the_data_as_json()
    {
        var after = await Store.MarkAsync();
        var appended = await Store.AppendEachAsync(TestEvents.Occurrence("derna"));
        var recorded = (await Store.VisibleAsync(appended)).Single();

        var e = (await GetJsonAsync(server.Client, $"/feed?after={after}")).GetProperty("events")[0];

        Assert.Equal("1.0", e.GetProperty("specversion").GetString());
        Assert.Equal(recorded.Id, e.GetProperty("id").GetGuid());
        Assert.Equal($"/conflictledger/{server.Schema}/streams/{recorded.StreamId}", e.GetProperty("source").GetString());
        Assert.Equal(TestEvents.Clash, e.GetProperty("type").GetString());
        Assert.Equal(recorded.StreamId, e.GetProperty("subject").GetString());
        Assert.Equal(recorded.RecordedAt, e.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("application/json", e.GetProperty("datacontenttype").GetString());
        Assert.Equal("derna", e.GetProperty("data").GetProperty("account").GetProperty("place").GetString());
        // JSON numbers, as consumers have always read them (the SDK's Integer is 32-bit, so they are not SDK-typed extensions).
        Assert.Equal(JsonValueKind.Number, e.GetProperty("position").ValueKind);
        Assert.Equal(recorded.Position.Value, e.GetProperty("position").GetInt64());
        Assert.Equal(1, e.GetProperty("streamversion").GetInt64());
    }

    [Fact]
    public async Task feed_events_parse_with_the_cloudevents_sdk()
    {
        var after = await Store.MarkAsync();
        var appended = await Store.AppendEachAsync(TestEvents.Occurrence("derna"));
        var recorded = (await Store.VisibleAsync(appended)).Single();

        var json = (await GetJsonAsync(server.Client, $"/feed?after={after}")).GetProperty("events")[0].GetRawText();
        var position = CloudEventAttribute.CreateExtension("position", CloudEventAttributeType.Integer);
        var streamVersion = CloudEventAttribute.CreateExtension("streamversion", CloudEventAttributeType.Integer);
        var e = new JsonEventFormatter().DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(json), null, [position, streamVersion]);

        Assert.Equal(recorded.Id.ToString(), e.Id);
        Assert.Equal(TestEvents.Clash, e.Type);
        Assert.Equal(recorded.StreamId, e.Subject);
        Assert.Equal(new Uri($"/conflictledger/{server.Schema}/streams/{recorded.StreamId}", UriKind.Relative), e.Source);
        Assert.Equal(recorded.RecordedAt, e.Time);
        Assert.Equal((int)recorded.Position.Value, e[position]);
        Assert.Equal(1, e[streamVersion]);
        Assert.Equal("derna", ((JsonElement)e.Data!).GetProperty("account").GetProperty("place").GetString());
    }

    [Fact]
    public async Task a_type_filter_returns_only_those_types_in_log_order()
    {
        var after = await Store.MarkAsync();
        var events = await Store.AppendEachAsync(
            TestEvents.Occurrence(type: TestEvents.Clash), TestEvents.Occurrence(type: TestEvents.Protest),
            TestEvents.Occurrence(type: "shelling-reported.v1"), TestEvents.Occurrence(type: TestEvents.Clash));
        await Store.VisibleAsync(events);

        var page = await GetJsonAsync(server.Client, $"/feed?after={after}&type={TestEvents.Clash},{TestEvents.Protest}");

        Assert.Equal(events.Where(e => e.Type != "shelling-reported.v1").Select(e => e.Id), page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
        Assert.True(page.GetProperty("complete").GetBoolean());
    }

    [Theory]
    [InlineData("landmark=derna")]
    [InlineData("type=" + TestEvents.Clash)]
    [InlineData("type=" + TestEvents.Clash + "&landmark=derna")]
    public async Task a_filtered_page_holds_the_corrections_and_retractions_of_the_accounts_it_showed(string filter)
    {
        var after = await Store.MarkAsync();
        var (all, passing) = await Store.AppendFollowUpsAsync();
        await Store.VisibleAsync(all);

        var page = await GetJsonAsync(server.Client, $"/feed?after={after}&{filter}");

        Assert.Equal(passing.Select(e => e.Id), page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task a_filtered_page_continues_from_the_last_event_read_even_when_none_passed()
    {
        var after = await Store.MarkAsync();
        var events = await Store.AppendEachAsync(TestEvents.Occurrence("benghazi"), TestEvents.Occurrence("benghazi"), TestEvents.Occurrence("derna"));
        var recorded = await Store.VisibleAsync(events);

        var first = await GetJsonAsync(server.Client, $"/feed?after={after}&landmark=derna&limit=2");
        var second = await GetJsonAsync(server.Client, $"/feed?after={first.GetProperty("next").GetInt64()}&landmark=derna&limit=2");

        Assert.Empty(first.GetProperty("events").EnumerateArray());
        Assert.False(first.GetProperty("complete").GetBoolean());
        Assert.Equal(recorded[1].Position.Value, first.GetProperty("next").GetInt64());
        Assert.Equal([events[2].Id], second.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task a_full_page_is_immutable_under_a_strong_etag_and_answers_304()
    {
        var after = await Store.MarkAsync();
        await Store.VisibleAsync(await Store.AppendManyAsync(3));

        using var first = await server.Client.GetAsync($"/feed?after={after}&limit=2");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.True(first.Headers.CacheControl is { Public: true, MaxAge.TotalDays: >= 365 });
        Assert.Contains("immutable", first.Headers.CacheControl.ToString(), StringComparison.Ordinal);

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/feed?after={after}&limit=2");
        again.Headers.IfNoneMatch.Add(etag);
        using var second = await server.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task a_page_that_reaches_the_head_is_not_stored_by_caches()
    {
        var after = await Store.MarkAsync();
        await Store.VisibleAsync(await Store.AppendManyAsync(2));

        using var response = await server.Client.GetAsync($"/feed?after={after}&limit=50");
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.True(page.GetProperty("complete").GetBoolean());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Null(response.Headers.ETag);
    }

    [Theory]
    [InlineData("after=abc", "after")]
    [InlineData("after=-1", "after")]
    [InlineData("after=987654321987", "after")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    public async Task a_bad_after_or_limit_is_a_400_problem_naming_the_parameter(string query, string parameter)
    {
        using var response = await server.Client.GetAsync("/feed?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task the_openapi_document_lists_the_feed_and_webhook_routes()
    {
        var document = await GetJsonAsync(server.Client, "/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/feed", paths);
        Assert.Contains("/feed/live", paths);
        Assert.Contains("/api/webhooks", paths);
        Assert.Contains("/api/webhooks/{id}/replay", paths);
        Assert.Contains("/health/ready", paths);
    }
}
