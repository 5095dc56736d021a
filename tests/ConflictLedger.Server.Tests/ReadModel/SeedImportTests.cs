using System.Text.Json.Nodes;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.Server.Health;
using ConflictLedger.Server.ReadModel;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.ReadModel;

/// <summary>
/// A start imports the seed folder unless that very folder (every file) was imported whole
/// before by the same build of the importer: then it is skipped, and any change to a file
/// brings the import back.
/// </summary>
public sealed class SeedImportTests : IAsyncLifetime
{
    private readonly string schema = TestDatabase.NewSchemaName("seed");
    private readonly string folder = Path.Combine(Path.GetTempPath(), "conflictledger-seed-" + Guid.NewGuid().ToString("N"));
    private readonly Npgsql.NpgsqlDataSource dataSource = TestDatabase.CreateDataSource("seed-import-test");

    public Task InitializeAsync()
    {
        var events = Path.Combine(TestDatabase.RepositoryRoot(), "events");
        foreach (var file in Directory.GetFiles(events, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(folder, Path.GetRelativePath(events, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await TestDatabase.DropSchemaAsync(dataSource, schema);
        await dataSource.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Starts a server on the test's schema and folder; returns the start-up phases it went through.</summary>
    private async Task<IReadOnlyList<string>> StartAsync()
    {
        await using var server = await RunningServer.StartAsync(schema, new Dictionary<string, string?> { ["ConflictLedger:EventsFolder"] = folder });
        return server.App.Services.GetRequiredService<StartupTimeline>().Phases().Select(p => p.Phase).ToList();
    }

    [Fact]
    public async Task a_restart_skips_an_unchanged_seed_and_imports_a_changed_one()
    {
        var store = LedgerLog.Create(dataSource, new LogOptions(schema));

        Assert.Contains("seed", await StartAsync());
        var head = await store.HeadAsync();
        Assert.True(head.Value > 0);

        Assert.Contains(SeedImport.SkippedPhase, await StartAsync());
        Assert.Equal(head, await store.HeadAsync());

        // A new report in the folder: the same accounts under new occurrence keys.
        var report = JsonNode.Parse(await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(folder, "sources"), "*.json").Order().First()))!;
        foreach (var occurrence in report["occurrences"]!.AsArray()) occurrence!["key"] = occurrence["key"]!.GetValue<string>() + "-seed-test";
        await File.WriteAllTextAsync(Path.Combine(folder, "sources", "900_seed_test.json"), report.ToJsonString());
        var added = report["occurrences"]!.AsArray().Select(o => o!["key"]!.GetValue<string>()).ToList();

        var phases = await StartAsync();

        Assert.Contains("seed", phases);
        Assert.DoesNotContain(SeedImport.SkippedPhase, phases);
        foreach (var key in added) Assert.True(await store.StreamVersionAsync(OccurrenceEvents.StreamId(key)) > 0, key);
        Assert.Contains(SeedImport.SkippedPhase, await StartAsync());
        await store.DisposeAsync();
    }

    [Fact]
    public void the_fingerprint_changes_with_any_file_and_with_the_importer_build()
    {
        var build = Guid.NewGuid();
        var first = SeedFingerprint.Of(folder, build);

        Assert.Equal(first, SeedFingerprint.Of(folder, build));
        Assert.NotEqual(first, SeedFingerprint.Of(folder, Guid.NewGuid()));
        var schemaFile = Path.Combine(folder, "schema.json");
        File.AppendAllText(schemaFile, " ");
        Assert.NotEqual(first, SeedFingerprint.Of(folder, build));
    }
}
