using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Server.Tests.Reports;

/// <summary>
/// Writes touch only what they own: a correction or retraction names a standing account of
/// that occurrence, with or without an Idempotency-Key; idempotency keys are scoped to the
/// API key; the same account twice is refused, pointing at the first.
/// </summary>
public sealed class OwnershipTests(SeededServerFixture server) : IClassFixture<SeededServerFixture>
{
    private static object Account(int fatalities = 3) => new
    {
        kind = "territory-taken",
        when = new { earliest = "2015-06-18", precision = "day" },
        place = "Pearl Hotel",
        actors = new[] { new { actor = "MSC", role = "gainer" }, new { actor = "IS", role = "loser" } },
        fatalities = new { exact = fatalities },
        source = new { outlet = "Ownership wire", published = "2015-06-19", quote = "Shura Council fighters entered the hotel." },
    };

    private static string NewId() => "own-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<HttpResponseMessage> Post(HttpClient client, string url, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    private async Task<Recorded> ReportAsync(string id, object? account = null, HttpClient? client = null)
    {
        using var response = await Post(client ?? server.Writer, "/api/occurrences", new { occurrenceId = id, account = account ?? Account() });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<Recorded>())!;
    }

    private static string AccountUrl(string occurrence, string account, string action) =>
        $"/api/occurrences/{occurrence}/accounts/{Uri.EscapeDataString(account)}/{action}";

    private static object Body(string action) => action == "corrections"
        ? new { account = Account(fatalities: 9), reason = "figures revised" }
        : new { reason = "withdrawn" };

    private Task<long> VersionAsync(string id) => server.Store.StreamVersionAsync(OccurrenceEvents.StreamId(id));

    private static async Task<JsonElement> Problem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Theory]
    [InlineData("corrections", null)]
    [InlineData("corrections", "key")]
    [InlineData("retraction", null)]
    [InlineData("retraction", "key")]
    public async Task naming_an_account_of_another_occurrence_is_a_404_and_writes_nothing(string action, string? key)
    {
        var mine = await ReportAsync(NewId());
        var other = await ReportAsync(NewId(), Account(fatalities: 5));

        using var response = await Post(server.Writer, AccountUrl(other.OccurrenceId, mine.AccountId, action), Body(action),
            key is null ? null : Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(mine.AccountId, (await Problem(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await VersionAsync(other.OccurrenceId));
        Assert.Equal(1, await VersionAsync(mine.OccurrenceId));
    }

    [Theory]
    [InlineData("corrections", null)]
    [InlineData("corrections", "key")]
    [InlineData("retraction", null)]
    [InlineData("retraction", "key")]
    public async Task a_retracted_account_is_a_409_and_writes_nothing(string action, string? key)
    {
        var recorded = await ReportAsync(NewId());
        using (var retracted = await Post(server.Writer, AccountUrl(recorded.OccurrenceId, recorded.AccountId, "retraction"), new { reason = "withdrawn" }))
            Assert.Equal(HttpStatusCode.OK, retracted.StatusCode);

        using var response = await Post(server.Writer, AccountUrl(recorded.OccurrenceId, recorded.AccountId, action), Body(action),
            key is null ? null : Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("retracted", (await Problem(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, await VersionAsync(recorded.OccurrenceId));
    }

    [Fact]
    public async Task a_retried_retraction_with_its_key_replays_the_first_answer()
    {
        var recorded = await ReportAsync(NewId());
        var key = Guid.NewGuid().ToString();
        var url = AccountUrl(recorded.OccurrenceId, recorded.AccountId, "retraction");

        using var first = await Post(server.Writer, url, new { reason = "withdrawn" }, key);
        using var retry = await Post(server.Writer, url, new { reason = "withdrawn" }, key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(2, await VersionAsync(recorded.OccurrenceId));
    }

    [Fact]
    public async Task the_same_idempotency_key_from_two_api_keys_makes_two_accounts()
    {
        var id = NewId();
        await ReportAsync(id);
        var key = Guid.NewGuid().ToString();

        using var mine = await Post(server.Writer, $"/api/occurrences/{id}/accounts", Account(fatalities: 7), key);
        using var theirs = await Post(server.OtherWriter, $"/api/occurrences/{id}/accounts", Account(fatalities: 8), key);

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.True(theirs.StatusCode == HttpStatusCode.Created, await theirs.Content.ReadAsStringAsync());
        var (a, b) = ((await mine.Content.ReadFromJsonAsync<Recorded>())!, (await theirs.Content.ReadFromJsonAsync<Recorded>())!);
        Assert.NotEqual(a.AccountId, b.AccountId);
        Assert.False(b.Replayed);
        Assert.Equal(3, await VersionAsync(id));
    }

    [Fact]
    public async Task one_api_key_cannot_replay_or_collide_with_another_keys_new_occurrence()
    {
        var key = Guid.NewGuid().ToString();
        using var mine = await Post(server.Writer, "/api/occurrences", new { account = Account(fatalities: 11) }, key);
        using var theirs = await Post(server.OtherWriter, "/api/occurrences", new { account = Account(fatalities: 12) }, key);

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        var (a, b) = ((await mine.Content.ReadFromJsonAsync<Recorded>())!, (await theirs.Content.ReadFromJsonAsync<Recorded>())!);
        Assert.NotEqual(a.OccurrenceId, b.OccurrenceId);
        Assert.NotEqual(a.AccountId, b.AccountId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task an_identical_account_is_refused_with_409_pointing_at_the_first(bool fromTheOtherApiKey)
    {
        var id = NewId();
        var first = await ReportAsync(id);

        using var again = await Post(fromTheOtherApiKey ? server.OtherWriter : server.Writer, $"/api/occurrences/{id}/accounts", Account());

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await Problem(again);
        Assert.Equal(first.AccountId, problem.GetProperty("accountId").GetString());
        Assert.Equal($"/api/occurrences/{id}", problem.GetProperty("location").GetString());
        Assert.Equal(1, await VersionAsync(id));
    }

    [Fact]
    public async Task a_blind_retry_of_a_new_report_without_a_key_is_refused_pointing_at_the_first()
    {
        var body = new { account = Account(fatalities: 40 + Random.Shared.Next(1000)) };
        using var first = await Post(server.Writer, "/api/occurrences", body);
        using var retry = await Post(server.Writer, "/api/occurrences", body);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var recorded = (await first.Content.ReadFromJsonAsync<Recorded>())!;
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal(recorded.AccountId, (await Problem(retry)).GetProperty("accountId").GetString());
        Assert.Equal(1, await VersionAsync(recorded.OccurrenceId));
    }
}
