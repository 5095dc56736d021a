using ConflictLedger.Log;

namespace ConflictLedger.Occurrences;

/// <summary>The result of a write: where the account now stands and the log position to read it at.</summary>
public sealed record Recorded(string OccurrenceId, string AccountId, long Version, long Position, bool Replayed);

/// <summary>
/// Who writes: <paramref name="Name"/> goes into the event metadata; <paramref name="KeyId"/>
/// (the API key's hash) scopes idempotency keys and derived ids, so two clients that happen
/// to pick the same Idempotency-Key never meet.
/// </summary>
public sealed record Writer(string Name, string KeyId);

public sealed class OccurrenceNotFoundException(string id) : Exception($"There is no occurrence '{id}'.")
{
    public string Id { get; } = id;
}

/// <summary>A correction or retraction named an account the occurrence does not hold.</summary>
public sealed class AccountNotFoundException(string occurrenceId, string accountId)
    : Exception($"Occurrence '{occurrenceId}' has no account '{accountId}'. GET /api/occurrences/{occurrenceId} lists its accounts.");

/// <summary>The occurrence already holds this very account from this source; nothing was written.</summary>
public sealed class DuplicateAccountException(string occurrenceId, string accountId)
    : Exception($"Occurrence '{occurrenceId}' already holds this account from this source as '{accountId}'. To change it, correct that account.")
{
    public string OccurrenceId { get; } = occurrenceId;
    public string AccountId { get; } = accountId;
}

/// <summary>An idempotency key came back with a different request; nothing was written.</summary>
public sealed class IdempotencyKeyReusedException(string key)
    : Exception($"The Idempotency-Key '{key}' was used before for a different request. Use a new key for a new request.");

/// <summary>
/// Reporters' writes on an occurrence stream. With an idempotency key the event id is
/// derived from the writer's API key and the idempotency key, so the store turns a retried
/// request into a replay of the first result. Every write is checked against the
/// occurrence first (a correction or retraction must name a standing account of it; an
/// account must not repeat one it holds), except a replay, which returns what the first
/// request got.
/// </summary>
public sealed class OccurrenceService(LedgerLog store)
{
    public async Task<Recorded> ReportAsync(string? occurrenceId, Account account, string? idempotencyKey, Writer writer, CancellationToken ct = default)
    {
        // Without a key the ids come from the content, so a blind retry lands on the same
        // occurrence and is refused as a duplicate instead of becoming a second occurrence.
        var suffix = Suffix(writer, idempotencyKey, account, 0);
        var id = occurrenceId ?? $"{account.Place}-{account.When.Earliest:yyyy-MM-dd}-{Json.Name(account.Kind)}-{suffix}";
        var reported = new AccountReported(id, $"api/{suffix}", account);
        var (state, version, ids) = await LoadAsync(id, ct);
        if (version > 0 && !IsReplay(ids, idempotencyKey, writer)) RefuseDuplicate(state, account);
        return await AppendAsync(id, ExpectedVersion.NoStream, reported, idempotencyKey, writer, ct);
    }

    public async Task<Recorded> AddAccountAsync(string occurrenceId, Account account, ExpectedVersion expected, string? idempotencyKey, Writer writer, CancellationToken ct = default)
    {
        var (state, version, ids) = await RequireAsync(occurrenceId, ct);
        if (Decides(expected, version) && !IsReplay(ids, idempotencyKey, writer)) RefuseDuplicate(state, account);
        var reported = new AccountReported(occurrenceId, $"api/{Suffix(writer, idempotencyKey, account, version)}", account);
        return await AppendAsync(occurrenceId, expected, reported, idempotencyKey, writer, ct);
    }

    public async Task<Recorded> CorrectAsync(string occurrenceId, string accountId, Account account, string reason, ExpectedVersion expected, string? idempotencyKey, Writer writer, CancellationToken ct = default)
    {
        var (state, version, ids) = await RequireAsync(occurrenceId, ct);
        if (Decides(expected, version) && !IsReplay(ids, idempotencyKey, writer)) Standing(state, accountId, "correct");
        return await AppendAsync(occurrenceId, expected, new AccountCorrected(occurrenceId, accountId, account, reason), idempotencyKey, writer, ct);
    }

    public async Task<Recorded> RetractAsync(string occurrenceId, string accountId, string reason, ExpectedVersion expected, string? idempotencyKey, Writer writer, CancellationToken ct = default)
    {
        var (state, version, ids) = await RequireAsync(occurrenceId, ct);
        if (Decides(expected, version) && !IsReplay(ids, idempotencyKey, writer)) Standing(state, accountId, "retract");
        return await AppendAsync(occurrenceId, expected, new AccountRetracted(occurrenceId, accountId, reason), idempotencyKey, writer, ct);
    }

