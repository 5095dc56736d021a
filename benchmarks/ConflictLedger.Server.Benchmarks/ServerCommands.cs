using System.Diagnostics.Metrics;

namespace ConflictLedger.Server.Benchmarks;

/// <summary>
/// Counts the database commands the server runs, from Npgsql's own metrics in this process:
/// every data source but the benchmark's own, so not the benchmark's appends, and not other
/// sessions on a shared database. Per event it shows where the time goes better than a rate can.
/// </summary>
internal sealed class ServerCommands : IDisposable
{
    private readonly MeterListener listener = new();
    private long count;

    public ServerCommands(string excludedPool)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.operation.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "db.client.connection.pool.name" && !Equals(tag.Value, excludedPool)) Interlocked.Increment(ref count);
        });
        listener.Start();
    }

    public long Count => Interlocked.Read(ref count);

    public void Dispose() => listener.Dispose();
}
