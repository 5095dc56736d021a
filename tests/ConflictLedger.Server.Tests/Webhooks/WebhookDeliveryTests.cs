using ConflictLedger.Log;
using System.Net;
using System.Net.Http.Json;
using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Server.Tests.Webhooks;

/// <summary>Isolation between webhooks, opt-in batches and the retention of delivery records.</summary>
public sealed class WebhookDeliveryTests(WebhookDeliveryTests.Fixture server) : IClassFixture<WebhookDeliveryTests.Fixture>
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    /// <summary>Delivery records live an hour here, and the cleanup looks every 100 ms.</summary>
    public sealed class Fixture : ServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConflictLedger:Webhooks:DeliveryRetention"] = "01:00:00",
            ["ConflictLedger:Webhooks:CleanupInterval"] = "00:00:00.100",
            ["ConflictLedger:Webhooks:MaxConsecutiveFailures"] = "1000",
        };
    }

    private LedgerLog Store => server.Store;

    private async Task<Guid> CreateAsync(object request)
    {
        using var response = await server.Writer.PostAsJsonAsync("/api/webhooks", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task a_hanging_or_failing_receiver_never_delays_the_other_webhooks()
    {
        var release = new TaskCompletionSource();
        await using var hanging = await TestReceiver.StartAsync();
        hanging.Hold = release.Task;
        await using var failing = await TestReceiver.StartAsync(_ => 500);
        await using var healthy = await TestReceiver.StartAsync();
        await CreateAsync(new { url = hanging.Url });
        await CreateAsync(new { url = failing.Url });
        await CreateAsync(new { url = healthy.Url });

        var first = await Store.AppendEachAsync(TestEvents.Occurrence());
        await Eventually.TrueAsync(() => hanging.Arrived >= 1 && failing.Arrived >= 2, "the bad receivers busy with the first event");
        var rest = await Store.AppendEachAsync(Enumerable.Range(0, 20).Select(_ => TestEvents.Occurrence()).ToArray());
        var all = first.Concat(rest).Select(e => e.Id.ToString()).ToList();
        await Eventually.TrueAsync(() => healthy.Delivered.Count >= all.Count, "the healthy webhook served");

        // Everything reached the healthy receiver while the hanging one still held its first request.
        Assert.Empty(hanging.Delivered);
        Assert.Empty(failing.Delivered);
        Assert.Equal(all, healthy.Delivered.Select(c => c.Id));
        release.SetResult();
    }

    [Fact]
    public async Task a_batching_webhook_receives_signed_cloudevents_batches_of_at_most_its_size_in_order()
    {
        await using var receiver = await TestReceiver.StartAsync(call => call == 2 ? 500 : 200);
        var id = await CreateAsync(new { url = receiver.Url, secret = Secret, batch = true, batchSize = 10 });

        var events = await Store.AppendManyAsync(25);
        events.AddRange(await Store.AppendEachAsync(TestEvents.Occurrence(), TestEvents.Occurrence()));
        var inLogOrder = (await Store.VisibleAsync(events)).ToList();
        await Eventually.TrueAsync(() => receiver.Delivered.Sum(c => Decode(c).Count) >= inLogOrder.Count, "every event delivered");

        var formatter = new JsonEventFormatter();
        Assert.All(receiver.Calls, call =>
        {
            Assert.Equal("application/cloudevents-batch+json; charset=utf-8", call.ContentType);
            Assert.True(WebhookTests.SignatureVerifies(call, Secret), $"signature of call {call.Call}");
            Assert.InRange(Decode(call).Count, 1, 10);
        });
        var delivered = receiver.Delivered.SelectMany(Decode).ToList();
        Assert.Equal(inLogOrder.Select(e => e.Id.ToString()), delivered.Select(e => e.Id));
        Assert.Equal(inLogOrder.Select(e => e.Position.Value), delivered.Select(e => (long)(int)e[Position]!));
        // The failed batch was sent again as it was: same message id, same events.
        var failed = receiver.Calls.Single(c => !c.Succeeded);
        Assert.Equal(Decode(failed).Select(e => e.Id), Decode(receiver.Calls.Single(c => c.Call == failed.Call + 1)).Select(e => e.Id));
        Assert.Equal(failed.Id, receiver.Calls.Single(c => c.Call == failed.Call + 1).Id);

        using var deliveries = await server.Writer.GetAsync($"/api/webhooks/{id}/deliveries?limit=1000");
        var records = JsonDocument.Parse(await deliveries.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        Assert.Equal(inLogOrder.Count, records.Where(r => r.GetProperty("succeeded").GetBoolean()).Sum(r => r.GetProperty("events").GetInt32()));
    }

    private static readonly CloudEventAttribute Position = CloudEventAttribute.CreateExtension("position", CloudEventAttributeType.Integer);
    private static readonly CloudEventAttribute StreamVersion = CloudEventAttribute.CreateExtension("streamversion", CloudEventAttributeType.Integer);

    /// <summary>Parses a batch body with the CloudEvents SDK, as an integrator would.</summary>
    private static IReadOnlyList<CloudEvent> Decode(ReceivedCall call) =>
        new JsonEventFormatter().DecodeBatchModeMessage(call.Body, new ContentType(call.ContentType!), [Position, StreamVersion]);

    [Fact]
    public async Task delivery_records_older_than_the_retention_are_deleted_and_newer_ones_kept()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var id = await CreateAsync(new { url = receiver.Url });
        var events = await Store.AppendEachAsync(TestEvents.Occurrence());
        await Eventually.TrueAsync(() => receiver.Delivered.Count >= 1, "one delivery");
        await using (var old = server.DataSource.CreateCommand($"""
            insert into "{server.Schema}".webhook_deliveries (webhook_id, event_id, position, attempt, succeeded, duration_ms, attempted_at)
            values ($1, $2, 1, 1, true, 5, now() - interval '2 hours')
            """))
        {
            old.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            old.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid() });
            await old.ExecuteNonQueryAsync();
        }

        await Eventually.TrueAsync(async () => (await RecordsAsync(id)).Count == 1, "the old record deleted");

        Assert.Equal(events[0].Id, (await RecordsAsync(id)).Single().GetProperty("eventId").GetGuid());
    }

    private async Task<List<JsonElement>> RecordsAsync(Guid id)
    {
        using var response = await server.Writer.GetAsync($"/api/webhooks/{id}/deliveries");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
    }
}
