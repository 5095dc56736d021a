using ConflictLedger.Log;
using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Server.Tests;

/// <summary>
/// One running server per test class, in a schema of its own, plus an event store on the same
/// schema for appending directly. Tests that need other settings start their own server
/// on the same schema with <see cref="StartServerAsync"/>.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    public string Schema { get; } = TestDatabase.NewSchemaName("srv");
    public NpgsqlDataSource DataSource { get; private set; } = null!;
    public LedgerLog Store { get; private set; } = null!;
    public RunningServer Server { get; private set; } = null!;

    public HttpClient Client => Server.Client;
    public HttpClient Writer => Server.Writer;
    public HttpClient OtherWriter => Server.OtherWriter;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        DataSource = TestDatabase.CreateDataSource("test-" + Schema);
        Store = LedgerLog.Create(DataSource, new LogOptions(Schema));
        Server = await StartServerAsync();
    }

    public Task<RunningServer> StartServerAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return RunningServer.StartAsync(Schema, all, services);
    }

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Store.DisposeAsync();
        await TestDatabase.DropSchemaAsync(DataSource, Schema);
        await DataSource.DisposeAsync();
    }
}
