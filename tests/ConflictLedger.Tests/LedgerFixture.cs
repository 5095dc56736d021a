using ConflictLedger.Log;
using ConflictLedger.Importing;
using ConflictLedger.ReadModel;
using ConflictLedger.Testing;

namespace ConflictLedger.Tests;

/// <summary>A ledger in its own schema with its read model; <see cref="ProjectAsync"/> brings the read model up to date.</summary>
public class LedgerFixture : StoreFixture
{
    public ReadModelStore ReadModels { get; private set; } = null!;
    public LedgerImporter Importer { get; private set; } = null!;

    public static string EventsFolder => Path.Combine(TestDatabase.RepositoryRoot(), "events");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        ReadModels = new ReadModelStore(Store);
        Importer = new LedgerImporter(Store);
        await ReadModels.EnsureAsync();
    }

    /// <summary>
    /// Small projection batches, so a correction and the report it replaces often fall in
    /// different batches (a rebuild, by contrast, takes thousands at once): both paths get exercised.
    /// </summary>
    protected override LogOptions CreateOptions() => new(Schema) { ProjectionBatchSize = 3 };

    /// <summary>Runs Marten's daemon until the read model reflects <paramref name="position"/>.</summary>
    public async Task ProjectAsync(long position)
    {
        var target = await Store.ResolveAsync(position) ?? throw new InvalidOperationException($"no event at {position}");
        await using var daemon = new ReadModelDaemon(ReadModels);
        await daemon.StartAsync(CancellationToken.None);
        await daemon.WaitForAsync(target, TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async Task<ImportSummary> ImportSeedAsync()
    {
        var summary = await Importer.ImportEventsFolderAsync(EventsFolder);
        if (summary.LastPosition is { } last) await ProjectAsync(last);
        return summary;
    }
}

/// <summary>A ledger with the Derna seed imported and projected.</summary>
public sealed class SeededLedgerFixture : LedgerFixture
{
    public ImportSummary FirstImport { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        FirstImport = await ImportSeedAsync();
    }
}
