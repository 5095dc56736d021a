using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.Cluster;

/// <summary>The server as its own operating-system process (dotnet ConflictLedger.Server.dll), as an operator runs a node.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string logFile;

    private ServerProcess(Process process, Uri baseAddress, string logFile)
    {
        this.process = process;
        this.logFile = logFile;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        Writer = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        Writer.DefaultRequestHeaders.Authorization = new("Bearer", RunningServer.ApiKey);
    }

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public HttpClient Writer { get; }
    public bool HasExited => process.HasExited;

    /// <summary>Starts a node on a free loopback port with the test settings and waits until it is ready.</summary>
    public static async Task<ServerProcess> StartAsync(string schema, IDictionary<string, string?>? settings = null)
    {
        var port = FreePort();
        var all = RunningServer.Defaults(schema);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestDatabase.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConflictLedger.Server.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        foreach (var (key, value) in all) start.ArgumentList.Add($"--{key}={value}");
        var logFile = Path.Combine(Path.GetTempPath(), $"{schema}-{port}.log");
        var log = new StreamWriter(logFile) { AutoFlush = true };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), logFile);
        await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"The node exited with {process.ExitCode}; its output is in {logFile}");
            try
            {
                using var ready = await node.Client.GetAsync("/health/ready");
                return ready.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"node on port {port} ready (output in {logFile})", TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>The agents running on this node now.</summary>
    public async Task<IReadOnlyList<string>> AgentsAsync()
    {
        using var json = JsonDocument.Parse(await Client.GetStringAsync("/health/agents"));
        return json.RootElement.GetProperty("agents").EnumerateArray().Select(a => a.GetString()!).ToList();
    }

    /// <summary>Ends the process without any shutdown: what a crashed machine looks like to the cluster.</summary>
    public void KillHard() => process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Writer.Dispose();
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
