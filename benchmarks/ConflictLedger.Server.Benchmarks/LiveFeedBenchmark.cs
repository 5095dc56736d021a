using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Server.Benchmarks;

/// <summary>
/// Append-to-delivery latency of GET /feed/live under fan-out: every client is connected
/// before the first append, a paced appender writes through the store, and each client
/// must receive every event exactly once in log order. The same load with one client
/// first, so the cost of the fan-out itself shows.
/// </summary>
internal static class LiveFeedBenchmark
{
    private const OccurrenceKind Kind = OccurrenceKind.Grenade;

    private static readonly string Type = Kind.ReportedEventType();

    /// <summary>Appenders sharing the schedule, so slow commits do not hold back the rate.</summary>
    private const int Appenders = 16;

    private static readonly TimeSpan DeliveryDeadline = TimeSpan.FromSeconds(30);

    /// <param name="Sent">When the append was sent.</param>
    /// <param name="Committed">When AppendAsync returned: the commit is acknowledged.</param>
    private readonly record struct Append(long Position, long Sent, long Committed);

    private readonly record struct Delivery(long Position, long Received);

    /// <summary>One load at one number of clients. Latencies in milliseconds, sorted.</summary>
    /// <param name="FromRecorded">
    /// From the event's recorded_at: its transaction's start on the server's clock, an instant
    /// before the commit. Unlike the appender's acknowledgement it cannot arrive late when the
    /// benchmark process is short of CPU, so the two bracket the true commit-to-delivery time.
    /// </param>
    private sealed record Run(
        int Clients, int Events, double AppendRate, double[] FromCommit, double[] FromRecorded, double[] AppendLatency,
        long Delivered, string? Failure, long ServerCommands, TimeSpan Cpu);

    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchServer server, int clients, int rate, TimeSpan duration, CancellationToken ct)
    {
        var single = await MeasureAsync(server, 1, rate, duration, ct);
        var fanOut = await MeasureAsync(server, clients, rate, duration, ct);
        var load = Measure.Format($"{fanOut.Events:N0} events appended at {fanOut.AppendRate:N0}/s (target {rate}/s) over {duration.TotalSeconds:0} s");
        return
        [
            new(Measure.Format($"Live feed, {clients} clients: append commit to delivery, p50"), Ms(fanOut.FromCommit, 50),
                $"{load}; from recorded_at (transaction start, server clock): {Ms(fanOut.FromRecorded, 50)}"),
            new(Measure.Format($"Live feed, {clients} clients: append commit to delivery, p99"), Ms(fanOut.FromCommit, 99),
                $"from recorded_at: {Ms(fanOut.FromRecorded, 99)}; max {Ms(fanOut.FromCommit, 100)}; the append itself: p50 {Ms(fanOut.AppendLatency, 50)}, p99 {Ms(fanOut.AppendLatency, 99)}"),
            new(Measure.Format($"Live feed, {clients} clients: deliveries (clients x events)"), Measure.Format($"{fanOut.Delivered:N0} / {(long)clients * fanOut.Events:N0}"),
                fanOut.Failure ?? "every client got every event once, in log order", Failed: fanOut.Failure is not null),
            new("Live feed, 1 client, same load: commit to delivery, p50 / p99", $"{Ms(single.FromCommit, 50)} / {Ms(single.FromCommit, 99)}",
                Measure.Format($"appended at {single.AppendRate:N0}/s; from recorded_at: {Ms(single.FromRecorded, 50)} / {Ms(single.FromRecorded, 99)}; ")
                + (single.Failure ?? Measure.Format($"{single.Delivered:N0} events, all in log order")), Failed: single.Failure is not null),
            new(Measure.Format($"Live feed: server database commands per appended event, {clients} clients / 1 client"),
                Measure.Format($"{(double)fanOut.ServerCommands / fanOut.Events:F1} / {(double)single.ServerCommands / single.Events:F1}"),
                "the tail reads each new event once for every client at the head"),
            new(Measure.Format($"Live feed: CPU per delivery (server and clients in one process), {clients} clients / 1 client"),
                Measure.Format($"{fanOut.Cpu.TotalMicroseconds / Math.Max(1, fanOut.Delivered):F1} µs / {single.Cpu.TotalMicroseconds / Math.Max(1, single.Delivered):F1} µs"),
                "processor time of the benchmark process over the run, divided by the events the clients received: a figure the machine's other load does not move much"),
        ];
    }

    private static async Task<Run> MeasureAsync(BenchServer server, int clients, int rate, TimeSpan duration, CancellationToken ct)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var head = await server.Store.HeadAsync(ct);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients + 16, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var url = $"/feed/live?after={head.Value}&type={Type}";
        var responses = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => ConnectAsync(http, url, ct)));
        try
        {
            var commandsBefore = server.Commands.Count;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var readers = responses.Select(r => Task.Run(() => ReadAsync(r, count, stop.Token), CancellationToken.None)).ToArray();
            Console.Error.WriteLine($"  live feed: {clients} clients connected; appending {count} events at {rate}/s");
            var (appends, appendRate) = await AppendPacedAsync(server.Store, count, rate, ct);
            stop.CancelAfter(DeliveryDeadline);
            var received = await Task.WhenAll(readers);
            var commands = server.Commands.Count - commandsBefore;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            // The log's own order is the reference: positions are unique but, with concurrent
            // writers, not monotonic in log order (which is by transaction, then position).
            var log = await server.Store.ReadAllAsync(head, new ReadAllOptions { Types = [Type] }, ct).ToListAsync(ct);
            var failure = Check(appends.Length, log.Select(e => e.Position.Value).ToList(), received);
            if (failure is not null) Console.Error.WriteLine($"  live feed ({clients} clients): {failure}");

            var committed = appends.ToDictionary(a => a.Position, a => a.Committed);
            var recorded = log.ToDictionary(e => e.Position.Value, e => e.RecordedAt);
            // Stopwatch times as wall-clock times, to compare with the server's clock.
            var (wallAnchor, tickAnchor) = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
            var deliveries = received.SelectMany(r => r).Where(d => committed.ContainsKey(d.Position)).ToArray();
            return new Run(
                clients, count, appendRate,
                Sorted(deliveries.Select(d => Measure.Milliseconds(d.Received - committed[d.Position]))),
                Sorted(deliveries.Select(d => (wallAnchor - recorded[d.Position]).TotalMilliseconds - Measure.Milliseconds(tickAnchor - d.Received))),
                Sorted(appends.Select(a => Measure.Milliseconds(a.Committed - a.Sent))),
                received.Sum(r => (long)r.Count), failure, commands, cpu);
        }
        finally
        {
            foreach (var response in responses) response.Dispose();
        }
    }

    private static async Task<HttpResponseMessage> ConnectAsync(HttpClient http, string url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        // The server flushes the headers before its first read of the log, so an answer means connected.
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        return response;
    }

    /// <summary>
    /// Reads until <paramref name="count"/> events arrived, the stream ends, or the deadline
    /// passes: what arrived is the result. Scans the bytes for lines without making strings
    /// of them: 200 clients share the server's two cores, and the harness should not take
    /// them from the server it measures.
    /// </summary>
    private static async Task<List<Delivery>> ReadAsync(HttpResponseMessage response, int count, CancellationToken ct)
    {
        var deliveries = new List<Delivery>(count);
        var reader = PipeReader.Create(await response.Content.ReadAsStreamAsync(ct));
        long? position = null;
        try
        {
            while (deliveries.Count < count)
            {
                var read = await reader.ReadAsync(ct);
                var buffer = read.Buffer;
                while (deliveries.Count < count && buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, end);
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                    if (line.Length == 0 && position is { } p)
                    {
                        // The blank line ends the event: only now has the client all of it.
                        deliveries.Add(new Delivery(p, Stopwatch.GetTimestamp()));
                        position = null;
                    }
                    else if (line.Length < 32 && Id(line) is { } id)
                    {
                        position = id;
                    }
                }
                reader.AdvanceTo(buffer.Start, read.Buffer.End);
                if (read.IsCompleted) break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The deadline: whatever is missing is reported as missing.
        }
        await reader.CompleteAsync();
        return deliveries;
    }

    /// <summary>The position on an "id: N" line (which may straddle two buffer segments); null for any other line.</summary>
    private static long? Id(ReadOnlySequence<byte> line)
    {
        Span<byte> text = stackalloc byte[32];
        line.CopyTo(text);
        text = text[..(int)line.Length];
        return text.StartsWith("id: "u8) ? long.Parse(text[4..], Measure.Invariant) : null;
    }

    /// <summary>Event i is due at i / rate seconds after the start; an appender that falls behind sends at once.</summary>
    private static async Task<(Append[] Appends, double Rate)> AppendPacedAsync(LedgerLog store, int count, int rate, CancellationToken ct)
    {
        // Made before the clock starts: serializing 500 reports a second is the load generator's
        // work, and it shared the server's cores during the measurement.
        var events = Enumerable.Range(0, count).Select(i => BenchEvents.Report(Kind, $"bench-live-{i % 100}", i)).ToArray();
        var appends = new Append[count];
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Appenders).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < count;)
            {
                var wait = TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                var sent = Stopwatch.GetTimestamp();
                var (stream, e) = events[i];
                var result = await store.AppendAsync(stream, ExpectedVersion.Any, [e], ct);
                appends[i] = new Append(result.Position.Value, sent, Stopwatch.GetTimestamp());
            }
        }, ct)));
        return (appends, count / Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>Null when every client has the log's sequence exactly; else the first difference, as evidence.</summary>
    private static string? Check(int appended, List<long> logOrder, List<Delivery>[] received)
    {
        string? evidence = logOrder.Count == appended ? null : $"the log holds {logOrder.Count} of the {appended} appended events";
        var wrongClients = 0;
        for (var c = 0; c < received.Length; c++)
        {
            var got = received[c];
            var i = FirstDifference(got, logOrder);
            if (i < 0 && got.Count == logOrder.Count) continue;
            wrongClients++;
            evidence ??= i >= 0
                ? $"client {c}: event #{i} has position {got[i].Position}, the log has {logOrder[i]} there (received {got.Count} of {logOrder.Count})"
                : $"client {c}: received {got.Count} of {logOrder.Count} events, the rest missing after position {(got.Count > 0 ? got[^1].Position : 0)}";
        }
        return evidence is null ? null : $"FAILED on {wrongClients} of {received.Length} clients; first: {evidence}";
    }

    private static int FirstDifference(List<Delivery> got, List<long> logOrder)
    {
        for (var i = 0; i < Math.Min(got.Count, logOrder.Count); i++)
            if (got[i].Position != logOrder[i]) return i;
        return -1;
    }

    private static double[] Sorted(IEnumerable<double> values) => values.Order().ToArray();

    private static string Ms(double[] sorted, double percentile) => Measure.Format($"{Measure.Percentile(sorted, percentile):F1} ms");
}
