using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConflictLedger.Server.Tests.Webhooks;

/// <summary>A server as deployed: webhooks may only target public addresses.</summary>
public sealed class WebhookTargetTests(WebhookTargetTests.PublicTargetsOnly server) : IClassFixture<WebhookTargetTests.PublicTargetsOnly>
{
    public sealed class PublicTargetsOnly : ServerFixture
    {
        protected override IDictionary<string, string?> Settings =>
            new Dictionary<string, string?> { ["ConflictLedger:AllowPrivateWebhookTargets"] = "false" };
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.20.0.1/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd12:3456::1]/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://[::]/hook")]
    [InlineData("http://[::ffff:10.0.0.1]/hook")]
    public async Task an_internal_address_is_refused_naming_the_url(string url)
    {
        using var response = await server.Writer.PostAsJsonAsync("/api/webhooks", new { url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("internal", problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://93.184.215.14/hook")]
    [InlineData("https://[2606:4700:4700::1111]/hook")]
    public async Task a_public_address_is_accepted(string url)
    {
        using var response = await server.Writer.PostAsJsonAsync("/api/webhooks", new { url });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        (await server.Writer.DeleteAsync($"/api/webhooks/{id}")).Dispose();
    }
}