    /// <summary>
    /// False when the client's If-Match is stale: then the store's 412 is the answer, not a
    /// verdict on a state the client has not seen.
    /// </summary>
    private static bool Decides(ExpectedVersion expected, long version) =>
        expected == ExpectedVersion.Any || expected == ExpectedVersion.Exact(version);

    /// <summary>The account must be one of this occurrence's, and not retracted.</summary>
    private static void Standing(Occurrence state, string accountId, string verb)
    {
        if (!state.Accounts.TryGetValue(accountId, out var current)) throw new AccountNotFoundException(state.Id, accountId);
        if (current.Retracted)
            throw new DomainException($"Account '{accountId}' of occurrence '{state.Id}' is retracted; there is nothing standing to {verb}.");
    }

    private static void RefuseDuplicate(Occurrence state, Account account)
    {
        var json = Json.Serialize(account);
        if (state.Standing.FirstOrDefault(a => Json.Serialize(a.Account) == json) is { } same)
            throw new DuplicateAccountException(state.Id, same.AccountId);
    }

    private async Task<(Occurrence State, long Version, HashSet<Guid> EventIds)> RequireAsync(string occurrenceId, CancellationToken ct)
    {
        var loaded = await LoadAsync(occurrenceId, ct);
        return loaded.Version == 0 ? throw new OccurrenceNotFoundException(occurrenceId) : loaded;
    }

    private async Task<(Occurrence State, long Version, HashSet<Guid> EventIds)> LoadAsync(string occurrenceId, CancellationToken ct)
    {
        var state = Occurrence.Empty(occurrenceId);
        long version = 0;
        var ids = new HashSet<Guid>();
        await foreach (var e in store.ReadStreamAsync(OccurrenceEvents.StreamId(occurrenceId), ct: ct))
        {
            if (OccurrenceEvents.FromStored(e.Type, e.Data) is { } domainEvent) state = state.Evolve(domainEvent);
            version = e.Version;
            ids.Add(e.Id);
        }
        return (state, version, ids);
    }

    /// <summary>A retried request: its key's event is already on the stream, so the store answers with the first result.</summary>
    private static bool IsReplay(HashSet<Guid> ids, string? idempotencyKey, Writer writer) =>
        idempotencyKey is not null && ids.Contains(EventIdFor(writer, idempotencyKey));

    private static Guid EventIdFor(Writer writer, string idempotencyKey) => DeterministicId.From("idempotency", writer.KeyId, idempotencyKey);

    private async Task<Recorded> AppendAsync(string occurrenceId, ExpectedVersion expected, IOccurrenceEvent e, string? idempotencyKey, Writer writer, CancellationToken ct)
    {
        var data = OccurrenceEvents.ToEventData(e, 0, Json.Serialize(new { appendedBy = writer.Name, idempotencyKey }));
        var stored = data with { Id = idempotencyKey is null ? Guid.NewGuid() : EventIdFor(writer, idempotencyKey) };
        var result = await store.AppendAsync(OccurrenceEvents.StreamId(occurrenceId), expected, [stored], ct);
        if (result.AlreadyAppended)
        {
            var first = await FirstAsync(occurrenceId, stored.Id, ct);
            if (!SameJson(first.Data, stored.Data)) throw new IdempotencyKeyReusedException(idempotencyKey!);
        }
        return new Recorded(occurrenceId, e.AccountId, result.NextExpectedVersion, result.Position.Value, result.AlreadyAppended);
    }

    private async Task<RecordedEvent> FirstAsync(string occurrenceId, Guid id, CancellationToken ct)
    {
        await foreach (var e in store.ReadStreamAsync(OccurrenceEvents.StreamId(occurrenceId), ct: ct))
            if (e.Id == id) return e;
        throw new InvalidOperationException($"event {id} vanished from {occurrenceId}");
    }

    /// <summary>jsonb gives JSON back in its own key order and spacing; compare values.</summary>
    private static bool SameJson(string a, string b)
    {
        using var left = System.Text.Json.JsonDocument.Parse(a);
        using var right = System.Text.Json.JsonDocument.Parse(b);
        return System.Text.Json.JsonElement.DeepEquals(left.RootElement, right.RootElement);
    }

    /// <summary>
    /// Ten hex digits naming the writer's request: its idempotency key, or without one the
    /// account and the stream version it was added at (so an account retracted and sent
    /// again later gets a new id rather than reviving the old one).
    /// </summary>
    private static string Suffix(Writer writer, string? idempotencyKey, Account account, long version) =>
        DeterministicId.Hash(idempotencyKey is null
            ? string.Join('\u001f', writer.KeyId, "content", version.ToString(System.Globalization.CultureInfo.InvariantCulture), Json.Serialize(account))
            : string.Join('\u001f', writer.KeyId, "key", idempotencyKey))[..10];
}
