using ConflictLedger.Log;

namespace ConflictLedger.EventStore.Tests;

internal static class TestEvents
{
    public static EventData New(string type = "thing-happened.v1", int n = 0) =>
        new(Guid.NewGuid(), type, $$"""{"n": {{n}}}""", """{"source": "test"}""");

    public static EventData[] Many(int count, string type = "thing-happened.v1") =>
        Enumerable.Range(0, count).Select(i => New(type, i)).ToArray();

    public static string NewStream() => "stream-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Appends a marker and returns its position: events this test appends afterwards all
    /// follow it in log order. (The head itself can lag behind recent commits while other
    /// test classes hold transactions open.)
    /// </summary>
    public static async Task<LogPosition> MarkAsync(this EventStore store) =>
        (await store.AppendAsync(NewStream(), ExpectedVersion.NoStream, [New("marker.v1")])).Position;

    /// <summary>
    /// Reads the log until at least <paramref name="count"/> events follow <paramref name="after"/>.
    /// Other test classes append concurrently, and an event is readable only once every
    /// older transaction in the cluster has finished, so a read right after an append
    /// may come back short for a moment.
    /// </summary>
    public static async Task<List<RecordedEvent>> ReadAllEventuallyAsync(
        this EventStore store, LogPosition after, int count, ReadAllOptions? options = null)
    {
        var read = new List<RecordedEvent>();
        await ConflictLedger.Testing.Eventually.TrueAsync(async () =>
        {
            read = await store.ReadAllAsync(after, options).ToListAsync();
            return read.Count >= count;
        }, $"{count} events after {after}");
        return read;
    }

    public static async Task<List<RecordedEvent>> ToListAsync(this IAsyncEnumerable<RecordedEvent> events)
    {
        var list = new List<RecordedEvent>();
        await foreach (var e in events) list.Add(e);
        return list;
    }
}
