using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConflictLedger.Server.Access;
using Npgsql;

namespace ConflictLedger.Server.Tests.Access;

public sealed class AccessTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<int> WebhookCountAsync(string url)
    {
        using var response = await server.Writer.GetAsync("/api/webhooks");
        var hooks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return hooks.EnumerateArray().Count(h => h.GetProperty("url").GetString() == url);
    }

    private static void AssertUnauthorized(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task a_write_without_a_key_is_refused_and_creates_nothing()
    {
        var url = $"http://127.0.0.1:9/{Guid.NewGuid():N}";

        using var response = await server.Client.PostAsJsonAsync("/api/webhooks", new { url });

        AssertUnauthorized(response);
        Assert.Equal(0, await WebhookCountAsync(url));
    }

    [Fact]
    public async Task webhook_reads_need_a_key_too()
    {
        using var response = await server.Client.GetAsync("/api/webhooks");

        AssertUnauthorized(response);
    }

    [Theory]
    [InlineData("Authorization", "Bearer not-the-key")]
    [InlineData("X-Api-Key", "not-the-key")]
    public async Task a_wrong_key_is_refused(string header, string value)
    {
        var url = $"http://127.0.0.1:9/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks") { Content = JsonContent.Create(new { url }) };
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await server.Client.SendAsync(request);

        AssertUnauthorized(response);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await WebhookCountAsync(url));
    }

    [Fact]
    public async Task the_key_is_accepted_in_the_x_api_key_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
        request.Headers.Add(ApiKeyAuthentication.KeyHeader, RunningServer.ApiKey);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task a_key_made_with_create_api_key_is_accepted_and_only_its_hash_is_stored()
    {
        var output = new StringWriter();
        var exit = await CreateApiKeyVerb.RunAsync(["ci-robot"], output, RunningServer.Configure(RunningServer.Defaults(server.Schema)));
        var key = output.ToString().Trim();
        Assert.Equal(0, exit);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks") { Content = JsonContent.Create(new { url = "http://127.0.0.1:9/robot" }) };
        request.Headers.Authorization = new("Bearer", key);
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        await using var stored = server.DataSource.CreateCommand($"select name, key_hash from \"{server.Schema}\".api_keys");
        await using var reader = await stored.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("ci-robot", reader.GetString(0));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), reader.GetString(1));
    }

    [Fact]
    public async Task an_oversized_body_is_a_413()
    {
        var body = JsonSerializer.Serialize(new { url = "http://127.0.0.1:9/big", description = new string('x', 300 * 1024) });

        using var response = await server.Writer.PostAsync("/api/webhooks", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await WebhookCountAsync("http://127.0.0.1:9/big"));
    }

    [Fact]
    public async Task writes_beyond_the_rate_limit_get_429_with_retry_after_per_key()
    {
        const string otherKey = "test-key-second";
        await using var limited = await server.StartServerAsync(new Dictionary<string, string?>
        {
            ["ConflictLedger:ApiKeys:1"] = otherKey,
            ["ConflictLedger:WriteRateLimit:PermitLimit"] = "2",
            ["ConflictLedger:WriteRateLimit:Window"] = "00:01:00",
        });
        var pause = $"/api/webhooks/{Guid.NewGuid()}/pause";

        using var first = await limited.Writer.PostAsync(pause, null);
        using var second = await limited.Writer.PostAsync(pause, null);
        using var third = await limited.Writer.PostAsync(pause, null);
        using var read = await limited.Writer.GetAsync("/api/webhooks");
        using var otherRequest = new HttpRequestMessage(HttpMethod.Post, pause);
        otherRequest.Headers.Authorization = new("Bearer", otherKey);
        using var other = await limited.Client.SendAsync(otherRequest);

        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal((HttpStatusCode)429, third.StatusCode);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.InRange(third.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task reads_need_a_key_when_the_server_requires_it()
    {
        await using var closed = await server.StartServerAsync(new Dictionary<string, string?> { ["ConflictLedger:RequireKeyForReads"] = "true" });

        using var anonymous = await closed.Client.GetAsync("/feed");
        using var withKey = await closed.Writer.GetAsync("/feed");
        using var health = await closed.Client.GetAsync("/health/live");

        AssertUnauthorized(anonymous);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task feed_reads_are_open_by_default()
    {
        using var response = await server.Client.GetAsync("/feed");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
