using ConflictLedger.Log;
using System.Diagnostics;
using ConflictLedger.Control;
using ConflictLedger.ReadModel;
using Npgsql;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// The read model of "who controlled what, when" over a <see cref="SyntheticLedger"/>:
/// a rebuild projecting the whole log, against a raw read of the same log; then "every
/// landmark of this city on day T" (and "as known on day K"), asked of the read model
/// through <see cref="ControlQueries.AtAsync"/>, against answering it by a full replay.
/// </summary>
internal static class ReadModelBenchmark
{
    private const int Seed = 2015;
    private const int ImportChunk = 50_000;
    private const int RebuildRounds = 3;
    // A rebuild of a large log takes minutes, long enough to even out the noise of one round.
    private const int OneRoundFrom = 250_000;
    private const double RebuildAim = 0.2;
    private const double P99AimMs = 5;

    private sealed record Ask(string City, DateOnly At, DateOnly Known);

    public static async Task<(Comparison Rebuild, IReadOnlyList<Latency> Queries)> RunAsync(
        NpgsqlDataSource dataSource, int landmarks, int events, int queries, int replays, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var ledger = SyntheticLedger.Create(landmarks, events, Seed);
        await using var schema = await BenchSchema.CreateAsync(dataSource, ct, prefix: "bench_rm_");
        // Chunks, as an import of a long ledger would go, and many transactions in the log.
        await LogImport.ImportAsync(schema.Store, ledger.Events(), ImportChunk, ct);
        // Fresh rows would make the first reader set hint bits for everyone after it.
        await schema.ExecuteAsync($"vacuum analyze {schema.Events}", ct);
        Console.Error.WriteLine(
            $"  generated and imported {events:N0} events ({ledger.Landmarks.Count:N0} landmarks, {ledger.Actors.Count} actors, {ledger.OccurrenceCount:N0} occurrences) in {clock.Elapsed.TotalSeconds:F0} s");

        var readModels = new ReadModelStore(schema.Store);
        await readModels.EnsureAsync(ct);
        var select = ReadAllBenchmark.SelectAll(schema);
        // Each round rebuilds into a new generation and swaps to it: the last one answers the queries.
        var rebuild = await Measure.CompareAsync($"rebuild ({events:N0} events)", RebuildAim, events >= OneRoundFrom ? 1 : RebuildRounds,
            _ => Measure.RateAsync(events, () => RebuildAsync(readModels, events, ct)),
            _ => Measure.RateAsync(events, () => ReadAllBenchmark.ReadRawAsync(dataSource, select, events, ct)));
        if (queries == 0) return (rebuild, []);
        // As for the log: autovacuum would soon set the hint bits and statistics of the new
        // generation; done now, the first queries do not pay for it and the planner knows the tables.
        clock.Restart();
        var generation = await readModels.ActiveSchemaAsync(ct);
        await schema.ExecuteAsync($"vacuum analyze \"{generation}\".control_claims, \"{generation}\".control_intervals, \"{generation}\".landmarks", ct);
        Console.Error.WriteLine($"  vacuum analyze of the read model: {clock.Elapsed.TotalSeconds:F0} s");

        var deadLetters = await readModels.DeadLettersAsync(10, ct);
        foreach (var letter in deadLetters) Console.Error.WriteLine($"  set aside by the read model: {letter}");

        var random = new Random(Seed);
        var warmUp = Math.Max(20, queries / 10);
        var asks = Enumerable.Range(0, warmUp + queries).Select(_ => new Ask(
            ledger.Cities[random.Next(ledger.Cities.Count)],
            RandomDay(random, SyntheticLedger.FirstDay, SyntheticLedger.LastDay),
            RandomDay(random, SyntheticLedger.FirstDay.AddMonths(3), SyntheticLedger.LastDay.AddMonths(6)))).ToArray();
        var control = new ControlQueries(readModels);
        return (rebuild,
        [
            await LatencyAsync("one city's landmarks at T", control, schema.Store, asks, warmUp, replays, known: false, ct),
            await LatencyAsync("one city's landmarks at T as known on K", control, schema.Store, asks, warmUp, replays, known: true, ct),
        ]);
    }

