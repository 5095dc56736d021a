using System.Security.Cryptography;
using System.Text;
using ConflictLedger.Importing;
using ConflictLedger.ReadModel;
using ConflictLedger.Server.Health;
using ConflictLedger.Server.Operations;
using Npgsql;

namespace ConflictLedger.Server.ReadModel;

/// <summary>
/// At start-up, before the server listens: imports the seed from the events folder.
/// Importing is idempotent, so a restart appends nothing new; a folder already imported
/// whole, by the same build of the importer, is not read again (<see cref="SeedFingerprint"/>).
/// </summary>
public sealed class SeedImport(
    ReadModelStore readModels, ConflictLedgerOptions options, ConflictLedgerMetrics metrics, StartupTimeline timeline, ILogger<SeedImport> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // What ran before it (telemetry, access, feeds...) is counted with the Wolverine node.
        timeline.Mark("wolverine node and the other services");
        if (EventsFolder.Find(options.EventsFolder) is not { } folder)
        {
            logger.LogInformation("No events folder found; starting without importing a seed");
            return;
        }
        var imports = new SeedImports(readModels.Store.DataSource, options.Schema);
        var fingerprint = SeedFingerprint.Of(folder, typeof(LedgerImporter).Assembly.ManifestModule.ModuleVersionId);
        if (await imports.ContainsAsync(fingerprint, cancellationToken))
        {
            logger.LogInformation("Seed from {Folder}: imported before, unchanged since (fingerprint {Fingerprint})", folder, fingerprint[..12]);
            timeline.Mark(SkippedPhase);
            return;
        }
        var summary = await new LedgerImporter(readModels.Store).ImportEventsFolderAsync(folder, cancellationToken);
        metrics.EventsAppended(summary.EventsAppended);
        // Recorded only once every file is in: a failed or partial import is tried again at the next start.
        await imports.AddAsync(fingerprint, folder, cancellationToken);
        logger.LogInformation("Seed from {Folder}: {Summary}", folder, summary);
        timeline.Mark("seed");
    }

    /// <summary>The start-up phase when the import was skipped.</summary>
    public const string SkippedPhase = "seed (unchanged, skipped)";

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// What a seed import depends on: every file of the folder (relative path and content) and
/// the build of the importer, which decides what those files become. The log is
/// append-only, so once a fingerprint's import has completed, importing the same again
/// appends nothing.
/// </summary>
public static class SeedFingerprint
{
    public static string Of(string folder, Guid importerBuild)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(importerBuild.ToByteArray());
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
                     .Order(StringComparer.Ordinal))
        {
            var content = File.ReadAllBytes(Path.Combine(folder, file));
            hash.AppendData(Encoding.UTF8.GetBytes($"{file}\n{content.Length}\n"));
            hash.AppendData(content);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

/// <summary>Every statement on the seed_imports table.</summary>
internal sealed class SeedImports(NpgsqlDataSource dataSource, string schema)
{
    private readonly string s = $"\"{schema}\"";

    public async Task<bool> ContainsAsync(string fingerprint, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select exists (select 1 from {s}.seed_imports where fingerprint = $1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = fingerprint });
        return await command.ExecuteScalarAsync(ct) is true;
    }

    public async Task AddAsync(string fingerprint, string folder, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"insert into {s}.seed_imports (fingerprint, folder) values ($1, $2) on conflict do nothing");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = fingerprint });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Path.GetFullPath(folder) });
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Where the seed lives: the configured folder, else <c>events/</c> in the working directory or above it (the repository).</summary>
public static class EventsFolder
{
    public static string? Find(string? configured)
    {
        if (!string.IsNullOrEmpty(configured)) return Directory.Exists(configured) ? configured : throw new DirectoryNotFoundException($"The events folder '{configured}' does not exist.");
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "events");
            if (File.Exists(Path.Combine(candidate, LedgerImporter.SchemaFile))) return candidate;
        }
        return null;
    }
}
