using Microsoft.Extensions.Logging;
using Npgsql;

namespace ConflictLedger.Log;

/// <summary>
/// Carries a log written by the ledger's first version (its own <c>events</c> table, before
/// Marten) into Marten, once, when the schema is migrated: the same event ids, stream
/// versions, type names, data, metadata and recorded times (the knowledge clock), streams
/// in the order they first appeared. Positions are new: integrators resume from 0 or from
/// the head (webhooks are moved to the head). The old tables stay, renamed <c>v1_*</c>, and
/// the read model is rebuilt from the carried log.
/// </summary>
internal static class FirstVersionLog
{
    public static async Task CarryOverAsync(LedgerLog log, ILogger logger, CancellationToken ct)
    {
        var schema = log.Options.Schema;
        if (!await ExistsAsync(log.DataSource, $"{schema}.events", ct)) return;

        if (await log.HeadAsync(ct) == LogPosition.Start)
        {
            var streams = await ReadAsync(log.DataSource, schema, ct);
            var events = streams.Sum(s => s.Events.Count);
            if (events > 0)
            {
                await using var append = await log.BeginAsync(ct);
                await append.BulkStartStreamsAsync(streams, ct);
                await append.CommitAsync(ct);
            }
            logger.LogWarning("Carried {Events} events in {Streams} streams from the first version's log into Marten; the old tables are kept as {Schema}.v1_events and v1_streams", events, streams.Count, schema);
        }

        // The first version's tables and read model step aside; the read model is projected again from the carried log.
        await using var connection = await log.DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var generations = new List<string>();
        if (await ExistsAsync(log.DataSource, $"{schema}.read_model_generations", ct))
        {
            await using var read = new NpgsqlCommand($"select active, previous from \"{schema}\".read_model_generations", connection, tx);
            await using (var reader = await read.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    for (var i = 0; i < 2; i++) if (!reader.IsDBNull(i)) generations.Add(reader.GetString(i));
            await Execute(connection, tx, $"delete from \"{schema}\".read_model_generations", ct);
        }
        foreach (var generation in generations.Distinct()) await Execute(connection, tx, $"drop schema if exists \"{generation}\" cascade", ct);
        await Execute(connection, tx, $"""
            alter table "{schema}".events rename to v1_events;
            alter table "{schema}".streams rename to v1_streams;
            alter table if exists "{schema}".checkpoints rename to v1_checkpoints;
            drop function if exists "{schema}".append_events;
            """, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The first version's followers (webhooks) go on from the head of the carried log: their
    /// old positions mean nothing in it. Idempotent: a follower that has a checkpoint keeps it.
    /// </summary>
    public static async Task MoveFollowersToHeadAsync(LedgerLog log, CancellationToken ct)
    {
        var schema = log.Options.Schema;
        if (!await ExistsAsync(log.DataSource, $"{schema}.v1_checkpoints", ct)) return;
        await using var command = log.DataSource.CreateCommand(
            $"insert into \"{schema}\".checkpoints (name, position) select name, $1 from \"{schema}\".v1_checkpoints on conflict (name) do nothing");
        command.Parameters.AddWithValue((await log.HeadAsync(ct)).Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<(string StreamId, IReadOnlyList<EventData> Events)>> ReadAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct)
    {
        var streams = new List<(string, IReadOnlyList<EventData>)>();
        var byStream = new Dictionary<string, List<EventData>>(StringComparer.Ordinal);
        await using var command = dataSource.CreateCommand(
            $"select stream_id, id, type, data::text, metadata::text, recorded_at from \"{schema}\".events order by tx_id, seq");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var stream = reader.GetString(0);
            if (!byStream.TryGetValue(stream, out var events))
            {
                byStream[stream] = events = [];
                streams.Add((stream, events));
            }
            events.Add(new EventData(reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return streams;
    }

    private static async Task<bool> ExistsAsync(NpgsqlDataSource dataSource, string table, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select to_regclass($1) is not null");
        command.Parameters.AddWithValue($"\"{table.Replace(".", "\".\"", StringComparison.Ordinal)}\"");
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }
}
