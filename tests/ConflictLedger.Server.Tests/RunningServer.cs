using ConflictLedger.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ConflictLedger.Server.Tests;

/// <summary>The real server on a random loopback port, with clients with and without an API key.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    public const string ApiKey = "test-key-1c9f0a7e";

    /// <summary>A second client's key, for what must not leak between clients.</summary>
    public const string OtherApiKey = "test-key-other-5b2d";

    private RunningServer(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
        Writer = new HttpClient { BaseAddress = baseAddress };
        Writer.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        OtherWriter = new HttpClient { BaseAddress = baseAddress };
        OtherWriter.DefaultRequestHeaders.Authorization = new("Bearer", OtherApiKey);
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }

    /// <summary>No API key.</summary>
    public HttpClient Client { get; }

    /// <summary>Sends the configured API key.</summary>
    public HttpClient Writer { get; }

    /// <summary>Sends the second API key.</summary>
    public HttpClient OtherWriter { get; }

    /// <summary>The settings every test server starts from: fast heartbeats and millisecond backoff.</summary>
    public static Dictionary<string, string?> Defaults(string schema) => new()
    {
        ["ConflictLedger:Database"] = TestDatabase.ConnectionString,
        ["ConflictLedger:Schema"] = schema,
        ["ConflictLedger:ApiKeys:0"] = ApiKey,
        ["ConflictLedger:ApiKeys:1"] = OtherApiKey,
        ["ConflictLedger:AllowPrivateWebhookTargets"] = "true",
        ["ConflictLedger:Feed:HeartbeatInterval"] = "00:00:00.300",
        ["ConflictLedger:Feed:PollInterval"] = "00:00:00.500",
        ["ConflictLedger:Webhooks:BackoffBase"] = "00:00:00.005",
        ["ConflictLedger:Webhooks:BackoffCap"] = "00:00:00.040",
        ["ConflictLedger:Webhooks:MaxConsecutiveFailures"] = "4",
        ["ConflictLedger:Webhooks:Timeout"] = "00:00:05",
    };

    public static async Task<RunningServer> StartAsync(
        string schema, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = Defaults(schema);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var app = ConflictLedgerServer.Build([], Configure(all, services));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RunningServer(app, new Uri(address));
    }

    /// <summary>What a test passes to <see cref="ConflictLedgerServer.Build"/>.</summary>
    public static Action<WebApplicationBuilder> Configure(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null) =>
        builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            services?.Invoke(builder.Services);
        };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Writer.Dispose();
        OtherWriter.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
