using ConflictLedger.Catalog;
using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Importing;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using ConflictLedger.Server.ReadModel;

namespace ConflictLedger.Server.Cli;

/// <summary>The ledger as the command-line verbs use it: the store, the read model and the importer over one data source.</summary>
public sealed class Ledger
{
    private Ledger(LedgerLog store, string? eventsFolder)
    {
        Store = store;
        ReadModels = new ReadModelStore(store);
        Queries = new ControlQueries(ReadModels);
        Importer = new LedgerImporter(store);
        EventsFolder = Server.ReadModel.EventsFolder.Find(eventsFolder) ?? "events";
    }

    public LedgerLog Store { get; }
    public ReadModelStore ReadModels { get; }
    public ControlQueries Queries { get; }
    public LedgerImporter Importer { get; }
    public string EventsFolder { get; }

    /// <summary>Opens the ledger of a built (not running) server: its store and settings, schema migrated.</summary>
    public static async Task<Ledger> OpenAsync(IServiceProvider services, CancellationToken ct)
    {
        await services.GetRequiredService<Operations.DatabaseMigrations>().MigrateAsync(ct);
        var ledger = new Ledger(services.GetRequiredService<LedgerLog>(), services.GetRequiredService<ConflictLedgerOptions>().EventsFolder);
        await ledger.ReadModels.EnsureAsync(ct);
        return ledger;
    }

    /// <summary>
    /// Brings the read model up to everything committed so far: a CLI answer right after an
    /// import must include it. Runs Marten's daemon in this process until it gets there
    /// (a server running its own daemon meanwhile is safe: Marten moves the checkpoint
    /// optimistically, so only one of them commits each batch).
    /// </summary>
    public async Task ProjectAsync(CancellationToken ct)
    {
        var target = await Store.HeadAsync(ct);
        if (await ReadModels.PositionAsync(ct) >= target) return;
        await using var daemon = new ReadModelDaemon(ReadModels);
        await daemon.StartAsync(ct);
        await daemon.WaitForAsync(target, TimeSpan.FromMinutes(30), ct);
    }

    public Task<ImportSummary> ImportAcledAsync(string path, DateOnly? knownFrom, CancellationToken ct) => Importer.ImportAcledAsync(path, knownFrom, ct);

    public async Task<ImportSummary> ImportSourceFileAsync(string path, CancellationToken ct)
    {
        var schemaPath = Path.Combine(EventsFolder, LedgerImporter.SchemaFile);
        using var schema = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(schemaPath, ct));
        return await Importer.ImportSourceFileAsync(path, schema, await CatalogAsync(ct), ct);
    }

    public async Task<ConflictLedger.Catalog.Catalog> CatalogAsync(CancellationToken ct) => (await CatalogLedger.LoadAsync(Store, ct)).Catalog;

    /// <summary>Every standing account of every occurrence, for the ACLED export.</summary>
    public async Task<IReadOnlyList<Account>> AccountsAsync(CancellationToken ct) =>
        (await Queries.OccurrencesAsync(null, ct)).SelectMany(o => o.Accounts.Where(a => !a.Retracted).Select(a => a.Account)).ToList();
}
