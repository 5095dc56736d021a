using ConflictLedger.Log;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests;

internal static class TestEvents
{
    public const string Clash = "armed-clash-reported.v1";
    public const string Protest = "protest-reported.v1";

    /// <summary>An occurrence account at a landmark, shaped like the domain's occurrence events.</summary>
    public static EventData Occurrence(string place = "derna", string type = Clash)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        return new(Guid.NewGuid(), type,
            $$$"""{"occurrenceId": "o-{{{id}}}", "accountId": "a-{{{id}}}", "account": {"kind": "armed-clash", "place": "{{{place}}}"}}""");
    }

    public const string Corrected = "account-corrected.v1";
    public const string Retracted = "account-retracted.v1";

    public static EventData Correction(string occurrenceId, string accountId, string place, string kind = "armed-clash") => new(Guid.NewGuid(), Corrected,
        $$$"""{"occurrenceId": "{{{occurrenceId}}}", "accountId": "{{{accountId}}}", "account": {"kind": "{{{kind}}}", "place": "{{{place}}}"}, "reason": "moved"}""");

    public static EventData Retraction(string occurrenceId, string accountId) => new(Guid.NewGuid(), Retracted,
        $$$"""{"occurrenceId": "{{{occurrenceId}}}", "accountId": "{{{accountId}}}", "reason": "withdrawn"}""");

    /// <summary>
    /// Follow-ups under a "derna, armed clashes" filter: a clash at Derna, then a correction that
    /// moves it to Benghazi as a protest, then its retraction (all three reach the reader: it
    /// was shown the account); a protest at Benghazi and its retraction (neither does). Returns
    /// every event appended, in log order, and those the filter must pass.
    /// </summary>
    public static async Task<(List<EventData> All, List<EventData> Passing)> AppendFollowUpsAsync(this LedgerLog store)
    {
        var shown = Occurrence("derna");
        var hidden = Occurrence("benghazi", Protest);
        var (shownStream, hiddenStream) = (NewStream(), NewStream());
        var (shownIds, hiddenIds) = (Ids(shown), Ids(hidden));
        var moved = Correction(shownIds.Occurrence, shownIds.Account, "benghazi", "protest");
        var withdrawn = Retraction(shownIds.Occurrence, shownIds.Account);
        var hiddenWithdrawn = Retraction(hiddenIds.Occurrence, hiddenIds.Account);
        await store.AppendAsync(shownStream, ExpectedVersion.NoStream, [shown]);
        await store.AppendAsync(hiddenStream, ExpectedVersion.NoStream, [hidden]);
        await store.AppendAsync(shownStream, ExpectedVersion.Exact(1), [moved]);
        await store.AppendAsync(hiddenStream, ExpectedVersion.Exact(1), [hiddenWithdrawn]);
        await store.AppendAsync(shownStream, ExpectedVersion.Exact(2), [withdrawn]);
        return ([shown, hidden, moved, hiddenWithdrawn, withdrawn], [shown, moved, withdrawn]);
    }

    private static (string Occurrence, string Account) Ids(EventData report)
    {
        using var json = System.Text.Json.JsonDocument.Parse(report.Data);
        return (json.RootElement.GetProperty("occurrenceId").GetString()!, json.RootElement.GetProperty("accountId").GetString()!);
    }

    public static string NewStream() => "incident-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Appends each event in its own transaction, in order, and returns them.</summary>
    public static async Task<List<EventData>> AppendEachAsync(this LedgerLog store, params EventData[] events)
    {
        foreach (var e in events) await store.AppendAsync(NewStream(), ExpectedVersion.NoStream, [e]);
        return [.. events];
    }

    public static async Task<List<EventData>> AppendManyAsync(this LedgerLog store, int count, string place = "derna")
    {
        var events = Enumerable.Range(0, count).Select(_ => Occurrence(place)).ToArray();
        await store.AppendAsync(NewStream(), ExpectedVersion.NoStream, events);
        return [.. events];
    }

    /// <summary>
    /// The head of the log: everything a test appends afterwards follows it (appends draw
    /// positions in commit order).
    /// </summary>
    public static async Task<long> MarkAsync(this LedgerLog store) => (await store.HeadAsync()).Value;

    /// <summary>
    /// Waits until the given events are readable and returns them in log order. An event is
    /// readable only once every older transaction in the cluster has finished, and other
    /// test classes hold transactions open, so a read right after an append may not see it.
    /// </summary>
    public static async Task<List<RecordedEvent>> VisibleAsync(this LedgerLog store, IEnumerable<EventData> events)
    {
        var ids = events.Select(e => e.Id).ToHashSet();
        var found = new List<RecordedEvent>();
        await Eventually.TrueAsync(async () =>
        {
            found = [];
            await foreach (var e in store.ReadAllAsync(LogPosition.Start))
                if (ids.Contains(e.Id)) found.Add(e);
            return found.Count == ids.Count;
        }, $"{ids.Count} events readable");
        return found;
    }
}
