using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Server.Tests.Reports;

public sealed class ReportsApiTests(SeededServerFixture server) : IClassFixture<SeededServerFixture>
{
    private static object Account(string place = "Pearl Hotel", string earliest = "2015-06-18", object? fatalities = null, string firmness = "reported", string? claimant = null) => new
    {
        kind = "territory-taken",
        when = new { earliest, latest = earliest, precision = "day" },
        place,
        actors = new[] { new { actor = "MSC", role = "gainer" }, new { actor = "IS", role = "loser" } },
        fatalities,
        firmness,
        claimant,
        source = new { outlet = "Test wire", headline = "Shura Council takes the Pearl Hotel", published = "2015-06-19", quote = "Shura Council fighters entered the hotel." },
    };

    private static string NewId() => "test-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(HttpResponseMessage Response, Recorded? Body)> Report(object body, HttpClient? client = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/occurrences") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        var response = await (client ?? server.Writer).SendAsync(request);
        return (response, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<Recorded>() : null);
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task a_report_creates_an_occurrence_that_can_be_read_at_its_position()
    {
        var id = NewId();
        var (response, recorded) = await Report(new { occurrenceId = id, account = Account() });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/occurrences/{id}", response.Headers.Location?.ToString());
        Assert.Equal((id, 1L), (recorded!.OccurrenceId, recorded.Version));
        Assert.True(recorded.Position > 0);

        var read = await server.Client.GetAsync($"/api/occurrences/{id}?minPosition={recorded.Position}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pearl-hotel", view.GetProperty("accounts")[0].GetProperty("account").GetProperty("place").GetString());
    }

    [Fact]
    public async Task a_second_source_is_added_with_if_match_and_a_stale_version_is_refused()
    {
        var id = NewId();
        var (first, _) = await Report(new { occurrenceId = id, account = Account() });
        Assert.True(first.StatusCode == HttpStatusCode.Created, await first.Content.ReadAsStringAsync());

        using var add = new HttpRequestMessage(HttpMethod.Post, $"/api/occurrences/{id}/accounts") { Content = JsonContent.Create(Account(fatalities: new { atLeast = 4 })) };
        add.Headers.IfMatch.Add(new("\"1\""));
        var added = await server.Writer.SendAsync(add);
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        Assert.Equal("\"2\"", added.Headers.ETag?.Tag);

        using var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/occurrences/{id}/accounts") { Content = JsonContent.Create(Account()) };
        stale.Headers.IfMatch.Add(new("\"1\""));
        var refused = await server.Writer.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        var problem = await Problem(refused);
        Assert.Equal(2, problem.GetProperty("actual").GetInt64());
        Assert.Equal(2, await server.Store.StreamVersionAsync(OccurrenceEvents.StreamId(id)));
    }

    [Fact]
    public async Task a_retried_post_with_the_same_idempotency_key_returns_the_first_result()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { account = Account() };
        var (first, recorded) = await Report(body, idempotencyKey: key);
        var (second, replayed) = await Report(body, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(recorded, replayed! with { Replayed = false });
        Assert.True(replayed.Replayed);
        Assert.Equal(1, await server.Store.StreamVersionAsync(OccurrenceEvents.StreamId(recorded!.OccurrenceId)));

        var (reused, _) = await Report(new { account = Account(earliest: "2015-06-20") }, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
    }

    [Fact]
    public async Task an_unauthenticated_report_is_refused_and_appends_nothing()
    {
        var id = NewId();
        var (response, _) = await Report(new { occurrenceId = id, account = Account() }, server.Client);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await server.Store.StreamVersionAsync(OccurrenceEvents.StreamId(id)));
    }

    [Theory]
    [InlineData("place", "account.place")]
    [InlineData("date", "account.when.earliest")]
    [InlineData("fatalities", "account.fatalities")]
    [InlineData("claimant", "account.claimant")]
    public async Task a_bad_body_gets_a_problem_naming_the_field_and_appends_nothing(string fault, string field)
    {
        var id = NewId();
        var account = fault switch
        {
            "place" => Account(place: "Atlantis"),
            "date" => Account(earliest: "2015-13-45"),
            "fatalities" => Account(fatalities: new { exact = -2 }),
            _ => Account(firmness: "claimed"),
        };
        var (response, _) = await Report(new { occurrenceId = id, account });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Problem(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), errors.ToString());
        Assert.NotEmpty(messages.EnumerateArray());
        Assert.Equal(0, await server.Store.StreamVersionAsync(OccurrenceEvents.StreamId(id)));
    }

    [Fact]
    public async Task corrections_and_retractions_are_new_events_and_a_second_retraction_is_refused()
    {
        var id = NewId();
        var (_, recorded) = await Report(new { occurrenceId = id, account = Account() });

        var corrected = await server.Writer.PostAsJsonAsync($"/api/occurrences/{id}/accounts/{recorded!.AccountId.Replace("/", "%2F", StringComparison.Ordinal)}/corrections",
            new { account = Account(earliest: "2015-06-17"), reason = "the wire corrected the date" });
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);

        var retract = $"/api/occurrences/{id}/accounts/{recorded.AccountId.Replace("/", "%2F", StringComparison.Ordinal)}/retraction";
        Assert.Equal(HttpStatusCode.OK, (await server.Writer.PostAsJsonAsync(retract, new { reason = "the wire withdrew the story" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Writer.PostAsJsonAsync(retract, new { reason = "again" })).StatusCode);

        var stream = new List<string>();
        await foreach (var e in server.Store.ReadStreamAsync(OccurrenceEvents.StreamId(id))) stream.Add(e.Type);
        Assert.Equal(["territory-taken-reported.v1", OccurrenceEvents.Corrected, OccurrenceEvents.Retracted], stream);
    }

    [Fact]
    public async Task reporting_an_occurrence_id_that_exists_is_a_conflict_pointing_at_the_accounts_route()
    {
        var id = NewId();
        await Report(new { occurrenceId = id, account = Account() });
        var (again, _) = await Report(new { occurrenceId = id, account = Account(fatalities: new { exact = 3 }) });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("/accounts", (await Problem(again)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await server.Store.StreamVersionAsync(OccurrenceEvents.StreamId(id)));
    }

    [Fact]
    public async Task writing_to_an_unknown_occurrence_is_a_404()
    {
        var response = await server.Writer.PostAsJsonAsync("/api/occurrences/no-such-thing/accounts", Account());
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await Problem(response);
    }
}
