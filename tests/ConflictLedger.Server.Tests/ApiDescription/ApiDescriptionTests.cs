using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConflictLedger.Server.Tests.ApiDescription;

/// <summary>The API explains itself: problems that name the field and position, an OpenAPI document with the key scheme and every problem, a reference at /docs, messages naming real commands.</summary>
public sealed class ApiDescriptionTests(SeededServerFixture server) : IClassFixture<SeededServerFixture>
{
    private async Task<(HttpStatusCode Status, JsonElement Problem)> PostRaw(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await server.Writer.PostAsync(path, content);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private const string Account = """
        {"kind": "territory-taken", "when": {"earliest": "2015-06-18", "precision": "day"}, "place": "Pearl Hotel",
         "actors": [{"actor": "MSC", "role": "gainer"}], "firmness": "reported", FATALITIES
         "source": {"outlet": "Test wire", "published": "2015-06-19"}}
        """;

    [Fact]
    public async Task malformed_json_gets_a_problem_naming_where_it_broke()
    {
        var (status, problem) = await PostRaw("/api/occurrences", "{\"occurrenceId\": \"broken-json\",\n \"account\": {\"kind\": }");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The body is not valid JSON.", problem.GetProperty("title").GetString());
        var (field, messages) = problem.GetProperty("errors").EnumerateObject().Select(p => (p.Name, p.Value)).Single();
        Assert.Equal("account.kind", field);
        Assert.Matches(new Regex(@"line 2, position \d+"), messages[0].GetString()!);
    }

    [Fact]
    public async Task a_value_of_the_wrong_type_gets_a_problem_naming_the_field_and_what_was_expected()
    {
        var (status, problem) = await PostRaw("/api/occurrences", "{\"occurrenceId\": \"wrong-type\", \"account\": " + Account.Replace("FATALITIES", "\"fatalities\": {\"atLeast\": \"many\"},", StringComparison.Ordinal) + "}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var message = problem.GetProperty("errors").GetProperty("account.fatalities.atLeast")[0].GetString()!;
        Assert.StartsWith("expected a whole number", message, StringComparison.Ordinal);
        Assert.Contains("position", message, StringComparison.Ordinal);
        Assert.Equal(0, await server.Store.StreamVersionAsync("incident-wrong-type"));
    }

    [Fact]
    public async Task an_unknown_enum_value_lists_the_values_allowed()
    {
        var (status, problem) = await PostRaw("/api/occurrences", "{\"occurrenceId\": \"bad-kind\", \"account\": " + Account.Replace("FATALITIES", "", StringComparison.Ordinal).Replace("territory-taken", "picnic", StringComparison.Ordinal) + "}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("territory-taken", problem.GetProperty("errors").GetProperty("account.kind")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_query_value_of_the_wrong_type_names_the_parameter()
    {
        using var response = await server.Client.GetAsync("/api/control?at=2015-06-01&minPosition=soon");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("whole number", problem.GetProperty("errors").GetProperty("minPosition")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_401_names_the_command_that_makes_a_key()
    {
        using var response = await server.Client.PostAsJsonAsync("/api/occurrences", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("scripts/run.sh create-api-key NAME", detail, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(ConflictLedger.Testing.TestDatabase.RepositoryRoot(), "scripts", "run.sh")));
    }

    [Fact]
    public async Task the_openapi_document_describes_the_key_scheme_and_the_problems_of_every_operation()
    {
        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (schemes.GetProperty("ApiKey").GetProperty("type").GetString(), schemes.GetProperty("ApiKey").GetProperty("in").GetString(), schemes.GetProperty("ApiKey").GetProperty("name").GetString()));
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                var responses = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
                Assert.True(responses.Contains("500"), $"{operation.Name} {path.Name}: {string.Join(",", responses)}");
                if (operation.Value.TryGetProperty("parameters", out _) || operation.Value.TryGetProperty("requestBody", out _))
                    Assert.True(responses.Contains("400"), $"{operation.Name} {path.Name} has no 400");
                if (operation.Name != "get" && path.Name.StartsWith("/api", StringComparison.Ordinal))
                {
                    Assert.True(responses.Contains("401") && responses.Contains("429"), $"{operation.Name} {path.Name}: {string.Join(",", responses)}");
                    Assert.True(operation.Value.TryGetProperty("security", out _), $"{operation.Name} {path.Name} names no security scheme");
                }
            }
        }
        var report = document.GetProperty("paths").GetProperty("/api/occurrences").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "401", "409", "412", "413", "422", "429" }) Assert.True(report.TryGetProperty(status, out _), status);
    }

    [Fact]
    public async Task an_interactive_reference_is_served_at_docs_from_the_service_itself()
    {
        using var response = await server.Client.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        var scripts = Regex.Matches(html, "<script[^>]+src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(Uri.TryCreate(script, UriKind.Absolute, out var absolute) && absolute.Host != server.Server.BaseAddress.Host, "served from elsewhere: " + script);
            using var js = await server.Client.GetAsync(new Uri(new Uri(server.Server.BaseAddress, "/docs/"), script));
            Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        }
    }
}
