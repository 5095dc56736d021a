using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ConflictLedger.Testing;

/// <summary>
/// A RabbitMQ node of the test's own, started from Debian's rabbitmq-server (no systemd
/// here: the test starts and stops it), on free loopback ports with its data under /tmp.
/// scripts/test.sh installs the package when it is missing.
/// </summary>
public sealed class RabbitBroker : IAsyncDisposable
{
    private const string Bin = "/usr/lib/rabbitmq/bin";
    private readonly string node;
    private readonly string home;
    private readonly int distPort;
    private Process? process;

    private RabbitBroker(string node, string home, int port, int distPort)
    {
        this.node = node;
        this.home = home;
        this.distPort = distPort;
        Port = port;
    }

    public int Port { get; }

    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{Port}");

    public static async Task<RabbitBroker> StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "rabbitmq-server")))
            throw new InvalidOperationException("RabbitMQ is not installed: run the tests with scripts/test.sh (it installs rabbitmq-server), or apt-get install rabbitmq-server.");
        var name = "cl" + Guid.NewGuid().ToString("N")[..8];
        var broker = new RabbitBroker($"{name}@localhost", Path.Combine(Path.GetTempPath(), "rabbit-" + name), FreePort(), FreePort());
        Directory.CreateDirectory(broker.home);
        await File.WriteAllTextAsync(Path.Combine(broker.home, "enabled_plugins"), "[].");
        await broker.StartNodeAsync();
        return broker;
    }

    /// <summary>Stops the node gracefully (as an operator restarting it would) and starts it again on the same port and data.</summary>
    public async Task RestartAsync()
    {
        await StopNodeAsync();
        await StartNodeAsync();
    }

    private async Task StartNodeAsync()
    {
        process = Process.Start(Start("rabbitmq-server"))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"rabbitmq-server exited with {process.ExitCode}; logs under {home}");
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, $"RabbitMQ node {node} listening on {Port}", TimeSpan.FromSeconds(90));
    }

    private async Task StopNodeAsync()
    {
        if (process is null || process.HasExited) return;
        using (var stop = Process.Start(Start("rabbitmqctl", "-n", node, "stop"))!)
            await stop.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        process.Dispose();
        process = null;
    }

    private ProcessStartInfo Start(string program, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Bin, program)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["RABBITMQ_NODENAME"] = node;
        start.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        start.Environment["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_DIST_PORT"] = distPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(home, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(home, "log");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(home, "enabled_plugins");
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(home, "rabbitmq");
        start.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        return start;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopNodeAsync();
        }
        finally
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
            try { Directory.Delete(home, recursive: true); } catch (IOException) { }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
