using ConflictLedger.Server.Feed;
using Npgsql;

namespace ConflictLedger.Server.Webhooks;

public enum WebhookStatus { Active, Paused, Disabled }

public sealed record Webhook(
    Guid Id,
    string Url,
    string[]? Types,
    string? Landmark,
    string Secret,
    string? Description,
    WebhookStatus Status,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? DisabledAt,
    DateTimeOffset CreatedAt,
    int? BatchSize = null)
{
    /// <summary>Opt-in batches: at most this many events per request; the default when a webhook asks for batches without a size.</summary>
    public const int DefaultBatchSize = 100;

    public const int MaxBatchSize = 1000;

    public FeedFilter Filter => new(Types, Landmark);

    /// <summary>The event store checkpoint that holds this webhook's place in the log.</summary>
    public static string CheckpointName(Guid id) => $"webhook:{id}";
}

/// <param name="EventId">The (first) event of the request.</param>
/// <param name="Position">The position of its last event.</param>
/// <param name="Events">How many events the request carried: 1, or the size of a batch.</param>
/// <param name="Id">The record's id, once recorded: the deliveries list's cursor (<c>after</c>).</param>
public sealed record DeliveryAttempt(
    Guid EventId, long Position, int Attempt, bool Succeeded, int? StatusCode, string? Error, int DurationMs, DateTimeOffset AttemptedAt, int Events = 1, long Id = 0);

/// <summary>Every statement on the webhooks and webhook_deliveries tables.</summary>
public sealed class WebhookStore(NpgsqlDataSource dataSource, ConflictLedgerOptions options)
{
    private readonly string s = $"\"{options.Schema}\"";

    private const string Columns = "id, url, types, landmark, secret, description, status, consecutive_failures, last_error, disabled_at, created_at, batch_size";

    public async Task CreateAsync(Webhook hook, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"insert into {s}.webhooks (id, url, types, landmark, secret, description, batch_size) values ($1, $2, $3, $4, $5, $6, $7)");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = hook.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hook.Url });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)hook.Types ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)hook.Landmark ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hook.Secret });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)hook.Description ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)hook.BatchSize ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Up to <paramref name="limit"/> webhooks in creation order, those after <paramref name="after"/> when given.</summary>
    public async Task<IReadOnlyList<Webhook>> ListAsync(WebhookCursor? after, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select {Columns} from {s}.webhooks
             where $1::timestamptz is null or (created_at, id) > ($1, $2)
             order by created_at, id limit $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.CreatedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.Id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<Webhook>();
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return list;
    }

    public async Task<Webhook?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from {s}.webhooks where id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<Guid>> ActiveIdsAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select id from {s}.webhooks where status = 'active'");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <summary>Pauses, or (re)activates with a clean failure count; false when there is no such webhook.</summary>
    public async Task<bool> SetStatusAsync(Guid id, WebhookStatus status, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(status == WebhookStatus.Active
            ? $"update {s}.webhooks set status = 'active', consecutive_failures = 0, disabled_at = null where id = $1"
            : $"update {s}.webhooks set status = $2 where id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        if (status != WebhookStatus.Active) command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name(status) });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"delete from {s}.webhooks where id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Records one delivery attempt; nothing when the webhook was deleted while the delivery was in flight.</summary>
    public async Task RecordAttemptAsync(Guid id, DeliveryAttempt attempt, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await RecordAttemptAsync(connection, null, id, attempt, ct);
    }

    /// <summary>The same inside the caller's transaction (with the checkpoint it moves).</summary>
    public async Task RecordAttemptAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid id, DeliveryAttempt attempt, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            insert into {s}.webhook_deliveries (webhook_id, event_id, position, attempt, succeeded, status_code, error, duration_ms, attempted_at, events)
            select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
             where exists (select 1 from {s}.webhooks where id = $1)
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = attempt.EventId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = attempt.Position });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = attempt.Attempt });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = attempt.Succeeded });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)attempt.StatusCode ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)attempt.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = attempt.DurationMs });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = attempt.AttemptedAt });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = attempt.Events });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Counts a failure and keeps its error; the failure that reaches <paramref name="maxFailures"/>
    /// disables the webhook. A pause made meanwhile stays a pause.
    /// </summary>
    public async Task<(int Failures, WebhookStatus Status)> RecordFailureAsync(Guid id, string error, int maxFailures, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            update {s}.webhooks
               set consecutive_failures = consecutive_failures + 1,
                   last_error = $2,
                   status = case when status = 'active' and consecutive_failures + 1 >= $3 then 'disabled' else status end,
                   disabled_at = case when status = 'active' and consecutive_failures + 1 >= $3 then now() else disabled_at end
             where id = $1
            returning consecutive_failures, status
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = error });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxFailures });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt32(0), Parse(reader.GetString(1))) : (0, WebhookStatus.Disabled);
    }

    /// <summary>Inside the transaction that advances the checkpoint after a delivery succeeded.</summary>
    public async Task ClearFailuresAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"update {s}.webhooks set consecutive_failures = 0 where id = $1 and consecutive_failures > 0", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The latest attempts first; with <paramref name="before"/>, only records older than that one.</summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> DeliveriesAsync(Guid id, long? before, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select event_id, position, attempt, succeeded, status_code, error, duration_ms, attempted_at, events, id
              from {s}.webhook_deliveries
             where webhook_id = $1 and ($2::bigint is null or id < $2)
             order by id desc limit $3
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<DeliveryAttempt>();
        while (await reader.ReadAsync(ct))
            list.Add(new DeliveryAttempt(
                reader.GetGuid(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetBoolean(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetInt32(8), reader.GetInt64(9)));
        return list;
    }

    /// <summary>
    /// Deletes delivery records attempted before <paramref name="cutoff"/>, a slice at a time so
    /// no long transaction holds back the log's readers; returns how many went.
    /// </summary>
    public async Task<long> DeleteDeliveriesBeforeAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        const int Slice = 10_000;
        long deleted = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand($"""
                delete from {s}.webhook_deliveries
                 where id in (select id from {s}.webhook_deliveries where attempted_at < $1 limit $2)
                """);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Slice });
            var count = await command.ExecuteNonQueryAsync(ct);
            deleted += count;
            if (count < Slice) return deleted;
        }
    }

    private static Webhook Read(NpgsqlDataReader r) => new(
        r.GetGuid(0),
        r.GetString(1),
        r.IsDBNull(2) ? null : r.GetFieldValue<string[]>(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        Parse(r.GetString(6)),
        r.GetInt32(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9),
        r.GetFieldValue<DateTimeOffset>(10),
        r.IsDBNull(11) ? null : r.GetInt32(11));

    private static string Name(WebhookStatus status) => status.ToString().ToLowerInvariant();

    private static WebhookStatus Parse(string status) => Enum.Parse<WebhookStatus>(status, ignoreCase: true);
}
