using System.Diagnostics.Metrics;

namespace ConflictLedger.Benchmarks;

/// <summary>Counts the round trips Npgsql makes in this process while alive (a batch of statements is one), from Npgsql's own metrics.</summary>
internal sealed class DatabaseCommands : IDisposable
{
    private readonly MeterListener listener = new();
    private long count;

    public DatabaseCommands()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.operation.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref count));
        listener.Start();
    }

    public long Count => Interlocked.Read(ref count);

    public void Dispose() => listener.Dispose();
}
