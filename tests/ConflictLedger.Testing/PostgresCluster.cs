using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ConflictLedger.Testing;

/// <summary>
/// A PostgreSQL cluster of a test's own, on a free port with its data under /tmp, for tests
/// that stop the database (an outage) and must never touch the cluster every other test
/// shares. Made from the machine's binaries like scripts/database.sh; as root, initdb and
/// pg_ctl run as the <c>postgres</c> user. Disposing stops it and deletes its data.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string bin;

    private PostgresCluster(string bin, string data, int port)
    {
        this.bin = bin;
        DataDirectory = data;
        Port = port;
    }

    public string DataDirectory { get; }
    public int Port { get; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Maximum Pool Size=50;No Reset On Close=true";

    public NpgsqlDataSource CreateDataSource(string applicationName) =>
        new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString)
            .Build();

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBin();
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), $"conflictledger-pg-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        if (IsRoot) await RunAsync("chown", ["postgres", data]);
        await RunAsync("chmod", ["700", data]);
        var cluster = new PostgresCluster(bin, data, port);
        // The locale scripts/database.sh gives the shared cluster (it says why), so that a test here sorts text as every other test does.
        await cluster.AsOwnerAsync("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--lc-collate=C", "--lc-ctype=C.UTF-8", "--no-sync");
        // Appended as the owner, so the file keeps the owner and mode initdb gave it.
        await cluster.AsOwnerAsync("/bin/sh", "-c", $"""
            cat >> '{data}/postgresql.conf' <<'CONF'
            listen_addresses = '127.0.0.1'
            port = {port}
            unix_socket_directories = '{data}'
            max_connections = 200
            synchronous_commit = off
            fsync = off
            CONF
            """);
        await cluster.StartAgainAsync();
        return cluster;
    }

    /// <summary>Stops the server the way an operator's restart does: running sessions are ended, connections refused.</summary>
    public Task StopAsync() => AsOwnerAsync(Path.Combine(bin, "pg_ctl"), "stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60");

    public Task StartAgainAsync() =>
        AsOwnerAsync(Path.Combine(bin, "pg_ctl"), "start", "-D", DataDirectory, "-l", Path.Combine(DataDirectory, "server.log"), "-w", "-t", "60");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AsOwnerAsync(Path.Combine(bin, "pg_ctl"), "stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        Directory.Delete(DataDirectory, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task AsOwnerAsync(string program, params string[] args)
    {
        var path = program.Contains('/') ? program : Path.Combine(bin, program);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : RunAsync(path, args);
    }

    private static async Task RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await errors}{await output}");
    }

    private static string FindBin()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "pg_ctl")));
        if (onPath is not null) return onPath;
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException("PostgreSQL binaries not found (pg_ctl on PATH or /usr/lib/postgresql/*/bin); scripts/database.sh installs them.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
