using ConflictLedger.Log;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.Webhooks;

/// <summary>The fixture's server disables a webhook after 4 failures in a row and backs off in milliseconds.</summary>
public sealed class WebhookTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(600);

    private LedgerLog Store => server.Store;

    private async Task<JsonElement> CreateAsync(object request)
    {
        using var response = await server.Writer.PostAsJsonAsync("/api/webhooks", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private async Task<JsonElement> GetAsync(string url)
    {
        using var response = await server.Writer.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private async Task PostAsync(string url)
    {
        using var response = await server.Writer.PostAsync(url, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task DeliveredAsync(TestReceiver receiver, IEnumerable<Guid> ids, int times = 1) =>
        Eventually.TrueAsync(() => ids.All(id => receiver.Delivered.Count(c => c.Id == id.ToString()) >= times), "deliveries");

    /// <summary>Verifies as a receiver would, from the Standard Webhooks spec rather than the server's code.</summary>
    internal static bool SignatureVerifies(ReceivedCall call, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{call.Id}.{call.Timestamp}.").Concat(call.Body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        return call.Signature.Split(' ').Contains(expected);
    }

    [Fact]
    public async Task a_flaky_receiver_gets_every_event_once_in_log_order_with_valid_signatures()
    {
        await using var receiver = await TestReceiver.StartAsync(call => call is <= 3 or 6 ? 500 : 200);
        await CreateAsync(new { url = receiver.Url, secret = Secret });

        var events = new List<EventData>();
        events.AddRange(await Store.AppendManyAsync(3));
        events.AddRange(await Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence(), TestEvents.Occurrence()));
        var inLogOrder = (await Store.VisibleAsync(events)).Select(e => e.Id).ToList();
        await DeliveredAsync(receiver, inLogOrder);

        Assert.Equal(inLogOrder.Select(id => id.ToString()), receiver.Delivered.Select(c => c.Id));
        Assert.Equal(4, receiver.Calls.Count(c => !c.Succeeded));
        Assert.All(receiver.Calls, call => Assert.True(SignatureVerifies(call, Secret), $"signature of call {call.Call}"));
        Assert.All(receiver.Calls, call => Assert.InRange(long.Parse(call.Timestamp, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var body = JsonDocument.Parse(receiver.Delivered[0].Body).RootElement;
        Assert.Equal(inLogOrder[0], body.GetProperty("id").GetGuid());
        Assert.Equal("1.0", body.GetProperty("specversion").GetString());
    }

    [Fact]
    public async Task a_receiver_that_stays_down_disables_the_webhook_with_its_last_error_and_resume_recovers()
    {
        await using var receiver = await TestReceiver.StartAsync(_ => 503);
        var id = (await CreateAsync(new { url = receiver.Url })).GetProperty("id").GetGuid();
        var events = await Store.AppendEachAsync(TestEvents.Occurrence());

        JsonElement hook = default;
        await Eventually.TrueAsync(async () =>
        {
            hook = await GetAsync($"/api/webhooks/{id}");
            return hook.GetProperty("status").GetString() == "disabled";
        }, "webhook disabled");
        Assert.Equal(4, hook.GetProperty("consecutiveFailures").GetInt32());
        Assert.Contains("503", hook.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.True(hook.TryGetProperty("disabledAt", out _));
        var attempts = (await GetAsync($"/api/webhooks/{id}/deliveries")).EnumerateArray().ToList();
        Assert.Equal([4, 3, 2, 1], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.All(attempts, a => Assert.Equal(503, a.GetProperty("statusCode").GetInt32()));
        Assert.All(attempts, a => Assert.False(a.GetProperty("succeeded").GetBoolean()));
        Assert.All(attempts, a => Assert.Equal(events[0].Id, a.GetProperty("eventId").GetGuid()));

        receiver.Answer = _ => 200;
        await PostAsync($"/api/webhooks/{id}/resume");
        await DeliveredAsync(receiver, [events[0].Id]);
        await Eventually.TrueAsync(async () => (await GetAsync($"/api/webhooks/{id}")).GetProperty("consecutiveFailures").GetInt32() == 0, "failures cleared");
        Assert.Equal("active", (await GetAsync($"/api/webhooks/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task pause_stops_delivery_and_resume_continues_where_it_stopped()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var id = (await CreateAsync(new { url = receiver.Url })).GetProperty("id").GetGuid();
        var first = await Store.AppendEachAsync(TestEvents.Occurrence());
        await DeliveredAsync(receiver, [first[0].Id]);

        await PostAsync($"/api/webhooks/{id}/pause");
        Assert.Equal("paused", (await GetAsync($"/api/webhooks/{id}")).GetProperty("status").GetString());
        var second = await Store.AppendEachAsync(TestEvents.Occurrence());
        await Store.VisibleAsync(second);
        // Nothing can signal "not delivered", so give the dispatcher time to get it wrong.
        await Task.Delay(QuietPeriod);
        Assert.DoesNotContain(receiver.Calls, c => c.Id == second[0].Id.ToString());

        await PostAsync($"/api/webhooks/{id}/resume");
        await DeliveredAsync(receiver, [second[0].Id]);
        Assert.Equal([first[0].Id.ToString(), second[0].Id.ToString()], receiver.Delivered.Select(c => c.Id));
    }

    [Fact]
    public async Task replay_from_a_position_delivers_everything_after_it_again()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var id = (await CreateAsync(new { url = receiver.Url })).GetProperty("id").GetGuid();
        var events = await Store.VisibleAsync(await Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence(), TestEvents.Occurrence()));
        await DeliveredAsync(receiver, events.Select(e => e.Id));
        await Eventually.TrueAsync(async () => (await GetAsync($"/api/webhooks/{id}")).GetProperty("position").GetInt64() == events[^1].Position.Value, "checkpoint at the last event");
        var before = receiver.Calls.Count;

        await PostAsync($"/api/webhooks/{id}/replay?from={events[0].Position.Value}");
        await DeliveredAsync(receiver, events.Skip(1).Select(e => e.Id), times: 2);

        Assert.Equal(events.Skip(1).Select(e => e.Id.ToString()), receiver.Calls.Skip(before).Select(c => c.Id));
    }

    [Fact]
    public async Task a_webhook_with_types_and_a_landmark_receives_only_matching_events()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await CreateAsync(new { url = receiver.Url, types = new[] { TestEvents.Clash }, landmark = "derna" });

        var events = await Store.AppendEachAsync(
            TestEvents.Occurrence("derna"), TestEvents.Occurrence("benghazi"), TestEvents.Occurrence("derna", TestEvents.Protest),
            TestEvents.Occurrence("derna"));
        await DeliveredAsync(receiver, [events[3].Id]);

        // Delivery is in order, so by the time the last match arrived every earlier event was passed over.
        Assert.Equal([events[0].Id.ToString(), events[3].Id.ToString()], receiver.Calls.Select(c => c.Id));
    }

    [Fact]
    public async Task a_filtered_webhook_receives_the_corrections_and_retractions_of_the_accounts_it_was_sent()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await CreateAsync(new { url = receiver.Url, types = new[] { TestEvents.Clash }, landmark = "derna" });

        var (_, passing) = await Store.AppendFollowUpsAsync();
        var sentinel = await Store.AppendEachAsync(TestEvents.Occurrence("derna"));
        await DeliveredAsync(receiver, [sentinel[0].Id]);

        Assert.Equal(passing.Concat(sentinel).Select(e => e.Id.ToString()), receiver.Calls.Select(c => c.Id));
    }

    [Fact]
    public async Task a_created_webhook_shows_its_generated_secret_once_and_can_be_deleted()
    {
        var created = await CreateAsync(new { url = "http://127.0.0.1:9/hook", description = "ops" });
        var id = created.GetProperty("id").GetGuid();
        Assert.StartsWith("whsec_", created.GetProperty("secret").GetString(), StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(created.GetProperty("secret").GetString()!["whsec_".Length..]).Length);

        var listed = (await GetAsync("/api/webhooks")).EnumerateArray().Single(h => h.GetProperty("id").GetGuid() == id);
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.Equal("ops", listed.GetProperty("description").GetString());

        using var deleted = await server.Writer.DeleteAsync($"/api/webhooks/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await server.Writer.GetAsync($"/api/webhooks/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"url": "ftp://example.org/hook"}""", "url")]
    [InlineData("""{"url": "/relative"}""", "url")]
    [InlineData("""{}""", "url")]
    [InlineData("""{"url": "http://127.0.0.1:9/hook", "secret": "not-a-secret"}""", "secret")]
    [InlineData("""{"url": "http://127.0.0.1:9/hook", "types": [""]}""", "types")]
    [InlineData("""{"url": "http://127.0.0.1:9/hook", "batchSize": 10}""", "batchSize")]
    [InlineData("""{"url": "http://127.0.0.1:9/hook", "batch": true, "batchSize": 0}""", "batchSize")]
    [InlineData("""{"url": "http://127.0.0.1:9/hook", "batch": true, "batchSize": 1001}""", "batchSize")]
    public async Task an_invalid_webhook_is_a_400_problem_naming_the_field(string json, string field)
    {
        using var response = await server.Writer.PostAsync("/api/webhooks", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_malformed_body_is_a_400_problem()
    {
        using var response = await server.Writer.PostAsync("/api/webhooks", new StringContent("{\"url\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("", "from")]
    [InlineData("?from=-3", "from")]
    [InlineData("?from=987654321987", "from")]
    public async Task a_replay_without_a_known_position_is_a_400_problem(string query, string field)
    {
        var id = (await CreateAsync(new { url = "http://127.0.0.1:9/hook" })).GetProperty("id").GetGuid();

        using var response = await server.Writer.PostAsync($"/api/webhooks/{id}/replay{query}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _));
        (await server.Writer.DeleteAsync($"/api/webhooks/{id}")).Dispose();
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/deliveries")]
    [InlineData("POST", "/pause")]
    [InlineData("POST", "/resume")]
    [InlineData("POST", "/replay?from=0")]
    [InlineData("DELETE", "")]
    public async Task an_unknown_webhook_is_a_404_problem(string method, string path)
    {
        using var response = await server.Writer.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/webhooks/{Guid.NewGuid()}{path}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
