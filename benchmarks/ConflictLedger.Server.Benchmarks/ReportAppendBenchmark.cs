using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Server.Benchmarks;

/// <summary>
/// POST /api/occurrences against the store's own AppendAsync of the same events: what the
/// HTTP pipeline, the API key check, the catalog lookup and the validation cost a report.
/// </summary>
internal static class ReportAppendBenchmark
{
    /// <summary>A valid report: the place and the actors are aliases from the Derna seed the server imports.</summary>
    private const string Body = """
        {"account":{"kind":"territory-taken","when":{"earliest":"2015-06-18","latest":"2015-06-18","precision":"day"},
         "place":"Pearl Hotel","actors":[{"actor":"MSC","role":"gainer"},{"actor":"IS","role":"loser"}],"firmness":"reported",
         "source":{"outlet":"Bench wire","headline":"Shura Council takes the Pearl Hotel","published":"2015-06-19","quote":"Shura Council fighters entered the hotel."}}}
        """;

    /// <summary>An event as the report endpoint appends it, and the stream it goes to.</summary>
    private sealed record Template(string OccurrenceId, string AccountId, EventData Event);

    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchServer server, int reports, int concurrency, CancellationToken ct)
    {
        using var http = server.CreateWriter();
        var template = await TemplateAsync(server, http, ct);
        // Warm-up: the JIT, both connection pools and the server's plan caches.
        await Measure.RateAsync(50, 1, _ => ReportAsync(http, ct));
        await Measure.RateAsync(50, 1, _ => AppendAsync(server.Store, Copy(template), ct));

        var figures = new List<Figure>();
        foreach (var workers in new[] { 1, concurrency })
        {
            var (viaHttp, viaStore) = await CompareAsync(server, http, template, reports, workers, ct);
            var who = workers == 1 ? "sequential" : $"{workers} concurrent";
            figures.Add(new($"Reports: POST /api/occurrences, {who}", Measure.Format($"{viaHttp.Rate:N0}/s"),
                Measure.Format($"{viaHttp.Items:N0} reports, each a new occurrence; {viaHttp.CommandsEach:F1} server database commands per report")));
            figures.Add(new($"Store: AppendAsync of the same events, {who}", Measure.Format($"{viaStore.Rate:N0}/s"),
                Measure.Format($"{viaStore.Items:N0} events, same type, data and metadata, each a new stream; {viaStore.CommandsEach:F1} server database commands per event (the read model's)")));
            figures.Add(new($"HTTP / store, {who}", Measure.Format($"{viaHttp.Rate / viaStore.Rate:F2}"), ""));
        }
        return figures;
    }

    /// <param name="CommandsEach">
    /// The server's database commands per item while the side ran: the read model projecting
    /// what was appended, and for HTTP the request's own.
    /// </param>
    private sealed record Side(int Items, double Rate, double CommandsEach);

    /// <summary>
    /// Two rounds in the order HTTP, store, store, HTTP, so a burst of load on the shared
    /// machine falls on both sides alike; each side's rate is over both of its rounds.
    /// </summary>
    private static async Task<(Side Http, Side Store)> CompareAsync(
        BenchServer server, HttpClient http, Template template, int reports, int workers, CancellationToken ct)
    {
        var half = reports / 2;
        var events = Enumerable.Range(0, 2 * half).Select(_ => Copy(template)).ToArray();
        Task<(double, long)> Http() => CountedAsync(server, () => Measure.RateAsync(half, workers, _ => ReportAsync(http, ct)));
        Task<(double, long)> Store(int round) => CountedAsync(server, () => Measure.RateAsync(half, workers, i => AppendAsync(server.Store, events[round * half + i], ct)));

        var (http1, httpTx1) = await Http();
        var (store1, storeTx1) = await Store(0);
        var (store2, storeTx2) = await Store(1);
        var (http2, httpTx2) = await Http();
        // Harmonic means: the rate over all of a side's items.
        return (new Side(2 * half, 2 / (1 / http1 + 1 / http2), (httpTx1 + httpTx2) / (2.0 * half)),
                new Side(2 * half, 2 / (1 / store1 + 1 / store2), (storeTx1 + storeTx2) / (2.0 * half)));
    }

    private static async Task<(double Rate, long Commands)> CountedAsync(BenchServer server, Func<Task<double>> run)
    {
        var before = server.Commands.Count;
        var rate = await run();
        return (rate, server.Commands.Count - before);
    }

    private static async Task ReportAsync(HttpClient http, CancellationToken ct)
    {
        // A new key per request: without one the same body again is refused as a duplicate.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/occurrences") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /api/occurrences answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    private static Task AppendAsync(LedgerLog store, (string StreamId, EventData Event) e, CancellationToken ct) =>
        store.AppendAsync(e.StreamId, ExpectedVersion.NoStream, [e.Event], ct);

    /// <summary>One report through the API, read back from the log: the store side appends copies of exactly this event.</summary>
    private static async Task<Template> TemplateAsync(BenchServer server, HttpClient http, CancellationToken ct)
    {
        using var content = new StringContent(Body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/occurrences", content, ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"The report body was refused ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}");
        var recorded = (await response.Content.ReadFromJsonAsync<Recorded>(ct))!;
        var stored = await server.Store.ReadStreamAsync(OccurrenceEvents.StreamId(recorded.OccurrenceId), ct: ct).FirstAsync(ct);
        return new Template(recorded.OccurrenceId, recorded.AccountId, new EventData(stored.Id, stored.Type, stored.Data, stored.Metadata));
    }

    /// <summary>
    /// The template under new random suffixes, as each POST makes them: the server ends the
    /// occurrence id and the account id ("api/...") with 10 random hex digits each. So every
    /// copy is a new occurrence, and the read model projects it as one.
    /// </summary>
    private static (string StreamId, EventData Event) Copy(Template template)
    {
        var id = template.OccurrenceId[..^10] + Guid.NewGuid().ToString("N")[..10];
        var accountId = "api/" + Guid.NewGuid().ToString("N")[..10];
        var data = template.Event.Data
            .Replace(template.OccurrenceId, id, StringComparison.Ordinal)
            .Replace(template.AccountId, accountId, StringComparison.Ordinal);
        return (OccurrenceEvents.StreamId(id), template.Event with { Id = Guid.NewGuid(), Data = data });
    }
}
