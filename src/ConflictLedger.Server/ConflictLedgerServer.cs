using System.Text.Json;
using System.Text.Json.Serialization;
using ConflictLedger.Log;
using ConflictLedger.Server.Access;
using ConflictLedger.Server.Feed;
using ConflictLedger.Server.Health;
using ConflictLedger.Server.Operations;
using ConflictLedger.Server.Webhooks;
using ConflictLedger.Server.Broker;
using ConflictLedger.Server.Cluster;
using Marten;
using Wolverine;
using Wolverine.Marten;
using Microsoft.Extensions.Configuration.Memory;
using Npgsql;

namespace ConflictLedger.Server;

/// <summary>Builds the one web application: the CLI verbs and the tests start exactly what production runs.</summary>
public static class ConflictLedgerServer
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    private static readonly Dictionary<string, string?> LoggingDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        // Marten logs every schema statement at Information; Wolverine its routine polling.
        ["Logging:LogLevel:Marten"] = "Warning",
        ["Logging:LogLevel:Wolverine"] = "Warning",
        ["Logging:LogLevel:Wolverine.Runtime.Agents"] = "Information",
    };

    /// <param name="configure">Runs before the settings are read: tests add configuration and services here.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(ConflictLedgerServer).Assembly.GetName().Name,
            // The page ships next to the assembly, so it is served wherever the server runs from (tests included).
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        // Defaults under every other source, so appsettings, environment and --Logging:... still win.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });
        configure?.Invoke(builder);

        var options = builder.Configuration.GetSection(ConflictLedgerOptions.Section).Get<ConflictLedgerOptions>() ?? new();
        options.Database ??= builder.Configuration["CONFLICTLEDGER_DB"] ?? throw new InvalidOperationException(
            "No database configured: set ConflictLedger:Database (or the CONFLICTLEDGER_DB environment variable) to an Npgsql connection string.");
        var logOptions = new LogOptions(options.Schema);
        // Loopback unless told otherwise (--urls, ASPNETCORE_URLS, or the HTTP(S)_PORTS containers set).
        if (new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }.All(key => string.IsNullOrEmpty(builder.Configuration[key])))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        // A response flush sends on the thread that flushes instead of queueing the send for
        // another: the live feed flushes every client at every publication (20,000 flushes a
        // second at 200 clients), and each queued send was one more thread hand-off before a
        // client saw the event (p99 108-183 ms against 150-361 ms without, 4 alternating runs
        // each on the shared 2 cores). Socket completions still run on the thread pool, not the
        // socket engine's own thread (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS stays unset).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(options.Database) { ApplicationName = "conflictledger-server" }.ConnectionString).Build());
        services.AddSingleton(logOptions);
        services.AddMarten(sp =>
        {
            var marten = new StoreOptions();
            marten.Connection(sp.GetRequiredService<NpgsqlDataSource>());
            LedgerMarten.Configure(marten, logOptions);
            return marten;
        })
        // Marten's async projections (the read model) and subscriptions (the broker relay)
        // run as Wolverine agents: each on exactly one node, moved when that node dies.
        .IntegrateWithWolverine(wolverine => wolverine.UseWolverineManagedEventSubscriptionDistribution = true);
        services.AddSingleton(sp => new LedgerLog(sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<NpgsqlDataSource>(), logOptions, sp.GetRequiredService<ILogger<LedgerLog>>(),
            new NpgsqlConnectionStringBuilder(options.Database) { ApplicationName = "conflictledger-appends" }.ConnectionString));
        services.AddSingleton(sp => new LogNotifications(
            sp.GetRequiredService<NpgsqlDataSource>(), logOptions, sp.GetRequiredService<ILogger<LogNotifications>>()));
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddProblemDetails();
        services.AddOpenApi();

        // Hosted services start in this order, all before Kestrel listens: the schema first.
        services.AddSingleton<StartupTimeline>();
        services.AddStartupMark("runtime and host");
        services.AddOperations();
        services.AddStartupMark("server schema and read model generation");
        // After the schema is migrated (hosted services start in order), before anything appends.
        builder.Host.UseWolverine(wolverine => wolverine.UseCluster(options));
        services.AddTelemetry(builder.Configuration);
        services.AddAccess(options);
        services.AddFeed();
        services.AddWebhooks();
        services.AddBroker();
        services.AddHealth();
        services.AddApiServices(options);
        services.AddStartupMark("read model caught up");

        var app = builder.Build();
        app.LogStartupWhenListening();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The analyst page: static files from wwwroot, no build step.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseMiddleware<ApiKeyAuthentication>();
        app.UseRateLimiter();
        app.UseMiddleware<UnstorableTextGuard>();

        app.MapOpenApi();
        app.MapHealthApi();
        app.MapClusterApi();
        app.MapTelemetry();
        app.MapFeedApi();
        app.MapWebhooksApi();
        app.MapApis();
        return app;
    }
}
