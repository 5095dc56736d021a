using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using ConflictLedger.Catalog;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.Server.Feed;

namespace ConflictLedger.Server.Tests.Feed;

/// <summary>
/// The feed format is a contract, and the server writes its CloudEvents by hand (see
/// <see cref="LedgerCloudEvents"/>): these pin its bytes to what the CloudEvents SDK's JSON
/// formatter writes for the same event, for every event type the ledger writes.
/// </summary>
public sealed class CloudEventEncodingTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>Quotes with what JSON escaping must handle: non-ASCII, HTML-sensitive characters, quotes, a backslash, a line separator.</summary>
    private const string Awkward = "Darnah \u2014 \u062f\u0631\u0646\u0629, \u00e9t\u00e9 <b>&'+\"\\ \u2028 \ud83d\udca5";

    [Fact]
    public async Task every_event_type_is_encoded_byte_for_byte_as_the_cloudevents_sdk_encodes_it()
    {
        var events = await AppendOneOfEveryTypeAsync();

        Assert.Equal(FeedFilter.KnownTypes.Order(StringComparer.Ordinal), events.Select(e => e.Type).Order(StringComparer.Ordinal));
        foreach (var e in events)
            Assert.Equal(Utf8(Sdk.Encode(e, server.Schema)), Utf8(LedgerCloudEvents.Encode(e, server.Schema)));
        Assert.Equal(Utf8(Sdk.EncodeBatch(events, server.Schema)), Utf8(LedgerCloudEvents.EncodeBatch(events, server.Schema)));
    }

    [Theory]
    [InlineData("2015-06-11T10:00:00+00:00")]
    [InlineData("2015-06-11T10:00:00.120+00:00")]
    [InlineData("2015-06-11T10:00:00.123456+00:00")]
    [InlineData("2015-06-11T10:00:00.1234567+00:00")]
    [InlineData("2015-06-11T10:00:00.100+02:00")]
    [InlineData("2015-06-11T10:00:00.123456-05:30")]
    public void times_are_written_with_the_sdks_precision_and_offset(string time)
    {
        var e = Recorded("incident-x", "{}") with { RecordedAt = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal(Utf8(Sdk.Encode(e, "ledger")), Utf8(LedgerCloudEvents.Encode(e, "ledger")));
    }

    [Theory]
    [InlineData("incident-plain")]
    [InlineData("incident-with space/and slash?q=1#f")]
    [InlineData("incident-\u00e9t\u00e9-\u062f\u0631\u0646\u0629")]
    public void stream_ids_are_escaped_in_the_source_as_the_sdk_does(string streamId)
    {
        var e = Recorded(streamId, """{"quote": "x"}""");

        Assert.Equal(Utf8(Sdk.Encode(e, "ledger")), Utf8(LedgerCloudEvents.Encode(e, "ledger")));
    }

    /// <summary>One event of every type, through the log, so data and times are as the log gives them back.</summary>
    private async Task<List<RecordedEvent>> AppendOneOfEveryTypeAsync()
    {
        var appended = new List<EventData>();
        async Task AppendAsync(string stream, EventData e)
        {
            await server.Store.AppendAsync(stream, ExpectedVersion.Any, [e]);
            appended.Add(e);
        }

        var suffix = Guid.NewGuid().ToString("N")[..8];
        Account account = null!;
        foreach (var (kind, i) in Enum.GetValues<OccurrenceKind>().Select((k, i) => (k, i)))
        {
            account = new Account(kind, new WorldTime(new DateOnly(2015, 6, 9), new DateOnly(2015, 6, 11), DatePrecision.Week), "derna",
                [new ActorInRole("islamic-state", ActorRole.Perpetrator)], new Fatalities(AtLeast: i), Firmness.Reported,
                new Source("Libya Herald", Awkward, new DateOnly(2015, 6, 12), DatePrecision.Day, "herald.json", $"{Awkward} {i}"));
            var report = new AccountReported($"o-{suffix}-{i}", $"a-{suffix}-{i}", account);
            await AppendAsync(OccurrenceEvents.StreamId(report.OccurrenceId), OccurrenceEvents.ToEventData(report, 0) with { Id = Guid.NewGuid() });
        }
        var occurrence = $"o-{suffix}-0";
        await AppendAsync(OccurrenceEvents.StreamId(occurrence),
            OccurrenceEvents.ToEventData(new AccountCorrected(occurrence, $"a-{suffix}-0", account, Awkward), 1) with { Id = Guid.NewGuid() });
        await AppendAsync(OccurrenceEvents.StreamId(occurrence),
            OccurrenceEvents.ToEventData(new AccountRetracted(occurrence, $"a-{suffix}-0", Awkward), 2) with { Id = Guid.NewGuid() });
        await AppendAsync(CatalogEvents.ActorStream($"actor-{suffix}"), EventData.FromRecord(Guid.NewGuid(), CatalogEvents.ActorType,
            new ActorCataloged(new Actor($"actor-{suffix}", Awkward, "Islamic State (Libya)", ActorKind.Group, null, ["IS", Awkward]))));
        await AppendAsync(CatalogEvents.LandmarkStream($"landmark-{suffix}"), EventData.FromRecord(Guid.NewGuid(), CatalogEvents.LandmarkType,
            new LandmarkCataloged(new Landmark($"landmark-{suffix}", Awkward, "hospital", "derna", 32.7667, 22.6392, [Awkward]))));
        return await server.Store.VisibleAsync(appended);
    }

    private static RecordedEvent Recorded(string streamId, string data) =>
        new(Guid.NewGuid(), streamId, 3, new LogPosition(3_000_000_000), "armed-clash-reported.v1", data, "{}", new DateTimeOffset(2015, 6, 11, 10, 0, 0, TimeSpan.Zero));

    private static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The same events through the CloudEvents SDK, as the server wrote them before its encoder was hand-written.</summary>
    private static class Sdk
    {
        private static readonly Formatter Json = new();

        public static byte[] Encode(RecordedEvent e, string schema) => Json.EncodeStructuredModeMessage(ToCloudEvent(e, schema), out _).ToArray();

        public static byte[] EncodeBatch(IEnumerable<RecordedEvent> events, string schema) =>
            Json.EncodeBatchModeMessage(events.Select(e => ToCloudEvent(e, schema)), out _).ToArray();

        private static CloudEvent ToCloudEvent(RecordedEvent e, string schema) => new(CloudEventsSpecVersion.V1_0)
        {
            Id = e.Id.ToString(),
            Source = new Uri($"/conflictledger/{schema}/streams/{Uri.EscapeDataString(e.StreamId)}", UriKind.Relative),
            Type = e.Type,
            Subject = e.StreamId,
            Time = e.RecordedAt,
            DataContentType = "application/json",
            Data = new LoggedData(JsonElement.Parse(e.Data), e.Position.Value, e.Version),
        };

        /// <summary>The event's data with the two log numbers, which the formatter writes after it as JSON numbers.</summary>
        private sealed record LoggedData(JsonElement Data, long Position, long StreamVersion);

        private sealed class Formatter : JsonEventFormatter
        {
            protected override void EncodeStructuredModeData(CloudEvent cloudEvent, Utf8JsonWriter writer)
            {
                var logged = (LoggedData)cloudEvent.Data!;
                writer.WritePropertyName(DataPropertyName);
                logged.Data.WriteTo(writer);
                writer.WriteNumber("position", logged.Position);
                writer.WriteNumber("streamversion", logged.StreamVersion);
            }
        }
    }
}