    private static async Task RebuildAsync(ReadModelStore readModels, int expected, CancellationToken ct)
    {
        using var phases = new Phases();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (allocated, paused) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration());
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var result = await readModels.RebuildAsync(ct);
        Console.Error.WriteLine($"  rebuild of {result.Events:N0} events: {result.Elapsed.TotalSeconds:F1} s; in the writer: {phases}");
        // The client's share of the two cores, and what the bulk pass holds in memory.
        using var process = Process.GetCurrentProcess();
        Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"  rebuild in this process: CPU {(process.TotalProcessorTime - cpu).TotalSeconds:F1} s, allocated {(GC.GetTotalAllocatedBytes() - allocated) / 1e9:F1} GB, GC pauses {(GC.GetTotalPauseDuration() - paused).TotalSeconds:F1} s (collections of generation 0/1/2: {string.Join("/", collections.Select((n, g) => GC.CollectionCount(g) - n))}), peak working set so far {process.PeakWorkingSet64 / 1e9:F2} GB"));
        if (result.Events != expected) throw new InvalidOperationException($"The rebuild projected {result.Events} events, expected {expected}.");
    }

    /// <summary>
    /// Times every ask against the read model (the first <paramref name="warmUp"/> warm the
    /// JIT, the pool and the server's caches and are not counted), then answers the first
    /// few again by full replay: timed, and compared landmark by landmark with the read model's answer.
    /// </summary>
    private static async Task<Latency> LatencyAsync(
        string name, ControlQueries control, LedgerLog store, Ask[] asks, int warmUp, int replays, bool known, CancellationToken ct)
    {
        var ms = await Measure.LatenciesAsync(asks, ask => control.AtAsync(ask.At, known ? ask.Known : null, null, ask.City, ct));
        var timed = ms.Skip(warmUp).ToArray();
        Console.Error.WriteLine($"  {name}: p50 {Measure.Percentile(timed, 50):F2} ms, p99 {Measure.Percentile(timed, 99):F2} ms, max {timed.Max():F2} ms");

        var replayed = new List<double>();
        var mismatches = new List<string>();
        foreach (var ask in asks.Take(replays))
        {
            var start = Stopwatch.GetTimestamp();
            var expected = await FullReplay.AtAsync(store, ask.At, known ? ask.Known : null, ask.City, ct);
            replayed.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            var answer = await control.AtAsync(ask.At, known ? ask.Known : null, null, ask.City, ct);
            if (Mismatch(answer, expected) is { } mismatch)
            {
                // Loud, with the evidence: every event of the occurrences either answer cites for that landmark.
                mismatches.Add(mismatch.Message);
                Console.Error.WriteLine($"  WRONG ANSWER: {mismatch.Message}");
                var cited = answer.Landmarks.Where(l => l.Landmark.Id == mismatch.Landmark).Select(l => l.Interval).Append(expected[mismatch.Landmark])
                    .SelectMany(i => i?.Evidence ?? []).Select(e => e.OccurrenceId).Distinct();
                foreach (var occurrence in cited)
                    await foreach (var e in store.ReadStreamAsync(ConflictLedger.Occurrences.OccurrenceEvents.StreamId(occurrence), ct: ct))
                        Console.Error.WriteLine($"    {e.StreamId} v{e.Version} at {e.Position}: {e.Type} {e.Data[..Math.Min(160, e.Data.Length)]}");
                continue;
            }
            Console.Error.WriteLine($"  {name}, full replay {replayed.Count}/{replays}: {replayed[^1]:N0} ms, same answer for {expected.Count} landmarks");
        }
        return new Latency(name, timed.Length, Measure.Percentile(timed, 50), Measure.Percentile(timed, 99), P99AimMs, replayed.Count, replayed.Average(), mismatches.Count);
    }

    // A fast answer that is wrong would look good: the read model must say what the replay says.
    private static (string Landmark, string Message)? Mismatch(ControlAnswer answer, Dictionary<string, ControlInterval?> expected)
    {
        var actual = answer.Landmarks.ToDictionary(l => l.Landmark.Id, l => l.Interval, StringComparer.Ordinal);
        if (!actual.Keys.Order(StringComparer.Ordinal).SequenceEqual(expected.Keys.Order(StringComparer.Ordinal)))
            throw new InvalidOperationException($"The read model answered for {actual.Count} landmarks, the replay for {expected.Count}.");
        foreach (var (id, interval) in expected)
        {
            if (Json.Serialize(actual[id]) != Json.Serialize(interval))
                return (id, $"At {answer.At} (known {answer.Known}) the read model says {Json.Serialize(actual[id])} of {id}, the replay {Json.Serialize(interval)}.");
        }
        return null;
    }

    private static DateOnly RandomDay(Random random, DateOnly first, DateOnly last) =>
        first.AddDays(random.Next(last.DayNumber - first.DayNumber + 1));
}
