using ConflictLedger.Testing;

namespace ConflictLedger.Log.Tests;

internal static class TestEvents
{
    public static EventData New(int n = 0) => LedgerTestEvents.Report(n: n);

    public static EventData[] Many(int count) => LedgerTestEvents.Reports(count);

    public static string NewStream() => LedgerTestEvents.NewStream();

    /// <summary>The head of the log: events this test appends afterwards all follow it.</summary>
    public static Task<LogPosition> MarkAsync(this LedgerLog store) => store.HeadAsync();
}
