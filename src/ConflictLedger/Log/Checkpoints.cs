using Npgsql;

namespace ConflictLedger.Log;

public sealed record CheckpointInfo(string Name, LogPosition Position, DateTimeOffset UpdatedAt);

/// <summary>Named, durable subscription positions.</summary>
public sealed class Checkpoints
{
    private readonly NpgsqlDataSource dataSource;
    private readonly LogSql sql;

    internal Checkpoints(NpgsqlDataSource dataSource, LogSql sql)
    {
        this.dataSource = dataSource;
        this.sql = sql;
    }

    /// <summary>The subscription's position, creating it at the start of the log when new.</summary>
    public async Task<LogPosition> LoadAsync(string name, CancellationToken ct = default)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.EnsureCheckpoint) { Parameters = { new NpgsqlParameter<string> { TypedValue = name } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.LoadCheckpoint) { Parameters = { new NpgsqlParameter<string> { TypedValue = name } } });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new LogPosition(reader.GetInt64(0));
    }

    /// <summary>The subscription's position without creating it: null when it has never run.</summary>
    public async Task<LogPosition?> ReadAsync(string name, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(sql.LoadCheckpoint);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new LogPosition(reader.GetInt64(0)) : null;
    }

    public async Task DeleteAsync(string name, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(sql.DeleteCheckpoint);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Moves the checkpoint from <paramref name="from"/> to <paramref name="to"/> inside the
    /// caller's transaction. Throws when another runner moved it first, so the caller's
    /// transaction (and the handler's writes in it) roll back instead of repeating a batch.
    /// </summary>
    public async Task AdvanceAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string name, LogPosition from, LogPosition to, CancellationToken ct = default)
    {
        await using var command = new NpgsqlCommand(sql.AdvanceCheckpoint, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from.Value });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = to.Value });
        if (await command.ExecuteNonQueryAsync(ct) != 1)
            throw new CheckpointMovedException(name, from);
    }

    /// <summary>Sets the checkpoint outright: replay from a position, or a rebuild from the start.</summary>
    public async Task ResetAsync(string name, LogPosition position, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(sql.ResetCheckpoint);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position.Value });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<CheckpointInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(sql.ListCheckpoints);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<CheckpointInfo>();
        while (await reader.ReadAsync(ct))
            list.Add(new CheckpointInfo(reader.GetString(0), new LogPosition(reader.GetInt64(1)), reader.GetFieldValue<DateTimeOffset>(2)));
        return list;
    }
}

public sealed class CheckpointMovedException(string name, LogPosition expected)
    : Exception($"Checkpoint '{name}' is no longer at {expected}: another runner of this subscription moved it. The batch was rolled back.");
