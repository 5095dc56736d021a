using ConflictLedger.Log;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ConflictLedger.Server.Benchmarks;

/// <summary>
/// The real server, in this process on a loopback port, over a throwaway schema that is
/// dropped at the end. <see cref="Store"/> is the benchmark's own client of that schema,
/// with its own connection pool, as another process appending to the log would be.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string ApiKey = "bench-key-5d1c08a2";

    /// <summary>The benchmark's own data source, named so its commands are not counted as the server's.</summary>
    private const string OwnPool = "conflictledger-server-bench";

    private readonly WebApplication app;

    private BenchServer(WebApplication app, NpgsqlDataSource dataSource, string schema)
    {
        this.app = app;
        DataSource = dataSource;
        Schema = schema;
        Store = LedgerLog.Create(dataSource, new LogOptions(schema));
        Commands = new ServerCommands(excludedPool: OwnPool);
    }

    public NpgsqlDataSource DataSource { get; }
    public string Schema { get; }
    public LedgerLog Store { get; }
    public ServerCommands Commands { get; }
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<BenchServer> StartAsync(string connectionString, CancellationToken ct)
    {
        var schema = "bench_srv_" + Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["ConflictLedger:Database"] = connectionString,
            ["ConflictLedger:Schema"] = schema,
            ["ConflictLedger:ApiKeys:0"] = ApiKey,
            ["ConflictLedger:AllowPrivateWebhookTargets"] = "true",
            // The benchmark writes far faster than a reporter: the per-key limit would measure itself.
            ["ConflictLedger:WriteRateLimit:PermitLimit"] = "1000000",
            // Warnings only (to stderr, below): stdout is the table.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft"] = "Warning",
        };
        var app = ConflictLedgerServer.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        var dataSource = new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = OwnPool }.ConnectionString) { Name = OwnPool }.Build();
        var server = new BenchServer(app, dataSource, schema);
        try
        {
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            server.BaseAddress = new Uri(address);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateWriter(HttpMessageHandler? handler = null)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = BaseAddress;
        http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        return http;
    }

    // Not cancellable on purpose: a cancelled run still drops its schemas.
    public async ValueTask DisposeAsync()
    {
        Commands.Dispose();
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        await Store.DisposeAsync();
        // The read model keeps its generations in schemas of their own, named after the log's.
        var schemas = new List<string>();
        await using (var list = DataSource.CreateCommand("select nspname from pg_namespace where nspname = $1 or nspname like $1 || '\\_rm%'"))
        {
            list.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Schema });
            await using var reader = await list.ExecuteReaderAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None)) schemas.Add(reader.GetString(0));
        }
        foreach (var name in schemas)
        {
            await using var drop = DataSource.CreateCommand($"drop schema if exists \"{name}\" cascade");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
        await DataSource.DisposeAsync();
    }
}
