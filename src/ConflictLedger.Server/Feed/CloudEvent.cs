using System.Text.Json;
using System.Text.Json.Serialization;
using ConflictLedger.Log;

namespace ConflictLedger.Server.Feed;

/// <summary>
/// A logged event as a CloudEvents 1.0 JSON event. <c>position</c> and <c>streamversion</c>
/// are extension attributes (CloudEvents names are lower-case letters and digits only).
/// </summary>
public sealed record CloudEvent(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("datacontenttype")] string DataContentType,
    [property: JsonPropertyName("data")] JsonElement Data,
    [property: JsonPropertyName("position")] long Position,
    [property: JsonPropertyName("streamversion")] long StreamVersion)
{
    public static CloudEvent From(RecordedEvent e, string schema) => new(
        "1.0",
        e.Id,
        $"/conflictledger/{schema}/streams/{Uri.EscapeDataString(e.StreamId)}",
        e.Type,
        e.StreamId,
        e.RecordedAt,
        "application/json",
        JsonElement.Parse(e.Data),
        e.Position.Value,
        e.Version);

    /// <summary>Compact JSON on one line, as the SSE <c>data:</c> field and webhook bodies need.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, JsonSerializerOptions.Web);
}

/// <param name="Next">Pass as <c>after</c> to read on.</param>
/// <param name="Complete">True when the page reached the head of the log: read again later for more.</param>
public sealed record FeedPage(IReadOnlyList<CloudEvent> Events, long Next, bool Complete);
