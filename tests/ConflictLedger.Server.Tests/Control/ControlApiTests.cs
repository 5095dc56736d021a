using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConflictLedger.Server.Tests.Control;

/// <summary>The read API over the Derna seed the server imports at start.</summary>
public sealed class ControlApiTests(SeededServerFixture server) : IClassFixture<SeededServerFixture>
{
    private async Task<JsonElement> Get(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        // The seed is imported before the server listens; the daemon projects it right after.
        await ConflictLedger.Testing.Eventually.TrueAsync(async () => (await server.Client.GetAsync("/health/ready")).IsSuccessStatusCode, "read model caught up");
        var response = await server.Client.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task control_at_a_date_names_the_holder_and_its_sources()
    {
        var answer = await Get("/api/control?at=2015-08-01&landmark=derna");
        var interval = answer.GetProperty("landmarks")[0].GetProperty("interval");
        Assert.Equal("mujahideen-shura-council", interval.GetProperty("controller").GetString());
        Assert.Equal("held", interval.GetProperty("status").GetString());
        Assert.True(interval.GetProperty("evidence").GetArrayLength() >= 3);
        Assert.True(answer.GetProperty("position").GetInt64() > 0);
    }

    [Fact]
    public async Task control_as_known_before_any_report_has_no_answer()
    {
        var answer = await Get("/api/control?at=2015-08-01T12:00:00Z&known=2015-06-12&landmark=derna");
        Assert.False(answer.GetProperty("landmarks")[0].TryGetProperty("interval", out _));
        Assert.Equal("2015-06-12", answer.GetProperty("known").GetString());
    }

    [Fact]
    public async Task control_within_a_city_lists_its_landmarks()
    {
        var answer = await Get("/api/control?at=2015-06-20&within=derna");
        var ids = answer.GetProperty("landmarks").EnumerateArray().Select(l => l.GetProperty("landmark").GetProperty("id").GetString()).ToList();
        Assert.Contains("al-harish-hospital", ids);
        Assert.DoesNotContain("ras-hilal", ids);
    }

    [Theory]
    [InlineData("/api/control", "at")]
    [InlineData("/api/control?at=yesterday", "at")]
    [InlineData("/api/control?at=2015-06-01&known=soon", "known")]
    [InlineData("/api/control?at=2015-06-01&landmark=atlantis", "landmark")]
    [InlineData("/api/control?at=2015-06-01&minPosition=999999999", "minPosition")]
    public async Task a_bad_query_gets_a_problem_naming_the_parameter(string path, string field)
    {
        var problem = await Get(path, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task a_landmark_timeline_lists_each_change_with_its_sources()
    {
        var timeline = await Get("/api/landmarks/bab-tobruk/timeline");
        var intervals = timeline.GetProperty("intervals");
        Assert.Equal("mujahideen-shura-council", intervals[intervals.GetArrayLength() - 1].GetProperty("controller").GetString());
        Assert.Contains(timeline.GetProperty("claims").EnumerateArray(), c => c.GetProperty("source").GetProperty("file").GetString() == "003_316552248265ceb0.txt");
        await Get("/api/landmarks/atlantis/timeline", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task an_occurrence_carries_every_account_and_the_casualty_range()
    {
        var view = await Get("/api/occurrences/derna-clashes-first-day");
        var casualties = view.GetProperty("casualties");
        Assert.Equal((11, 20, 2), (casualties.GetProperty("low").GetInt32(), casualties.GetProperty("high").GetInt32(), casualties.GetProperty("sources").GetInt32()));
        Assert.Equal(3, view.GetProperty("accounts").GetArrayLength());
        await Get("/api/occurrences/no-such-thing", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task the_catalog_lists_actors_and_landmarks_and_looks_up_aliases()
    {
        Assert.Contains((await Get("/api/catalog/actors")).EnumerateArray(), a => a.GetProperty("id").GetString() == "abu-salim-martyrs-brigade");
        Assert.Contains((await Get("/api/catalog/landmarks")).EnumerateArray(), l => l.GetProperty("id").GetString() == "pearl-hotel");
        Assert.Equal("derna", (await Get("/api/catalog/lookup?name=Darnah")).GetProperty("landmark").GetProperty("id").GetString());
        Assert.Equal("mujahideen-shura-council", (await Get("/api/catalog/lookup?name=Shura%20Council%20of%20Darna%27s%20Jihadists")).GetProperty("actor").GetProperty("id").GetString());
        await Get("/api/catalog/lookup?name=Atlantis", HttpStatusCode.NotFound);
        await Get("/api/catalog/lookup", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task landmarks_with_coordinates_are_served_as_geojson_with_their_controller()
    {
        var response = await server.Client.GetAsync("/api/landmarks.geojson?at=2015-08-01");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var geo = await response.Content.ReadFromJsonAsync<JsonElement>();
        var derna = Assert.Single(geo.GetProperty("features").EnumerateArray(), f => f.GetProperty("id").GetString() == "derna");
        Assert.Equal([22.637, 32.767], derna.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()));
        Assert.Equal("mujahideen-shura-council", derna.GetProperty("properties").GetProperty("controller").GetString());
        Assert.DoesNotContain(geo.GetProperty("features").EnumerateArray(), f => f.GetProperty("id").GetString() == "pearl-hotel");
    }

    [Fact]
    public async Task the_openapi_document_lists_the_read_and_write_routes()
    {
        var paths = (await Get("/openapi/v1.json")).GetProperty("paths");
        foreach (var route in new[] { "/api/control", "/api/landmarks/{id}/timeline", "/api/occurrences", "/api/occurrences/{id}/accounts", "/api/catalog/actors", "/api/landmarks.geojson" })
            Assert.True(paths.TryGetProperty(route, out _), route);
    }
}
