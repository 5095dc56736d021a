using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using ConflictLedger.Log;

namespace ConflictLedger.Server.Feed;

/// <summary>
/// Logged events as CloudEvents 1.0 JSON, through the CloudEvents SDK: the structured form
/// (one event: the SSE <c>data:</c> line, a webhook body, an element of a feed page) and the
/// batch form (a JSON array: a batching webhook's body).
/// </summary>
/// <remarks>
/// <c>position</c> and <c>streamversion</c> stay JSON numbers, as consumers have always read
/// them. The SDK's Integer attribute type is 32-bit, and positions are 64-bit, so they are not
/// SDK extension attributes: the formatter writes them next to <c>data</c>. An SDK reader sees
/// them as extensions it can declare as Integer while positions fit in 32 bits; past that it
/// reads them from the JSON (or the SSE <c>id</c>).
/// </remarks>
public static class LedgerCloudEvents
{
    public const string MediaType = "application/cloudevents+json";
    public const string BatchMediaType = "application/cloudevents-batch+json";

    private static readonly Formatter Json = new();

    public static CloudEvent ToCloudEvent(RecordedEvent e, string schema) => new(CloudEventsSpecVersion.V1_0)
    {
        Id = e.Id.ToString(),
        Source = new Uri($"/conflictledger/{schema}/streams/{Uri.EscapeDataString(e.StreamId)}", UriKind.Relative),
        Type = e.Type,
        Subject = e.StreamId,
        Time = e.RecordedAt,
        DataContentType = "application/json",
        Data = new LoggedData(JsonElement.Parse(e.Data), e.Position.Value, e.Version),
    };

    /// <summary>Compact JSON on one line, as the SSE <c>data:</c> field and webhook bodies need.</summary>
    public static byte[] Encode(RecordedEvent e, string schema) =>
        Json.EncodeStructuredModeMessage(ToCloudEvent(e, schema), out _).ToArray();

    public static byte[] EncodeBatch(IEnumerable<RecordedEvent> events, string schema) =>
        Json.EncodeBatchModeMessage(events.Select(e => ToCloudEvent(e, schema)), out _).ToArray();

    /// <summary>The event's data with the two log numbers the formatter writes after it.</summary>
    private sealed record LoggedData(JsonElement Data, long Position, long StreamVersion);

    private sealed class Formatter : JsonEventFormatter
    {
        protected override void EncodeStructuredModeData(CloudEvent cloudEvent, Utf8JsonWriter writer)
        {
            if (cloudEvent.Data is not LoggedData logged)
            {
                base.EncodeStructuredModeData(cloudEvent, writer);
                return;
            }
            writer.WritePropertyName(DataPropertyName);
            logged.Data.WriteTo(writer);
            writer.WriteNumber("position", logged.Position);
            writer.WriteNumber("streamversion", logged.StreamVersion);
        }
    }
}

/// <param name="Events">CloudEvents in structured JSON form.</param>
/// <param name="Next">Pass as <c>after</c> to read on.</param>
/// <param name="Complete">True when the page reached the head of the log: read again later for more.</param>
public sealed record FeedPage(IReadOnlyList<JsonElement> Events, long Next, bool Complete);
