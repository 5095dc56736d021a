using ConflictLedger.Log;
using System.Net.Http.Json;
using ConflictLedger.Server;
using ConflictLedger.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ConflictLedger.Page.Tests;

/// <summary>The real server with the Derna seed on a loopback port, and the machine's Chromium driven by Playwright.</summary>
public class PageFixture : IAsyncLifetime
{
    public const string ApiKey = "page-test-key";
    private readonly string schema = TestDatabase.NewSchemaName("page");
    private WebApplication? app;
    private IPlaywright? playwright;

    public Uri BaseAddress { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public static string ScreenshotFolder { get; } = Path.Combine(TestDatabase.RepositoryRoot(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        app = ConflictLedgerServer.Build(["--urls", "http://127.0.0.1:0"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConflictLedger:Database"] = TestDatabase.ConnectionString,
                ["ConflictLedger:Schema"] = schema,
                ["ConflictLedger:ApiKeys:0"] = ApiKey,
                ["ConflictLedger:EventsFolder"] = Path.Combine(TestDatabase.RepositoryRoot(), "events"),
                // Ready only once the read model has projected everything appended.
                ["ConflictLedger:MaxProjectionLag"] = "0",
            }));
        await app.StartAsync();
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Http = new HttpClient { BaseAddress = BaseAddress };
        await AppendAsync(app.Services.GetRequiredService<LedgerLog>());
        await Eventually.TrueAsync(async () => (await Http.GetAsync("/health/ready")).IsSuccessStatusCode, "server ready with everything projected", TimeSpan.FromSeconds(120));

        var chromium = Environment.GetEnvironmentVariable("CONFLICTLEDGER_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"Chromium not found at {chromium}: run scripts/test.sh (it installs Debian's chromium) or set CONFLICTLEDGER_CHROMIUM.");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>What the ledger holds besides the seed.</summary>
    protected virtual Task AppendAsync(LedgerLog store) => Task.CompletedTask;

    public async Task<HttpResponseMessage> PostAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", ApiKey);
        return await Http.SendAsync(request);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        Http?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await using var dataSource = TestDatabase.CreateDataSource("page-cleanup");
        await TestDatabase.DropSchemaAsync(dataSource, schema);
    }
}

/// <summary>The seed plus <see cref="NationalLedger"/>: 3,000 more landmarks and 20,000 accounts.</summary>
public sealed class NationalPageFixture : PageFixture
{
    public (TimeSpan Built, TimeSpan Appended) Generated { get; private set; }

    protected override async Task AppendAsync(LedgerLog store) => Generated = await NationalLedger.AppendAsync(store);
}
