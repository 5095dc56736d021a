using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Testing;

/// <summary>Whole domain events for tests of the log and its readers: each a new account of its own occurrence.</summary>
public static class LedgerTestEvents
{
    public const string Clash = "armed-clash-reported.v1";

    /// <summary>An account report at <paramref name="place"/>; <paramref name="n"/> goes into the quote so events differ.</summary>
    public static EventData Report(string place = "derna", int n = 0, OccurrenceKind kind = OccurrenceKind.ArmedClash, string metadata = """{"source": "test"}""")
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var account = new Account(kind, new WorldTime(new DateOnly(2015, 6, 11), new DateOnly(2015, 6, 11), DatePrecision.Day),
            place, [], null, Firmness.Reported, new Source("Test wire", null, null, null, null, $"report {n}"));
        var e = new AccountReported($"o-{id}", $"a-{id}", account);
        return new EventData(Guid.NewGuid(), OccurrenceEvents.TypeOf(e), Json.Serialize(e), metadata);
    }

    public static EventData[] Reports(int count, string place = "derna") =>
        Enumerable.Range(0, count).Select(i => Report(place, i)).ToArray();

    public static string NewStream() => "incident-" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<List<RecordedEvent>> ToListAsync(this IAsyncEnumerable<RecordedEvent> events)
    {
        var list = new List<RecordedEvent>();
        await foreach (var e in events) list.Add(e);
        return list;
    }
}
