namespace ConflictLedger.Occurrences;

/// <summary>An account as it stands now, with the events that made it so.</summary>
public sealed record CurrentAccount(string AccountId, Account Account, bool Retracted, string? RetractionReason, int Revisions);

/// <summary>The state of one occurrence: each source's account as it stands.</summary>
public sealed record Occurrence(string Id, IReadOnlyDictionary<string, CurrentAccount> Accounts)
{
    public static Occurrence Empty(string id) => new(id, new Dictionary<string, CurrentAccount>());

    public IEnumerable<CurrentAccount> Standing => Accounts.Values.Where(a => !a.Retracted);

    public Occurrence Evolve(IOccurrenceEvent e)
    {
        // Retracting an account the stream never had changes nothing (the domain refuses it;
        // a writer that bypassed the domain may not have).
        if (e is AccountRetracted && !Accounts.ContainsKey(e.AccountId)) return this;
        var accounts = new Dictionary<string, CurrentAccount>(Accounts);
        accounts[e.AccountId] = e switch
        {
            AccountReported r => new CurrentAccount(r.AccountId, r.Account, false, null, 0),
            AccountCorrected c => new CurrentAccount(c.AccountId, c.Account, false, null,
                (Accounts.TryGetValue(c.AccountId, out var before) ? before.Revisions : 0) + 1),
            AccountRetracted t => Accounts[t.AccountId] with { Retracted = true, RetractionReason = t.Reason },
            _ => throw new ArgumentException($"Unknown occurrence event {e.GetType().Name}", nameof(e)),
        };
        return this with { Accounts = accounts };
    }

    /// <summary>
    /// What recording <paramref name="account"/> under <paramref name="accountId"/> takes:
    /// nothing when the account already stands as given, a correction when it differs,
    /// a first report otherwise. Importers use this so re-importing changes nothing and a
    /// revised row becomes a correction.
    /// </summary>
    public IReadOnlyList<IOccurrenceEvent> Record(string accountId, Account account, string correctionReason)
    {
        if (!Accounts.TryGetValue(accountId, out var current))
            return [new AccountReported(Id, accountId, account)];
        if (!current.Retracted && Json.Serialize(current.Account) == Json.Serialize(KnownNoLater(account, current.Account)))
            return [];
        return [new AccountCorrected(Id, accountId, account, correctionReason)];
    }

    /// <summary>
    /// The same content released again later (the next ACLED export, a file re-dated, a
    /// re-import with no date, which means the import day) was known from the first
    /// release: a later or missing publication date alone is no revision.
    /// </summary>
    private static Account KnownNoLater(Account account, Account current) =>
        current.Source.Published is { } first && (account.Source.Published is not { } again || again > first)
            ? account with { Source = account.Source with { Published = first, PublishedPrecision = current.Source.PublishedPrecision } }
            : account;

    /// <summary>A retraction, refused when there is nothing standing to retract.</summary>
    public IReadOnlyList<IOccurrenceEvent> Retract(string accountId, string reason)
    {
        if (!Accounts.TryGetValue(accountId, out var current))
            throw new DomainException($"Occurrence '{Id}' has no account '{accountId}' to retract.");
        if (current.Retracted)
            throw new DomainException($"Account '{accountId}' of occurrence '{Id}' is already retracted.");
        return [new AccountRetracted(Id, accountId, reason)];
    }
}

/// <summary>A command the domain refuses, with a message for the person who sent it.</summary>
public sealed class DomainException(string message) : Exception(message);
