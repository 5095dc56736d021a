using Npgsql;
using NpgsqlTypes;

namespace ConflictLedger.EventStore;

/// <summary>The bulk path: many streams in one binary COPY.</summary>
public sealed partial class EventStore
{
    /// <summary>
    /// Imports many events in one transaction through binary COPY: each stream's events
    /// follow its current version (expected version "any"), all commit or none do.
    /// Event ids must be new: a repeated id fails the whole import.
    /// </summary>
    public async Task<AppendResult> BulkAppendAsync(IReadOnlyList<StreamEvent> events, CancellationToken ct = default)
    {
        if (events is null || events.Count == 0) throw new InvalidAppendException("The bulk append has no events: send at least one.");
        var ids = new HashSet<Guid>();
        for (var i = 0; i < events.Count; i++)
        {
            AppendValidation.CheckStreamId(events[i].StreamId);
            AppendValidation.CheckEvent(events[i].Event, i, Options.MaxEventBytes, ids);
        }

        await using var connection = await DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var versions = await LockStreamVersionsAsync(connection, tx, events.Select(e => e.StreamId).Distinct().ToArray(), ct);
        try
        {
            await using (var importer = await connection.BeginBinaryImportAsync(sql.CopyEvents, ct))
            {
                foreach (var (streamId, e) in events)
                {
                    var version = versions[streamId] + 1;
                    versions[streamId] = version;
                    await importer.StartRowAsync(ct);
                    await importer.WriteAsync(e.Id, NpgsqlDbType.Uuid, ct);
                    await importer.WriteAsync(streamId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(version, NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(e.Type, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(e.Data, NpgsqlDbType.Jsonb, ct);
                    await importer.WriteAsync(e.Metadata, NpgsqlDbType.Jsonb, ct);
                }
                await importer.CompleteAsync(ct);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw ex.ConstraintName?.Contains("stream_id", StringComparison.Ordinal) == true
                ? new InvalidAppendException($"The bulk append raced another writer on a stream ({ex.Detail}); nothing was imported. Retry the import.")
                : new DuplicateEventIdException($"The bulk append repeats an event id already in the log ({ex.Detail}); nothing was imported.");
        }

        await using (var upsert = new NpgsqlCommand(sql.UpsertStreams, connection, tx))
        {
            upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = versions.Keys.ToArray() });
            upsert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = versions.Values.ToArray() });
            await upsert.ExecuteNonQueryAsync(ct);
        }
        LogPosition last;
        await using (var tail = new NpgsqlCommand(sql.BulkTail, connection, tx))
        await using (var reader = await tail.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            last = new LogPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1));
        }
        await tx.CommitAsync(ct);
        return new AppendResult(events.Count, last, AlreadyAppended: false);
    }

    private async Task<Dictionary<string, long>> LockStreamVersionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string[] streamIds, CancellationToken ct)
    {
        var versions = streamIds.ToDictionary(id => id, _ => 0L, StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(sql.LockStreams, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = streamIds });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) versions[reader.GetString(0)] = reader.GetInt64(1);
        return versions;
    }
}
