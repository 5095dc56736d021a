using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ConflictLedger.Benchmarks;

/// <summary>One benchmark's outcome: medians of the store's and the raw baseline's rates, and of their per-round ratios.</summary>
internal sealed record Comparison(string Name, double StoreRate, double RawRate, double Ratio, double Aim, int Rounds);

/// <summary>
/// Latencies of one kind of read model query (after a warm-up), next to the time a full
/// replay of the log takes to answer the same question.
/// </summary>
internal sealed record Latency(string Name, int Queries, double P50, double P99, double AimP99, int ReplayQueries, double ReplayMs, int WrongAnswers = 0);

internal static class Measure
{
    /// <summary>Items per second of one timed run.</summary>
    public static async Task<double> RateAsync(int items, Func<Task> run)
    {
        var clock = Stopwatch.StartNew();
        await run();
        return items / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Runs the store and the raw baseline back to back, round after round, swapping which
    /// goes first. The machine is shared and noisy: a ratio taken from two runs seconds
    /// apart sees the same load on both, and the median of those ratios ignores a round
    /// that a burst of load (or a checkpoint) hit on one side only.
    /// </summary>
    public static async Task<Comparison> CompareAsync(
        string name, double aim, int rounds, Func<int, Task<double>> store, Func<int, Task<double>> raw)
    {
        var storeRates = new List<double>();
        var rawRates = new List<double>();
        var ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            double storeRate, rawRate;
            if (round % 2 == 0)
            {
                storeRate = await store(round);
                rawRate = await raw(round);
            }
            else
            {
                rawRate = await raw(round);
                storeRate = await store(round);
            }
            storeRates.Add(storeRate);
            rawRates.Add(rawRate);
            ratios.Add(storeRate / rawRate);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}, round {round + 1}/{rounds}: store {storeRate:N0}/s, raw {rawRate:N0}/s, ratio {storeRate / rawRate:F2}"));
        }
        return new Comparison(name, Median(storeRates), Median(rawRates), Median(ratios), aim, rounds);
    }

    /// <summary>
    /// For operations of a millisecond or less (single appends): each round runs the store's
    /// and the raw baseline's i-th calls one after the other, swapping which goes first, and
    /// sums each side's time. A burst of load then hits both sides alike, which whole runs
    /// seconds apart on a busy machine do not.
    /// </summary>
    public static Task<Comparison> CompareInterleavedAsync(
        string name, double aim, int rounds, int calls, Func<int, int, Task> store, Func<int, int, Task> raw)
    {
        var storeTimes = new TimeSpan[rounds];
        var rawTimes = new TimeSpan[rounds];
        var ran = new bool[rounds];
        async Task InterleaveAsync(int round)
        {
            if (ran[round]) return;
            ran[round] = true;
            for (var i = 0; i < calls; i++)
            {
                if ((i + round) % 2 == 0)
                {
                    storeTimes[round] += await TimeAsync(() => store(round, i));
                    rawTimes[round] += await TimeAsync(() => raw(round, i));
                }
                else
                {
                    rawTimes[round] += await TimeAsync(() => raw(round, i));
                    storeTimes[round] += await TimeAsync(() => store(round, i));
                }
            }
        }
        return CompareAsync(name, aim, rounds,
            async round =>
            {
                await InterleaveAsync(round);
                return calls / storeTimes[round].TotalSeconds;
            },
            async round =>
            {
                await InterleaveAsync(round);
                return calls / rawTimes[round].TotalSeconds;
            });
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> run)
    {
        var start = Stopwatch.GetTimestamp();
        await run();
        return Stopwatch.GetElapsedTime(start);
    }

    /// <summary>Milliseconds each call took, one call after another.</summary>
    public static async Task<double[]> LatenciesAsync<T>(IReadOnlyList<T> calls, Func<T, Task> run)
    {
        var ms = new double[calls.Count];
        for (var i = 0; i < calls.Count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await run(calls[i]);
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return ms;
    }

    /// <summary>The nearest-rank percentile: the smallest value at least <paramref name="percent"/>% of the values do not exceed.</summary>
    public static double Percentile(IEnumerable<double> values, double percent)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static string Table(IEnumerable<Comparison> results)
    {
        var table = new StringBuilder()
            .AppendLine("| Benchmark | Store (events/s) | Raw baseline (events/s) | Ratio (median of rounds) | Aim | |")
            .AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.StoreRate:N0} | {r.RawRate:N0} | {r.Ratio:F2} ({r.Rounds} rounds) | >= {r.Aim:F1} | {(r.Ratio >= r.Aim ? "met" : "MISSED")} |");
        }
        return table.ToString();
    }

    /// <summary>The read model's rebuild against a raw read of the log, then its queries against a full replay.</summary>
    public static string Table(Comparison rebuild, IEnumerable<Latency> queries)
    {
        var table = new StringBuilder()
            .AppendLine("| Benchmark | Read model | Baseline | Ratio | Aim | |")
            .AppendLine("|---|---:|---:|---:|---:|---|")
            .AppendLine(CultureInfo.InvariantCulture,
                $"| {rebuild.Name} | {rebuild.StoreRate:N0} events/s | raw read: {rebuild.RawRate:N0} events/s | {rebuild.Ratio:F2} (rebuild ÷ raw read, {(rebuild.Rounds == 1 ? "1 round" : $"median of {rebuild.Rounds} rounds")}) | >= {rebuild.Aim:F1} | {(rebuild.Ratio >= rebuild.Aim ? "met" : "MISSED")} |");
        foreach (var q in queries)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {q.Name} ({q.Queries:N0} queries) | p50 {q.P50:F2} ms, p99 {q.P99:F2} ms | full replay: {q.ReplayMs:N0} ms/query ({q.ReplayQueries} queries) | {q.ReplayMs / q.P50:N0}× (replay ÷ p50) | p99 < {q.AimP99:F0} ms | {(q.P99 < q.AimP99 ? "met" : "MISSED")}{(q.WrongAnswers > 0 ? $"; {q.WrongAnswers} of {q.ReplayQueries} answers DIFFER from the replay" : "")} |");
        }
        return table.ToString();
    }

    /// <summary>Follower lag after each kind of failed append, next to an undisturbed one.</summary>
    public static string Table(IEnumerable<Lag> lags)
    {
        var table = new StringBuilder()
            .AppendLine("| Follower | Undisturbed append (ms) | After a rolled-back append (ms) | Ratio | After a 409 (ms) | Ratio |")
            .AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var l in lags)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {l.Follower}, median of {l.Rounds} | {l.Undisturbed:F1} | {l.AfterRollback:F1} | {l.AfterRollback / l.Undisturbed:F2} | {l.AfterConflict:F1} | {l.AfterConflict / l.Undisturbed:F2} |");
        }
        return table.ToString();
    }

    public static string Table(AcledImport a)
    {
        var table = new StringBuilder()
            .AppendLine("| ACLED import (generated, pre-2019 layout) | Seconds | Raw COPY of the same events (s) | Aim | |")
            .AppendLine("|---|---:|---:|---:|---|")
            .AppendLine(CultureInfo.InvariantCulture,
                $"| first import: {a.Rows:N0} rows, {a.Events:N0} events | {a.FirstSeconds:F1} | {a.CopySeconds:F2} | < 10 s | {(a.FirstSeconds < 10 ? "met" : "MISSED")} |")
            .AppendLine(CultureInfo.InvariantCulture,
                $"| re-import, a no-op ({a.AppendedAgain} appended) | {a.AgainSeconds:F1} | | < 3 s | {(a.AgainSeconds < 3 && a.AppendedAgain == 0 ? "met" : "MISSED")} |");
        return table.ToString();
    }

    public static string Table(CatchUp c)
    {
        var table = new StringBuilder()
            .AppendLine("| Catch-up by Marten's daemon | Log before | Seconds | Events/s |")
            .AppendLine("|---|---:|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| {c.NewEvents:N0} new events | {c.ShortLog:N0} | {c.ShortSeconds:F1} | {c.NewEvents / c.ShortSeconds:N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| {c.NewEvents:N0} new events | {c.LongLog:N0} | {c.LongSeconds:F1} | {c.NewEvents / c.LongSeconds:N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| ratio (long ÷ short; aim near 1) | | {c.Ratio:F2} | |");
        return table.ToString();
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
