using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ConflictLedger.Log;

namespace ConflictLedger.Server.Feed;

/// <summary>
/// Logged events as CloudEvents 1.0 JSON: the structured form (one event: the SSE
/// <c>data:</c> line, a webhook body, an element of a feed page, a broker message) and the
/// batch form (a JSON array: a batching webhook's body).
/// </summary>
/// <remarks>
/// <para>
/// Written here with a <see cref="Utf8JsonWriter"/>, byte for byte what the CloudEvents SDK's
/// JSON formatter (CloudNative.CloudEvents 2.9) writes for the same event; a test pins the two
/// together for every event type. Hand-written because every event is encoded once for every
/// feed, and the SDK's way there (a <c>CloudEvent</c> with validated attributes, a relative
/// <c>Uri</c>, the data parsed into a cloned document, a <c>MemoryStream</c> copied into an
/// array, then the SSE frame copied around it) was the live tail's largest allocation. Here
/// the JSON goes straight into the caller's buffer (the tail's page of frames).
/// </para>
/// <para>
/// <c>position</c> and <c>streamversion</c> stay JSON numbers, as consumers have always read
/// them. The SDK's Integer attribute type is 32-bit, and positions are 64-bit, so they are not
/// SDK extension attributes: they come after <c>data</c>. An SDK reader sees them as extensions
/// it can declare as Integer while positions fit in 32 bits; past that it reads them from the
/// JSON (or the SSE <c>id</c>).
/// </para>
/// </remarks>
public static class LedgerCloudEvents
{
    public const string MediaType = "application/cloudevents+json";
    public const string BatchMediaType = "application/cloudevents-batch+json";

    /// <summary>Compact JSON on one line, as the SSE <c>data:</c> field and webhook bodies need.</summary>
    public static byte[] Encode(RecordedEvent e, string schema)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        Write(output, e, schema);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Appends the event's JSON to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, RecordedEvent e, string schema)
    {
        using var json = new Utf8JsonWriter(output);
        WriteEvent(json, e, schema);
    }

    public static byte[] EncodeBatch(IEnumerable<RecordedEvent> events, string schema)
    {
        var output = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartArray();
            foreach (var e in events) WriteEvent(json, e, schema);
            json.WriteEndArray();
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The source attribute: where the event comes from, a relative URI reference.</summary>
    public static string Source(RecordedEvent e, string schema) => $"/conflictledger/{schema}/streams/{Uri.EscapeDataString(e.StreamId)}";

    /// <summary>
    /// The attributes in the order the feed has always had (the SDK writes <c>specversion</c>, then
    /// the attributes in the order they were set on the event), then the data and the two log numbers.
    /// </summary>
    private static void WriteEvent(Utf8JsonWriter json, RecordedEvent e, string schema)
    {
        json.WriteStartObject();
        json.WriteString("specversion"u8, "1.0"u8);
        json.WriteString("id"u8, e.Id);
        json.WriteString("source"u8, Source(e, schema));
        json.WriteString("type"u8, e.Type);
        json.WriteString("subject"u8, e.StreamId);
        json.WriteString("time"u8, Timestamp(e.RecordedAt));
        json.WriteString("datacontenttype"u8, "application/json"u8);
        json.WritePropertyName("data"u8);
        using (var data = JsonDocument.Parse(e.Data)) data.RootElement.WriteTo(json);
        json.WriteNumber("position"u8, e.Position.Value);
        json.WriteNumber("streamversion"u8, e.Version);
        json.WriteEndObject();
    }

    /// <summary>
    /// RFC 3339 as the SDK writes it: no fraction for a whole second, else 3, 6 or 7 digits (the
    /// fewest that are exact); <c>Z</c> for UTC, else the offset as <c>+HH:mm</c>.
    /// </summary>
    private static string Timestamp(DateTimeOffset time)
    {
        var ticks = time.Ticks;
        var fraction = ticks % TimeSpan.TicksPerSecond == 0 ? ""
            : ticks % TimeSpan.TicksPerMillisecond == 0 ? ".fff"
            : ticks % TimeSpan.TicksPerMicrosecond == 0 ? ".ffffff"
            : ".fffffff";
        var offset = time.Offset == TimeSpan.Zero ? "'Z'" : "zzz";
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss" + fraction + offset, CultureInfo.InvariantCulture);
    }
}

/// <param name="Events">CloudEvents in structured JSON form.</param>
/// <param name="Next">Pass as <c>after</c> to read on.</param>
/// <param name="Complete">True when the page reached the head of the log: read again later for more.</param>
public sealed record FeedPage(IReadOnlyList<JsonElement> Events, long Next, bool Complete);
