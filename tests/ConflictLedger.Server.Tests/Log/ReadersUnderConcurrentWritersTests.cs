using System.Net.Http.Json;
using System.Text.Json;
using ConflictLedger.Log;
using ConflictLedger.Server.Tests.Feed;
using ConflictLedger.Server.Tests.Webhooks;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.Log;

/// <summary>
/// Every reader an integrator has (catch-up pages, the live feed, a webhook) against 8
/// concurrent writers, some holding their transaction open past Marten's stale-sequence
/// threshold and some rolling back: each ends with exactly the committed events, once, in
/// one order.
/// </summary>
public sealed class ReadersUnderConcurrentWritersTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task feed_pages_live_clients_and_webhooks_each_get_every_committed_event_once_in_log_order()
    {
        var start = await server.Store.HeadAsync();
        await using var receiver = await TestReceiver.StartAsync();
        using (var created = await server.Writer.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url }))
            created.EnsureSuccessStatusCode();
        await using var live = await SseClient.ConnectAsync(server.Client, "/feed/live", lastEventId: start.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var writers = new ConcurrentWriters(server.Store, server.Schema);
        await writers.RunAsync();
        var committed = writers.Committed.Order().ToList();
        Assert.NotEmpty(writers.RolledBack);

        var pages = await ReadPagesAsync(start);
        var sse = (await live.ReadEventsAsync(committed.Count)).Select(m => (Position: long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture), Id: IdOf(m.Data!))).ToList();
        await Eventually.TrueAsync(() => receiver.Delivered.Select(c => c.Id).Distinct().Count() >= committed.Count, "webhook deliveries", TimeSpan.FromSeconds(120));
        var hooked = receiver.Delivered.Select(c => (Position: PositionOf(c.Body), Id: Guid.Parse(c.Id))).ToList();

        foreach (var (reader, got) in new[] { ("feed pages", pages), ("live feed", sse), ("webhook", hooked) })
        {
            Assert.True(got.Count == committed.Count, $"{reader}: {got.Count} events for {committed.Count} committed");
            Assert.True(committed.SequenceEqual(got.Select(e => e.Id).Order()), $"{reader}: not the committed set");
            Assert.True(got.Zip(got.Skip(1)).All(p => p.First.Position < p.Second.Position), $"{reader}: out of log order");
        }
        Assert.Equal(pages, sse);
        Assert.Equal(pages, hooked);
    }

    private async Task<List<(long Position, Guid Id)>> ReadPagesAsync(LogPosition start)
    {
        var read = new List<(long, Guid)>();
        var after = start.Value;
        while (true)
        {
            using var page = JsonDocument.Parse(await server.Client.GetStringAsync($"/feed?after={after}&limit=500"));
            foreach (var e in page.RootElement.GetProperty("events").EnumerateArray())
            {
                after = e.GetProperty("position").GetInt64();
                read.Add((after, e.GetProperty("id").GetGuid()));
            }
            if (page.RootElement.GetProperty("complete").GetBoolean()) return read;
        }
    }

    private static Guid IdOf(string cloudEvent)
    {
        using var json = JsonDocument.Parse(cloudEvent);
        return json.RootElement.GetProperty("id").GetGuid();
    }

    private static long PositionOf(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("position").GetInt64();
    }
}
