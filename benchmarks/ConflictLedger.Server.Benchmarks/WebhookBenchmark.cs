using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Server.Benchmarks;

/// <summary>
/// Webhook deliveries per second to a local receiver that answers at once, against plain
/// POSTs of the same bodies to the same receiver: what the dispatcher's bookkeeping (its
/// reads of the log, the delivery record, the checkpoint) costs per event. A webhook that
/// opted into batches is measured in events/s against the same plain POSTs of single bodies.
/// </summary>
internal static class WebhookBenchmark
{
    private const OccurrenceKind Kind = OccurrenceKind.Looting;

    private static readonly string Type = Kind.ReportedEventType();

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    private sealed record CreatedWebhook(Guid Id, string Secret);

    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchServer server, int events, CancellationToken ct)
    {
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        using var writer = server.CreateWriter();
        using var plain = new HttpClient { BaseAddress = receiver.BaseAddress };
        var figures = new List<Figure>();
        foreach (var hooks in new[] { 1, 4 })
        {
            var (rate, check, failed, bodies) = await DeliverAsync(server, writer, receiver, hooks, events, null, ct);
            var baseline = await PostPlainAsync(plain, receiver, bodies, hooks, ct);
            var posters = hooks == 1 ? "one client, sequential" : $"{hooks} sequential posters on one client";
            figures.Add(new($"Webhooks: deliveries/s, {hooks} webhook{(hooks == 1 ? "" : "s")}", Measure.Format($"{rate:N0}/s"),
                Measure.Format($"{events:N0} events x {hooks}, appended in one transaction, timed until the receiver had all; {check}"), failed));
            figures.Add(new($"Plain HTTP POSTs of the same bodies, {posters}", Measure.Format($"{baseline:N0}/s"), "same receiver, same bodies"));
            figures.Add(new($"Webhooks / plain POSTs, {hooks} webhook{(hooks == 1 ? "" : "s")}", Measure.Format($"{rate / baseline:F2}"), ""));
        }
        // The machine is shared and noisy: batch rounds alternate with their baseline, and the median ratio counts.
        const int BatchSize = 100;
        var rounds = new List<(double Rate, double Baseline, string Check, bool Failed)>();
        for (var round = 0; round < (events >= 1_000 ? 5 : 1); round++)
        {
            var (rate, check, failed, bodies) = await DeliverAsync(server, writer, receiver, 1, events, BatchSize, ct);
            rounds.Add((rate, await PostPlainAsync(plain, receiver, bodies, 1, ct), check, failed));
        }
        var median = rounds.OrderBy(r => r.Rate / r.Baseline).ElementAt(rounds.Count / 2);
        figures.Add(new($"Webhooks with batches of up to {BatchSize}: events/s, 1 webhook", Measure.Format($"{median.Rate:N0}/s"),
            Measure.Format($"{events:N0} events, appended in one transaction, timed until the receiver had all; {median.Check}; the median round of {rounds.Count}"),
            rounds.Any(r => r.Failed)));
        figures.Add(new("Plain HTTP POSTs of the same events' single bodies, one client, sequential", Measure.Format($"{median.Baseline:N0}/s"), "same receiver, same round"));
        figures.Add(new("Batched webhook events/s / plain POSTs/s", Measure.Format($"{median.Rate / median.Baseline:F2}"),
            Measure.Format($"median of {rounds.Count} alternating rounds (all: {string.Join(", ", rounds.Select(r => (r.Rate / r.Baseline).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}); aim >= 0.3")));
        return figures;
    }

    /// <summary>The events a call carried: one for a single body, each element of a batch body.</summary>
    private static IEnumerable<(string Id, byte[] Body)> EventsOf(ReceivedCall call)
    {
        using var json = JsonDocument.Parse(call.Body);
        if (json.RootElement.ValueKind != JsonValueKind.Array) return [(call.Id, call.Body)];
        return json.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("id").GetString()!, System.Text.Encoding.UTF8.GetBytes(e.GetRawText())))
            .ToList();
    }

    private static async Task<(double Rate, string Check, bool Failed, List<byte[]> Bodies)> DeliverAsync(
        BenchServer server, HttpClient writer, WebhookReceiver receiver, int hooks, int events, int? batchSize, CancellationToken ct)
    {
        var created = new List<CreatedWebhook>();
        for (var k = 0; k < hooks; k++)
        {
            var url = new Uri(receiver.BaseAddress, $"hook{k}");
            var response = batchSize is null
                ? await writer.PostAsJsonAsync("/api/webhooks", new { url, types = new[] { Type } }, ct)
                : await writer.PostAsJsonAsync("/api/webhooks", new { url, types = new[] { Type }, batch = true, batchSize }, ct);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            created.Add(new CreatedWebhook(body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!));
        }
        // Appended in one transaction (Marten's COPY path, new streams), so the time is the dispatcher's, not the appender's.
        // Streams of their own each round: the bulk path starts new streams only.
        var round = Guid.NewGuid().ToString("N")[..8];
        var streams = Enumerable.Range(0, events)
            .Select(i => BenchEvents.Report(Kind, $"bench-hook-{hooks}-{round}-{i % 100}", i))
            .GroupBy(e => e.StreamId)
            .Select(g => (g.Key, (IReadOnlyList<EventData>)g.Select(e => e.Event).ToList()))
            .ToList();
        var head = await server.Store.HeadAsync(ct);
        var all = receiver.ExpectAsync((long)hooks * events);
        var commandsBefore = server.Commands.Count;
        var clock = Stopwatch.StartNew();
        LogPosition last;
        await using (var append = await server.Store.BeginAsync(ct))
        {
            last = (await append.BulkStartStreamsAsync(streams, ct)).Position;
            await append.CommitAsync(ct);
        }
        string? timedOut = null;
        try
        {
            await all.WaitAsync(Deadline, ct);
        }
        catch (TimeoutException)
        {
            timedOut = $"TIMED OUT after {Deadline.TotalSeconds:0} s";
        }
        var rate = hooks * events / clock.Elapsed.TotalSeconds;
        var commandsEach = (double)(server.Commands.Count - commandsBefore) / (hooks * events);
        // Later benchmarks should not pay for these webhooks. Deleted only once the checkpoint
        // has moved past the last event: deleting during a delivery's bookkeeping fails its
        // record of the attempt (the server logs that as a dispatch failure).
        foreach (var hook in created)
        {
            if (timedOut is null) await CheckpointReachedAsync(writer, hook.Id, last.Value, ct);
            (await writer.DeleteAsync($"/api/webhooks/{hook.Id}", ct)).EnsureSuccessStatusCode();
        }

        var problems = new List<string>();
        if (timedOut is not null) problems.Add(timedOut);
        var ids = new List<string>();
        await foreach (var e in server.Store.ReadAllAsync(head, new ReadAllOptions { Types = [Type] }, ct)) ids.Add(e.Id.ToString());
        for (var k = 0; k < hooks; k++)
        {
            var calls = receiver.Calls($"hook{k}");
            var received = calls.SelectMany(EventsOf).Select(e => e.Id).ToList();
            if (!received.SequenceEqual(ids))
                problems.Add($"webhook {k}: {received.Count} events in {calls.Count} calls, {received.Distinct().Count()} distinct, not the {events} events in log order");
            if (calls.Count == 0 || !WebhookReceiver.SignatureHolds(created[k].Secret, calls[0]) || !WebhookReceiver.SignatureHolds(created[k].Secret, calls[^1]))
                problems.Add($"webhook {k}: the signature of the first or last call does not verify");
        }
        if (problems.Count > 0) Console.Error.WriteLine($"  webhooks ({hooks}): FAILED: {string.Join("; ", problems)}");
        var check = (problems.Count == 0 ? "each webhook got every event once, in log order; first and last signatures verified" : "FAILED: " + string.Join("; ", problems))
            + Measure.Format($"; {commandsEach:F1} server database commands per event delivered");
        return (rate, check, problems.Count > 0, receiver.Calls("hook0").SelectMany(EventsOf).Select(e => e.Body).ToList());
    }

    private static async Task CheckpointReachedAsync(HttpClient writer, Guid id, long position, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        while ((await writer.GetFromJsonAsync<JsonElement>($"/api/webhooks/{id}", deadline.Token)).GetProperty("position").GetInt64() != position)
            await Task.Delay(10, deadline.Token);
    }

    /// <summary>Each poster sends every body once, one after another, as one webhook's worker does.</summary>
    private static async Task<double> PostPlainAsync(HttpClient http, WebhookReceiver receiver, List<byte[]> bodies, int posters, CancellationToken ct)
    {
        // Warm-up: connections open and the JIT done, as they are for the long-running dispatcher.
        for (var i = 0; i < Math.Min(50, bodies.Count); i++) await PostAsync(http, bodies[i], ct);
        _ = receiver.ExpectAsync(posters * bodies.Count);
        return await Measure.RateAsync(posters * bodies.Count, posters, i => PostAsync(http, bodies[i % bodies.Count], ct));
    }

    private static async Task PostAsync(HttpClient http, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "plain") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json", "utf-8");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
    }
}
