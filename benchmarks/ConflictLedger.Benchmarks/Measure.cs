using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ConflictLedger.Benchmarks;

/// <summary>One benchmark's outcome: medians of the store's and the raw baseline's rates, and of their per-round ratios.</summary>
internal sealed record Comparison(string Name, double StoreRate, double RawRate, double Ratio, double Aim, int Rounds);

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

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
