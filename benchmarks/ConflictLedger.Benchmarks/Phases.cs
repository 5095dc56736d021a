using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// Sums the read model writer's phase timings (its <c>conflictledger.read_model.write.duration</c>
/// histogram) while alive, so a benchmark can say where a batch's time went.
/// </summary>
internal sealed class Phases : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<string, double> totals = new(StringComparer.Ordinal);

    public Phases()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "conflictledger.read_model.write.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, ms, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "phase") totals.AddOrUpdate((string)tag.Value!, ms, (_, sum) => sum + ms);
        });
        listener.Start();
    }

    public override string ToString() =>
        string.Join(", ", totals.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value / 1000:F1} s")));

    public void Dispose() => listener.Dispose();
}
