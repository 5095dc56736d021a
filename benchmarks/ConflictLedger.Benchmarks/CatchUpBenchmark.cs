using System.Diagnostics;
using ConflictLedger.Log;
using ConflictLedger.ReadModel;
using Npgsql;

namespace ConflictLedger.Benchmarks;

/// <summary>Seconds Marten's daemon took to project the same number of new events onto a short and a long log.</summary>
internal sealed record CatchUp(int NewEvents, int ShortLog, double ShortSeconds, int LongLog, double LongSeconds)
{
    public double Ratio => LongSeconds / ShortSeconds;
}

/// <summary>
/// What projecting new events costs as the log grows: a synthetic ledger of
/// <c>log</c> events is projected (by a rebuild, which also places Marten's checkpoint at
/// its end), then <c>newEvents</c> more, the ledger's continuation (new reports on the same
/// landmarks, corrections and retractions of earlier ones), are imported with the daemon
/// stopped, and the time from starting the daemon until it has projected them is measured.
/// The same on a log ten times as long, in the same run. Incremental projection should
/// cost what the new events touch, not what the log holds: the ratio should be near 1.
/// </summary>
internal static class CatchUpBenchmark
{
    private const int Seed = 1977;
    private const int ImportChunk = 20_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    public static async Task<CatchUp> RunAsync(NpgsqlDataSource dataSource, int landmarks, int shortLog, int newEvents, CancellationToken ct)
    {
        var longLog = shortLog * 10;
        // A small round first: the first catch-up in a process pays for the JIT and Marten's first use.
        await MeasureAsync(dataSource, landmarks, Math.Max(1_000, shortLog / 10), Math.Max(1_000, newEvents / 10), ct);
        var shortSeconds = await MeasureAsync(dataSource, landmarks, shortLog, newEvents, ct);
        var longSeconds = await MeasureAsync(dataSource, landmarks, longLog, newEvents, ct);
        return new CatchUp(newEvents, shortLog, shortSeconds, longLog, longSeconds);
    }

    private static async Task<long> HighWaterAsync(BenchSchema schema, CancellationToken ct)
    {
        await using var command = schema.DataSource.CreateCommand($"select coalesce(max(last_seq_id), 0) from \"{schema.Name}\".mt_event_progression where name = 'HighWaterMark'");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<double> MeasureAsync(NpgsqlDataSource dataSource, int landmarks, int log, int newEvents, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var ledger = SyntheticLedger.Create(landmarks, log + newEvents, Seed);
        var events = ledger.Events().ToList();
        await using var schema = await BenchSchema.CreateAsync(dataSource, ct, prefix: "bench_cu_");
        var started = new HashSet<string>(StringComparer.Ordinal);
        await LogImport.ImportAsync(schema.Store, events.Take(log), ImportChunk, ct, started);
        var readModels = new ReadModelStore(schema.Store);
        await readModels.EnsureAsync(ct);
        await readModels.RebuildAsync(ct);
        var head = await LogImport.ImportAsync(schema.Store, events.Skip(log), ImportChunk, ct, started);
        await schema.ExecuteAsync($"vacuum analyze {schema.Events}", ct);
        Console.Error.WriteLine($"  catch-up: a log of {log:N0} events projected and {newEvents:N0} more imported in {clock.Elapsed.TotalSeconds:F0} s");

        clock.Restart();
        using var phases = new Phases();
        await using var daemon = new ReadModelDaemon(readModels);
        var from = (await readModels.PositionAsync(ct)).Value;
        await daemon.StartAsync(ct);
        var startedIn = clock.Elapsed.TotalSeconds;
        // When each batch landed: a wait before the first, or between batches, is the daemon's, not the writer's.
        var progress = new List<string>();
        var watch = Task.Run(async () =>
        {
            var seen = from;
            while (seen < head.Value)
            {
                await Task.Delay(20, ct);
                if (daemon.Position.Value != seen)
                    progress.Add($"{daemon.Position.Value - from:N0} at {clock.Elapsed.TotalSeconds:F1} s (high-water mark +{await HighWaterAsync(schema, ct) - from:N0})");
                seen = daemon.Position.Value;
            }
        }, ct);
        await daemon.WaitForAsync(head, Timeout, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        await watch;
        Console.Error.WriteLine($"  (the high-water mark is how far Marten's daemon has found the log safe to read; {head.Value - from:N0} events to project)");
        Console.Error.WriteLine($"  daemon started in {startedIn:F1} s; events projected: {string.Join(", ", progress)}");
        Console.Error.WriteLine($"  catch-up of {newEvents:N0} events on a log of {log:N0}: {seconds:F1} s; in the writer: {phases}");
        return seconds;
    }
}
