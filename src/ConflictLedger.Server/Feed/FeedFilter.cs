using System.Text.Json;
using ConflictLedger.Catalog;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Server.Feed;

/// <summary>
/// Which events a feed reader or a webhook wants: some types, and events at one landmark.
/// The rule for follow-ups: a correction or retraction reaches a reader when the account it
/// targets reached that reader, that is when the filter passed the account's report or an
/// earlier correction of it. So a reader that was shown an account always learns that it
/// was corrected or withdrawn, whatever the filter. A correction also passes by itself when
/// the corrected account would pass as a report (its kind's <c>-reported.v1</c> type, its
/// place), and any event passes when its own type is listed.
/// </summary>
public sealed record FeedFilter(IReadOnlyCollection<string>? Types, string? Landmark)
{
    public static readonly FeedFilter All = new(null, null);

    public bool IsAll => Types is not { Count: > 0 } && Landmark is null;

    /// <summary>Whether the event passes on its own, without looking at the account's history.</summary>
    public bool Matches(RecordedEvent e) => Matches(e, null);

    /// <param name="facts">
    /// The event's facts when the caller has them already: the live tail parses each event once
    /// for all its clients, where every landmark-filtered client parsed every event's JSON.
    /// </param>
    public bool Matches(RecordedEvent e, EventFacts? facts)
    {
        if (IsAll) return true;
        var typeListed = Types is not { Count: > 0 } || Types.Contains(e.Type);
        if (e.Type == OccurrenceEvents.Retracted) return typeListed && Landmark is null;
        if (e.Type == OccurrenceEvents.Corrected)
        {
            facts ??= EventFacts.Of(e);
            return (typeListed || facts.ReportedType is { } reported && Types!.Contains(reported))
                   && (Landmark is null || facts.Place == Landmark);
        }
        return typeListed && (Landmark is null || (facts ?? EventFacts.Of(e)).Place == Landmark);
    }

    /// <summary>
    /// The account a correction or retraction targets when it does not pass on its own, so
    /// whether it passes depends on that account's earlier events; null otherwise.
    /// </summary>
    public string? FollowUpOf(RecordedEvent e, EventFacts? facts = null)
    {
        if (e.Type is not (OccurrenceEvents.Corrected or OccurrenceEvents.Retracted)) return null;
        facts ??= EventFacts.Of(e);
        return Matches(e, facts) ? null : facts.AccountId;
    }

    /// <summary>The follow-up rule, given the events of the follow-up's stream (each parsed once).</summary>
    public bool PassesAfter(RecordedEvent followUp, string accountId, IEnumerable<RecordedEvent> stream) =>
        stream.Any(earlier => earlier.Version < followUp.Version
                              && earlier.Type != OccurrenceEvents.Retracted
                              && EventFacts.Of(earlier) is var facts
                              && facts.AccountId == accountId
                              && Matches(earlier, facts));

    /// <summary>The whole rule: reads the follow-up's stream only for a correction or retraction that does not pass on its own.</summary>
    public Task<bool> PassesAsync(RecordedEvent e, LedgerLog store, CancellationToken ct) => PassesAsync(e, null, store, ct);

    /// <inheritdoc cref="PassesAsync(RecordedEvent, LedgerLog, CancellationToken)"/>
    public async Task<bool> PassesAsync(RecordedEvent e, EventFacts? facts, LedgerLog store, CancellationToken ct)
    {
        // A correction or retraction is parsed once, for both questions.
        if (e.Type is OccurrenceEvents.Corrected or OccurrenceEvents.Retracted) facts ??= EventFacts.Of(e);
        if (Matches(e, facts)) return true;
        if (FollowUpOf(e, facts) is not { } accountId) return false;
        var stream = await store.ReadStreamAsync(e.StreamId, ct: ct).TakeWhile(s => s.Version < e.Version).ToListAsync(ct);
        return PassesAfter(e, accountId, stream);
    }

