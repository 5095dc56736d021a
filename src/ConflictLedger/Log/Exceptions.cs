namespace ConflictLedger.Log;

/// <summary>The stream was not at the version the writer expected; nothing was appended.</summary>
public sealed class ConcurrencyException(string streamId, ExpectedVersion expected, long actual)
    : Exception($"Stream '{streamId}' is at version {actual}, but the append expected {expected}. Nothing was appended; read the stream again and retry.")
{
    public string StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;
    public long ActualVersion { get; } = actual;
}

/// <summary>Some of the append's event ids belong to a different append; nothing was appended.</summary>
public sealed class DuplicateEventIdException(string message) : Exception(message);

/// <summary>The append was refused before reaching the database; nothing was appended.</summary>
public sealed class InvalidAppendException(string message) : ArgumentException(message);

/// <summary>The bulk path was asked to start a stream that exists (another writer got there first); nothing was appended.</summary>
public sealed class StreamsExistException(string message) : Exception(message);
