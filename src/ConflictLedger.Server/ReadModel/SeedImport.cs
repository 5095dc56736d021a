using ConflictLedger.Importing;
using ConflictLedger.ReadModel;
using ConflictLedger.Server.Operations;

namespace ConflictLedger.Server.ReadModel;

/// <summary>
/// At start-up, before the server listens: imports the seed
/// from the events folder. Importing is idempotent, so a restart appends nothing new.
/// </summary>
public sealed class SeedImport(ReadModelStore readModels, ConflictLedgerOptions options, ConflictLedgerMetrics metrics, ILogger<SeedImport> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (EventsFolder.Find(options.EventsFolder) is not { } folder)
        {
            logger.LogInformation("No events folder found; starting without importing a seed");
            return;
        }
        var summary = await new LedgerImporter(readModels.Store).ImportEventsFolderAsync(folder, cancellationToken);
        metrics.EventsAppended(summary.EventsAppended);
        logger.LogInformation("Seed from {Folder}: {Summary}", folder, summary);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
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
