namespace ConflictLedger.Log;

/// <summary>
/// Every statement the ledger runs itself on Marten's event tables (<c>mt_events</c>,
/// <c>mt_streams</c>) and on its own checkpoints table, for one schema. Marten writes the
/// events; these read them in log order and guard appends.
/// </summary>
internal sealed class LogSql(string schema)
{
    private readonly string s = $"\"{schema}\"";

    /// <summary>
    /// Serialises appends from drawing a sequence number until commit, so numbers are
    /// handed out in commit order (the two-key form keeps clear of Marten's own locks).
    /// </summary>
    public string AppendLock => $"select pg_advisory_xact_lock(1129, hashtext('{schema}'))";

    public string MigrationLock => $"select pg_advisory_xact_lock(1130, hashtext('{schema}'))";

    public string Notify => $"select pg_notify('{LogOptions.Channel}', '{schema}')";

    /// <summary>One append to one stream, checked and guarded (script 004_append_function.sql).</summary>
    public string Append => $"select outcome, version, seq from {s}.ledger_append($1, $2, $3, $4, $5, $6, $7, $8, $9)";

    /// <summary>Reserves $1 consecutive sequence numbers and returns the last (only while the append lock is held).</summary>
    public string ReserveSequence => $"select setval('{s}.mt_events_sequence', nextval('{s}.mt_events_sequence') + $1 - 1)";

    public string CopyStreams => $"copy {s}.mt_streams (id, version, timestamp) from stdin (format binary)";

    public string CopyEvents => $"""
        copy {s}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id, causation_id, headers)
        from stdin (format binary)
        """;

    public string StreamVersion => $"select version from {s}.mt_streams where id = $1";

    public string EventsWithIds => $"select id, stream_id, version, seq_id from {s}.mt_events where id = any($1) order by seq_id limit $2";

    public string ExistingStreams => $"select id from {s}.mt_streams where id = any($1)";

    private const string Columns = "id, stream_id, version, seq_id, type, data::text, coalesce(headers::text, '{}'), timestamp";

    /// <summary>Marten writes a tombstone event for an append that failed; it is not part of the ledger.</summary>
    private const string NotTombstone = "type <> 'tombstone'";

    public string ReadStream => $"select {Columns} from {s}.mt_events where stream_id = $1 and version >= $2 order by version";

    public string ReadAll => $"""
        select {Columns} from {s}.mt_events
         where seq_id > $1 and {NotTombstone} and ($2::text[] is null or type = any($2))
         order by seq_id
         limit $3
        """;

    public string Head => $"select coalesce(max(seq_id), 0) from {s}.mt_events";

    public string Resolve => $"select seq_id from {s}.mt_events where seq_id = $1";

    public string CountAfter => $"select count(*) from {s}.mt_events where seq_id > $1 and {NotTombstone}";

    public string LoadCheckpoint => $"select position from {s}.checkpoints where name = $1";

    public string EnsureCheckpoint => $"insert into {s}.checkpoints (name) values ($1) on conflict (name) do nothing";

    /// <summary>Moves a checkpoint only from where the caller read it, so two runners of one subscription cannot both commit a batch.</summary>
    public string AdvanceCheckpoint => $"update {s}.checkpoints set position = $3, updated_at = now() where name = $1 and position = $2";

    public string ResetCheckpoint => $"""
        insert into {s}.checkpoints (name, position) values ($1, $2)
        on conflict (name) do update set position = excluded.position, updated_at = now()
        """;

    public string DeleteCheckpoint => $"delete from {s}.checkpoints where name = $1";

    public string ListCheckpoints => $"select name, position, updated_at from {s}.checkpoints order by name";
}
