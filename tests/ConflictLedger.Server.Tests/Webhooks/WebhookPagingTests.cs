using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Server.Tests.Webhooks;

/// <summary>
/// <c>GET /api/webhooks</c> and a webhook's delivery records come in pages like the other
/// lists: <c>limit</c>, <c>after</c>, the next page in <c>Link: rel="next"</c>, a problem
/// naming the field for a bad one; without them the answer is what it always was.
/// </summary>
public sealed class WebhookPagingTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<Guid> CreateAsync(string url)
    {
        using var response = await server.Writer.PostAsJsonAsync("/api/webhooks", new { url });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<(List<JsonElement> Items, string? Next)> PageAsync(string url)
    {
        using var response = await server.Writer.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        var next = response.Headers.TryGetValues("Link", out var links) ? links.Single() : null;
        if (next is not null) Assert.Matches("^<[^>]+>; rel=\"next\"$", next);
        return (items, next?.Split('>')[0].TrimStart('<'));
    }

    /// <summary>Follows every Link from <paramref name="first"/>; <paramref name="between"/> runs after each page.</summary>
    private async Task<(List<JsonElement> Items, int Pages)> WalkAsync(string first, int limit, Func<List<JsonElement>, Task>? between = null)
    {
        var all = new List<JsonElement>();
        string? next = first;
        var pages = 0;
        while (next is not null)
        {
            var (items, link) = await PageAsync(next);
            Assert.InRange(items.Count, 1, limit);
            all.AddRange(items);
            pages++;
            if (link is not null && between is not null) await between(items);
            next = link;
        }
        return (all, pages);
    }

    /// <summary>A delivery is recorded after the receiver answered: wait for the records, not the calls.</summary>
    private Task RecordedAsync(Guid id, int count) => Eventually.TrueAsync(
        async () => (await PageAsync($"/api/webhooks/{id}/deliveries")).Items.Count >= count, $"{count} delivery records");

    private static List<Guid> Ids(IEnumerable<JsonElement> hooks) => hooks.Select(h => h.GetProperty("id").GetGuid()).ToList();

    [Fact]
    public async Task the_webhook_pages_walk_every_webhook_once_in_creation_order_and_the_unpaged_list_is_unchanged()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++) created.Add(await CreateAsync(receiver.Url));

        var (walked, pages) = await WalkAsync("/api/webhooks?limit=3", 3);

        var (unpaged, link) = await PageAsync("/api/webhooks");
        Assert.Null(link);
        Assert.True(pages >= 3);
        Assert.Equal(Ids(unpaged), Ids(walked));
        Assert.Equal(Ids(walked).Distinct().Count(), walked.Count);
        Assert.Equal(created, Ids(walked).Where(created.Contains));
        // The same objects as the list always gave, field for field.
        Assert.Equal(unpaged.Select(h => h.GetRawText()), walked.Select(h => h.GetRawText()));
    }

    [Fact]
    public async Task a_webhook_deleted_at_the_end_of_a_page_does_not_break_the_walk()
    {
        await using var receiver = await TestReceiver.StartAsync();
        for (var i = 0; i < 5; i++) await CreateAsync(receiver.Url);
        var before = Ids((await PageAsync("/api/webhooks")).Items);
        var deleted = new List<Guid>();

        var (walked, _) = await WalkAsync("/api/webhooks?limit=2", 2, async page =>
        {
            var last = page[^1].GetProperty("id").GetGuid();
            using var response = await server.Writer.DeleteAsync($"/api/webhooks/{last}");
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            deleted.Add(last);
        });

        Assert.NotEmpty(deleted);
        Assert.Equal(before, Ids(walked));
    }

    [Fact]
    public async Task the_delivery_pages_walk_every_record_once_latest_first()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var id = await CreateAsync(receiver.Url);
        await server.Store.AppendEachAsync(Enumerable.Range(0, 8).Select(_ => TestEvents.Occurrence()).ToArray());
        await RecordedAsync(id, 8);

        var (walked, pages) = await WalkAsync($"/api/webhooks/{id}/deliveries?limit=3", 3);

        var (unpaged, link) = await PageAsync($"/api/webhooks/{id}/deliveries");
        Assert.Null(link);
        Assert.Equal(3, pages);
        var recordIds = walked.Select(r => r.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(recordIds.OrderDescending(), recordIds);
        Assert.Equal(recordIds.Distinct().Count(), recordIds.Count);
        Assert.Equal(unpaged.Select(r => r.GetRawText()), walked.Select(r => r.GetRawText()));
        Assert.Equal(receiver.Delivered.Select(c => c.Id).Reverse(), walked.Select(r => r.GetProperty("eventId").GetGuid().ToString()));
    }

    [Fact]
    public async Task the_delivery_walk_goes_on_when_the_retention_deletes_the_record_it_stopped_at()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var id = await CreateAsync(receiver.Url);
        await server.Store.AppendEachAsync(Enumerable.Range(0, 5).Select(_ => TestEvents.Occurrence()).ToArray());
        await RecordedAsync(id, 5);
        var before = (await PageAsync($"/api/webhooks/{id}/deliveries")).Items.Select(r => r.GetProperty("id").GetInt64()).ToList();
        var deleted = new List<long>();

        var (walked, _) = await WalkAsync($"/api/webhooks/{id}/deliveries?limit=2", 2, async page =>
        {
            // What the cleanup does to a record past the retention.
            var last = page[^1].GetProperty("id").GetInt64();
            await using var delete = server.DataSource.CreateCommand($"delete from \"{server.Schema}\".webhook_deliveries where id = $1");
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = last });
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
            deleted.Add(last);
        });

        Assert.NotEmpty(deleted);
        Assert.Equal(before, walked.Select(r => r.GetProperty("id").GetInt64()));
    }

    [Theory]
    [InlineData("/api/webhooks?limit=0", "limit")]
    [InlineData("/api/webhooks?limit=10001", "limit")]
    [InlineData("/api/webhooks?limit=many", "limit")]
    [InlineData("/api/webhooks?after=yesterday", "after")]
    [InlineData("/api/webhooks?after=2026-01-01T00:00:00.000000Z_not-a-guid", "after")]
    [InlineData("/api/webhooks/{id}/deliveries?limit=0", "limit")]
    [InlineData("/api/webhooks/{id}/deliveries?limit=1001", "limit")]
    [InlineData("/api/webhooks/{id}/deliveries?after=-3", "after")]
    [InlineData("/api/webhooks/{id}/deliveries?after=0", "after")]
    [InlineData("/api/webhooks/{id}/deliveries?after=latest", "after")]
    public async Task a_bad_limit_or_cursor_gets_a_problem_naming_the_field(string url, string field)
    {
        await using var receiver = await TestReceiver.StartAsync();
        var id = await CreateAsync(receiver.Url);

        using var response = await server.Writer.GetAsync(url.Replace("{id}", id.ToString(), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.False(response.Headers.Contains("Link"));
    }

    [Theory]
    [InlineData("/api/webhooks")]
    [InlineData("/api/webhooks/{id}/deliveries")]
    public async Task the_openapi_document_describes_the_paging(string path)
    {
        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var get = document.GetProperty("paths").GetProperty(path).GetProperty("get");
        Assert.Contains("paged", get.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var parameters = get.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Contains("Link header", parameters["after"].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("1 to", parameters["limit"].GetProperty("description").GetString(), StringComparison.Ordinal);
        var link = get.GetProperty("responses").GetProperty("200").GetProperty("headers").GetProperty("Link");
        Assert.Contains("rel=\"next\"", link.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(get.GetProperty("responses").TryGetProperty("400", out _));
    }
}
