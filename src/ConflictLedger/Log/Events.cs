using System.Text.Json;

namespace ConflictLedger.Log;

/// <summary>An event to append. <paramref name="Type"/> is a stable name such as "clash-reported.v1", never a CLR name.</summary>
/// <param name="RecordedAt">
/// Only for carrying over a log recorded earlier (<see cref="FirstVersionLog"/>): the bulk path keeps it as the
/// knowledge clock. Everything else is stamped with the server's clock when it commits.
/// </param>
public sealed record EventData(Guid Id, string Type, string Data, string Metadata = "{}", DateTimeOffset? RecordedAt = null)
{
    /// <summary>
    /// The domain record <see cref="Data"/> was written from, when the domain wrote it
    /// (<see cref="FromRecord"/>): the log then stores that JSON as it is, without reading
    /// it back into the record to check it and writing it again (Marten's serializer writes
    /// the same JSON; a test pins that). Null for JSON from elsewhere, which is checked.
    /// </summary>
    public object? Record { get; private init; }

    public static EventData FromRecord(Guid id, string type, object record, string metadata = "{}") =>
        new(id, type, JsonSerializer.Serialize(record, record.GetType(), Json.Options), metadata) { Record = record };
}

/// <summary>An event for the bulk path, which appends to many streams at once.</summary>
public sealed record StreamEvent(string StreamId, EventData Event);

/// <summary>An event as the log holds it.</summary>
public sealed record RecordedEvent(
    Guid Id,
    string StreamId,
    long Version,
    LogPosition Position,
    string Type,
    string Data,
    string Metadata,
    DateTimeOffset RecordedAt);

/// <param name="NextExpectedVersion">The stream's version after the append: pass it as the next expected version.</param>
/// <param name="Position">The position of the append's last event.</param>
/// <param name="AlreadyAppended">True when these event ids were appended before and nothing was written.</param>
public sealed record AppendResult(long NextExpectedVersion, LogPosition Position, bool AlreadyAppended);

public sealed record ReadAllOptions
{
    /// <summary>Only events of these types; null or empty for all.</summary>
    public IReadOnlyCollection<string>? Types { get; init; }

    /// <summary>Stop after this many events; null to read up to the head.</summary>
    public int? Limit { get; init; }
}
