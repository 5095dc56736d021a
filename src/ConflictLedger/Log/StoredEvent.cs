using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;

namespace ConflictLedger.Log;

/// <summary>
/// An event as it goes into Marten's <c>mt_events</c> row: our id and stable type name, the
/// record's JSON as Marten's serializer writes it (so what we store is what Marten would
/// store), and the metadata split the way Marten keeps it: correlation and causation ids
/// in their columns, every property (those two included) in the headers.
/// </summary>
internal sealed record StoredEvent(
    Guid Id, string Type, string DotNetType, string Body, string? CausationId, string? CorrelationId, string? Headers)
{
    public static StoredEvent From(EventData e, int index, ISerializer serializer)
    {
        var (record, body) = AppendValidation.IsDomainJson(e) ? (e.Record!, e.Data) : Checked(e, index, serializer);
        var headers = JsonNode.Parse(e.Metadata)!.AsObject();
        foreach (var name in headers.Where(p => p.Value is null).Select(p => p.Key).ToList()) headers.Remove(name);
        return new StoredEvent(
            e.Id,
            e.Type,
            DotNetTypeName(record.GetType()),
            body,
            Text(headers["causationId"]),
            Text(headers["correlationId"]),
            headers.Count == 0 ? null : headers.ToJsonString());
    }

    /// <summary>JSON from elsewhere: read into the record its type name stands for (refused if it does not fit), stored as Marten writes that record.</summary>
    private static (object Record, string Body) Checked(EventData e, int index, ISerializer serializer)
    {
        var record = AppendValidation.ToRecord(e, index);
        return (record, serializer.ToJson(record));
    }

    /// <summary>What Marten writes to <c>mt_dotnet_type</c>; it reads by our type names, this is its fallback.</summary>
    private static string DotNetTypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    private static string? Text(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}
