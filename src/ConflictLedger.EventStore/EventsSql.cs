namespace ConflictLedger.EventStore;

/// <summary>Every statement on the events, streams and checkpoints tables, for one schema.</summary>
internal sealed class EventsSql(string schema)
{
    private readonly string s = $"\"{schema}\"";

    public string Append => $"select first_version, last_version, last_seq, last_tx, replayed from {s}.append_events($1, $2, $3, $4, $5, $6)";

    private const string Columns = "id, stream_id, version, seq, tx_id, type, data::text, metadata::text, recorded_at";

    public string ReadStream => $"select {Columns} from {s}.events where stream_id = $1 and version >= $2 order by version";

    /// <summary>
    /// The gap-safe page: rows after the checkpoint whose transaction is older than the
    /// oldest transaction still running, so no row can still appear before the last one
    /// returned. <c>$3</c> is an optional type filter.
    /// </summary>
    public string ReadAll => $"""
        select {Columns} from {s}.events
         where (tx_id, seq) > ($1, $2)
           and tx_id < pg_snapshot_xmin(pg_current_snapshot())
           and ($3::text[] is null or type = any($3))
         order by tx_id, seq
         limit $4
        """;

    public string Head => $"""
        select tx_id, seq from {s}.events
         where tx_id < pg_snapshot_xmin(pg_current_snapshot())
         order by tx_id desc, seq desc limit 1
        """;

    /// <summary>The last committed event in log order, whether or not readers may see it yet.</summary>
    public string LastCommitted => $"select tx_id, seq from {s}.events order by tx_id desc, seq desc limit 1";

    public string Resolve => $"select tx_id, seq from {s}.events where seq = $1";

    public string CountAfter => $"""
        select count(*) from {s}.events
         where (tx_id, seq) > ($1, $2) and tx_id < pg_snapshot_xmin(pg_current_snapshot())
        """;

    public string StreamVersion => $"select version from {s}.streams where id = $1";

    public string LockStreams => $"select id, version from {s}.streams where id = any($1) for update";

    public string CopyEvents => $"copy {s}.events (id, stream_id, version, type, data, metadata) from stdin (format binary)";

    public string UpsertStreams => $"""
        insert into {s}.streams (id, version) select * from unnest($1::text[], $2::bigint[])
        on conflict (id) do update set version = excluded.version
        """;

    public string BulkTail => $"select pg_current_xact_id(), currval(pg_get_serial_sequence('{schema}.events', 'seq')), pg_notify('{schema}_log', '')";

    public string LoadCheckpoint => $"select tx_id, seq from {s}.checkpoints where name = $1";

    public string EnsureCheckpoint => $"insert into {s}.checkpoints (name) values ($1) on conflict (name) do nothing";

    /// <summary>Moves a checkpoint only from where the caller read it, so two runners of one subscription cannot both commit a batch.</summary>
    public string AdvanceCheckpoint => $"""
        update {s}.checkpoints set tx_id = $4, seq = $5, updated_at = now()
         where name = $1 and tx_id = $2 and seq = $3
        """;

    public string ResetCheckpoint => $"""
        insert into {s}.checkpoints (name, tx_id, seq) values ($1, $2, $3)
        on conflict (name) do update set tx_id = excluded.tx_id, seq = excluded.seq, updated_at = now()
        """;

    public string DeleteCheckpoint => $"delete from {s}.checkpoints where name = $1";

    public string ListCheckpoints => $"select name, tx_id, seq, updated_at from {s}.checkpoints order by name";
}
