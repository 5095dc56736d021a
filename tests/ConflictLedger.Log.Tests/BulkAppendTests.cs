using ConflictLedger.Log;
using ConflictLedger.Testing;

namespace ConflictLedger.EventStore.Tests;

public sealed class BulkAppendTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    private EventStore Store => db.Store;

    [Fact]
    public async Task bulk_import_appends_many_streams_after_their_current_versions()
    {
        var existing = TestEvents.NewStream();
        await Store.AppendAsync(existing, ExpectedVersion.NoStream, TestEvents.Many(2));
        var fresh = TestEvents.NewStream();
        var before = await Store.MarkAsync();
        var events = Enumerable.Range(0, 1000)
            .Select(i => new StreamEvent(i % 2 == 0 ? existing : fresh, TestEvents.New(n: i)))
            .ToArray();

        var result = await Store.BulkAppendAsync(events);

        Assert.Equal(502, await Store.StreamVersionAsync(existing));
        Assert.Equal(500, await Store.StreamVersionAsync(fresh));
        var read = await Store.ReadAllEventuallyAsync(before, events.Length);
        Assert.Equal(events.Select(e => e.Event.Id), read.Select(e => e.Id));
        Assert.Equal(result.Position, read[^1].Position);
        Assert.Equal(Enumerable.Range(3, 500).Select(v => (long)v), read.Where(e => e.StreamId == existing).Select(e => e.Version));
        // The ordinary append continues after the imported versions.
        var next = await Store.AppendAsync(fresh, ExpectedVersion.Exact(500), [TestEvents.New()]);
        Assert.Equal(501, next.NextExpectedVersion);
    }

    [Fact]
    public async Task bulk_import_with_a_known_event_id_imports_nothing()
    {
        var taken = TestEvents.New();
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [taken]);
        var stream = TestEvents.NewStream();
        var events = TestEvents.Many(50).Select(e => new StreamEvent(stream, e)).Append(new StreamEvent(stream, taken)).ToArray();

        await Assert.ThrowsAsync<DuplicateEventIdException>(() => Store.BulkAppendAsync(events));

        Assert.Equal(0, await Store.StreamVersionAsync(stream));
    }

    [Fact]
    public async Task bulk_import_refuses_bad_input_before_writing()
    {
        var stream = TestEvents.NewStream();
        var events = new[] { new StreamEvent(stream, TestEvents.New()), new StreamEvent(stream, new EventData(Guid.NewGuid(), "x.v1", "nope")) };
        var ex = await Assert.ThrowsAsync<InvalidAppendException>(() => Store.BulkAppendAsync(events));
        Assert.Contains("Event 1 data", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Store.StreamVersionAsync(stream));
        await Assert.ThrowsAsync<InvalidAppendException>(() => Store.BulkAppendAsync([]));
    }
}