    /// <summary>The events of <paramref name="events"/> that pass, in order.</summary>
    public async Task<List<RecordedEvent>> PassingAsync(IEnumerable<RecordedEvent> events, LedgerLog store, CancellationToken ct)
    {
        var passing = new List<RecordedEvent>();
        foreach (var e in events)
            if (await PassesAsync(e, store, ct)) passing.Add(e);
        return passing;
    }

    /// <summary>
    /// What a store read must include for this filter: the listed types plus the follow-ups,
    /// which may pass for the account they target; null for every type.
    /// </summary>
    public IReadOnlyCollection<string>? StoreTypes =>
        Types is { Count: > 0 } ? Types.Append(OccurrenceEvents.Corrected).Append(OccurrenceEvents.Retracted).ToHashSet(StringComparer.Ordinal) : null;

    /// <summary>Every event type the ledger writes: a filter naming another would silently match nothing.</summary>
    public static readonly IReadOnlySet<string> KnownTypes =
        OccurrenceEvents.AllTypes.Concat(CatalogEvents.Types).ToHashSet(StringComparer.Ordinal);

    /// <summary>Why the types cannot filter the log (one is not a type the ledger writes), or null.</summary>
    public static string? TypesProblem(IEnumerable<string>? types) =>
        types?.FirstOrDefault(t => !KnownTypes.Contains(t)) is { } unknown
            ? $"'{(unknown.Length > 80 ? unknown[..80] + "…" : unknown)}' is not an event type of this ledger: use one of {string.Join(", ", KnownTypes.Order(StringComparer.Ordinal))}"
            : null;

    /// <summary>
    /// Why the landmark cannot filter the log (no catalog entry has that id), or null. The
    /// projected catalog answers first (an alias counts); a landmark cataloged a moment ago may not be
    /// projected yet, so the log has the last word.
    /// </summary>
    public static async Task<string?> LandmarkProblemAsync(string? landmark, Server.Catalog.CatalogCache catalog, LedgerLog store, CancellationToken ct)
    {
        if (landmark is null || Names((await catalog.GetAsync(ct)), landmark)) return null;
        if (Names((await CatalogLedger.LoadAsync(store, ct)).Catalog, landmark)) return null;
        return $"'{(landmark.Length > 80 ? landmark[..80] + "…" : landmark)}' is not a landmark id or alias in the catalog (GET /api/catalog/landmarks lists them)";

        static bool Names(ConflictLedger.Catalog.Catalog catalog, string name) => catalog.Landmark(name) is not null || catalog.FindLandmark(name) is not null;
    }

    /// <summary>Types from <c>type=a,b</c> and repeated <c>type=</c> parameters; null when none.</summary>
    public static IReadOnlyCollection<string>? ParseTypes(IEnumerable<string?>? values)
    {
        var types = (values ?? [])
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        return types.Count > 0 ? types : null;
    }
}

/// <summary>
/// What a filter reads from an event's data: occurrence events name their account and, in
/// it, their kind and place (<c>{"accountId": "a1", "account": {"kind": "armed-clash", "place": "derna"}}</c>).
/// </summary>
/// <param name="ReportedType">The report type of the account's kind (a correction passes a type filter that lists it).</param>
public sealed record EventFacts(string? AccountId, string? ReportedType, string? Place)
{
    public static EventFacts Of(RecordedEvent e) => Of(e.Data);

    public static EventFacts Of(string data)
    {
        using var json = JsonDocument.Parse(data);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object) return new(null, null, null);
        var accountId = StringOf(root, "accountId");
        if (!root.TryGetProperty("account", out var account) || account.ValueKind != JsonValueKind.Object) return new(accountId, null, null);
        return new(accountId, StringOf(account, "kind") is { } kind ? kind + "-reported.v1" : null, StringOf(account, "place"));
    }

    private static string? StringOf(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
