using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConflictLedger.Log;

/// <summary>Checks an append before it reaches the database, so bad input writes nothing and says why.</summary>
internal static partial class AppendValidation
{
    public static void CheckStreamId(string? streamId)
    {
        if (string.IsNullOrWhiteSpace(streamId))
            throw new InvalidAppendException("The stream id is empty: give the stream a name, such as \"incident-derna-2015-06-10\".");
        if (streamId.Length > 500)
            throw new InvalidAppendException($"The stream id is {streamId.Length} characters long; at most 500 are allowed.");
    }

    public static void CheckEvents(IReadOnlyList<EventData>? events, int maxEventBytes)
    {
        if (events is null || events.Count == 0)
            throw new InvalidAppendException("The append has no events: send at least one.");
        var ids = new HashSet<Guid>();
        for (var i = 0; i < events.Count; i++)
            CheckEvent(events[i], i, maxEventBytes, ids);
    }

    public static void CheckEvent(EventData? e, int index, int maxEventBytes, HashSet<Guid> seenIds)
    {
        if (e is null)
            throw new InvalidAppendException($"Event {index} is missing.");
        if (e.Id == Guid.Empty)
            throw new InvalidAppendException($"Event {index} has an empty id: give every event a unique id (a retried append re-sends the same ids).");
        if (!seenIds.Add(e.Id))
            throw new InvalidAppendException($"Event {index} repeats the id {e.Id} of an earlier event in the same append.");
        if (string.IsNullOrEmpty(e.Type) || !TypeName().IsMatch(e.Type))
            throw new InvalidAppendException($"Event {index} has the type name '{e.Type}': use a stable name of letters, digits, '.', '-' or '_', such as \"clash-reported.v1\".");
        var size = Encoding.UTF8.GetByteCount(e.Data) + Encoding.UTF8.GetByteCount(e.Metadata);
        if (size > maxEventBytes)
            throw new InvalidAppendException($"Event {index} ({e.Type}) is {size} bytes; the limit is {maxEventBytes}. Store large documents elsewhere and reference them.");
        CheckJsonObject(e.Metadata, index, "metadata");
        if (!IsDomainJson(e)) CheckJsonObject(e.Data, index, "data");
    }

    /// <summary>The domain's own JSON of one of the ledger's records, under that record's type name: stored as it is, with no second reading.</summary>
    public static bool IsDomainJson(EventData e) => e.Record is { } record && LedgerEventTypes.RecordFor(e.Type) == record.GetType();

    private static void CheckJsonObject(string json, int index, string part)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new InvalidAppendException($"Event {index} {part} must be a JSON object ({{...}}).");
            reader.Skip();
            if (reader.Read())
                throw new InvalidAppendException($"Event {index} {part} has text after the JSON object ends.");
        }
        catch (JsonException ex)
        {
            throw new InvalidAppendException($"Event {index} {part} is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The record Marten stores for the event: its type name must be one the ledger writes, its data that record's JSON.</summary>
    public static object ToRecord(EventData e, int index)
    {
        var type = LedgerEventTypes.RecordFor(e.Type)
            ?? throw new InvalidAppendException($"Event {index} has the type '{e.Type}', which the ledger does not store. Known types: {string.Join(", ", LedgerEventTypes.ByName.Keys.Order(StringComparer.Ordinal))}.");
        try
        {
            return JsonSerializer.Deserialize(e.Data, type, Json.Options)
                ?? throw new InvalidAppendException($"Event {index} ({e.Type}) has null data: send a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidAppendException($"Event {index} ({e.Type}) data does not fit the type: {ex.Message}");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")]
    private static partial Regex TypeName();
}
