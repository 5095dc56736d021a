using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ConflictLedger.Server.Benchmarks;

/// <summary>One row of the table.</summary>
/// <param name="Failed">A correctness check failed: the run exits non-zero.</param>
internal sealed record Figure(string Name, string Value, string Detail, bool Failed = false);

internal static class Measure
{
    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Items per second of <paramref name="items"/> operations shared among
    /// <paramref name="workers"/> sequential workers; each operation gets its item number.
    /// </summary>
    public static async Task<double> RateAsync(int items, int workers, Func<int, Task> operation)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < items;) await operation(i);
        })));
        return items / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static double Milliseconds(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;

    public static string Format(FormattableString text) => text.ToString(Invariant);

    public static string Table(IEnumerable<Figure> figures)
    {
        var table = new StringBuilder()
            .AppendLine("### The service")
            .AppendLine()
            .AppendLine("| Figure | Value | Conditions |")
            .AppendLine("|---|---:|---|");
        foreach (var f in figures) table.AppendLine(Invariant, $"| {f.Name} | {f.Value} | {f.Detail} |");
        return table.ToString();
    }
}
