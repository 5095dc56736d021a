using ConflictLedger.Log;

namespace ConflictLedger.Occurrences;

/// <summary>The result of a write: where the account now stands and the log position to read it at.</summary>
public sealed record Recorded(string OccurrenceId, string AccountId, long Version, long Position, bool Replayed);

public sealed class OccurrenceNotFoundException(string id) : Exception($"There is no occurrence '{id}'.")
{
    public string Id { get; } = id;
}

/// <summary>An idempotency key came back with a different request; nothing was written.</summary>
public sealed class IdempotencyKeyReusedException(string key)
    : Exception($"The Idempotency-Key '{key}' was used before for a different request. Use a new key for a new request.");

/// <summary>
/// Reporters' writes on an occurrence stream. With an idempotency key the event id is
/// derived from the key, so the store turns a retried request into a replay of the
/// first result; without one every call is a new event.
/// </summary>
public sealed class OccurrenceService(LedgerLog store)
{
    public async Task<Recorded> ReportAsync(string? occurrenceId, Account account, string? idempotencyKey, string appendedBy, CancellationToken ct = default)
    {
        var id = occurrenceId ?? $"{account.Place}-{account.When.Earliest:yyyy-MM-dd}-{Json.Name(account.Kind)}-{Suffix(idempotencyKey)}";
        var accountId = $"api/{Suffix(idempotencyKey)}";
        return await AppendAsync(id, ExpectedVersion.NoStream, new AccountReported(id, accountId, account), idempotencyKey, appendedBy, ct);
    }

    public async Task<Recorded> AddAccountAsync(string occurrenceId, Account account, ExpectedVersion expected, string? idempotencyKey, string appendedBy, CancellationToken ct = default)
    {
        await RequireAsync(occurrenceId, ct);
        return await AppendAsync(occurrenceId, expected, new AccountReported(occurrenceId, $"api/{Suffix(idempotencyKey)}", account), idempotencyKey, appendedBy, ct);
    }

    public async Task<Recorded> CorrectAsync(string occurrenceId, string accountId, Account account, string reason, ExpectedVersion expected, string? idempotencyKey, string appendedBy, CancellationToken ct = default)
    {
        var state = await RequireAsync(occurrenceId, ct);
        if (idempotencyKey is null && !state.Accounts.ContainsKey(accountId))
            throw new DomainException($"Occurrence '{occurrenceId}' has no account '{accountId}' to correct.");
        return await AppendAsync(occurrenceId, expected, new AccountCorrected(occurrenceId, accountId, account, reason), idempotencyKey, appendedBy, ct);
    }

    public async Task<Recorded> RetractAsync(string occurrenceId, string accountId, string reason, ExpectedVersion expected, string? idempotencyKey, string appendedBy, CancellationToken ct = default)
    {
        var state = await RequireAsync(occurrenceId, ct);
        var retraction = idempotencyKey is null ? state.Retract(accountId, reason).Single() : new AccountRetracted(occurrenceId, accountId, reason);
        return await AppendAsync(occurrenceId, expected, retraction, idempotencyKey, appendedBy, ct);
    }

    /// <summary>The occurrence's state. With an idempotency key, checks that a retry would fail (the account is already retracted) are left to the store's replay.</summary>
    private async Task<Occurrence> RequireAsync(string occurrenceId, CancellationToken ct)
    {
        var (state, version) = await OccurrenceLedger.LoadAsync(store, occurrenceId, ct);
        if (version == 0) throw new OccurrenceNotFoundException(occurrenceId);
        return state;
    }

    private async Task<Recorded> AppendAsync(string occurrenceId, ExpectedVersion expected, IOccurrenceEvent e, string? idempotencyKey, string appendedBy, CancellationToken ct)
    {
        var data = OccurrenceEvents.ToEventData(e, 0, Json.Serialize(new { appendedBy, idempotencyKey }));
        var stored = data with { Id = idempotencyKey is null ? Guid.NewGuid() : DeterministicId.From("idempotency", appendedBy, idempotencyKey) };
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

    private static string Suffix(string? idempotencyKey) =>
        idempotencyKey is null ? Guid.NewGuid().ToString("N")[..10] : DeterministicId.Hash(idempotencyKey)[..10];
}
