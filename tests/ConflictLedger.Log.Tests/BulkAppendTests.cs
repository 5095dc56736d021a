using ConflictLedger.Testing;

namespace ConflictLedger.Log.Tests;

public sealed class BulkAppendTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    private LedgerLog Store => db.Store;

    [Fact]
    public async Task bulk_import_starts_many_streams_in_one_transaction_in_order()
    {
        var before = await Store.MarkAsync();
        var streams = Enumerable.Range(0, 20).Select(_ => (TestEvents.NewStream(), (IReadOnlyList<EventData>)TestEvents.Many(50))).ToList();

        await using (var append = await Store.BeginAsync())
        {
            var result = await append.BulkStartStreamsAsync(streams);
            await append.CommitAsync();
            Assert.Equal(await Store.HeadAsync(), result.Position);
        }

        var read = await Store.ReadAllAsync(before).ToListAsync();
        Assert.Equal(streams.SelectMany(s => s.Item2).Select(e => e.Id), read.Select(e => e.Id));
        Assert.All(streams, s => Assert.Equal(Enumerable.Range(1, 50).Select(v => (long)v), read.Where(e => e.StreamId == s.Item1).Select(e => e.Version)));
        Assert.Equal(LedgerTestEvents.Clash, read[0].Type);
        Assert.Contains("\"source\": \"test\"", read[0].Metadata, StringComparison.Ordinal);
        // The ordinary append continues after the imported versions.
        var next = await Store.AppendAsync(streams[0].Item1, ExpectedVersion.Exact(50), [TestEvents.New()]);
        Assert.Equal(51, next.NextExpectedVersion);
    }

    [Fact]
    public async Task bulk_import_takes_the_server_clock()
    {
        var stream = TestEvents.NewStream();
        await using (var append = await Store.BeginAsync())
        {
            await append.BulkStartStreamsAsync([(stream, TestEvents.Many(2))]);
            await append.CommitAsync();
        }
        await using var now = db.DataSource.CreateCommand("select now()");
        var serverNow = (DateTime)(await now.ExecuteScalarAsync())!;
        Assert.All(await Store.ReadStreamAsync(stream).ToListAsync(), e => Assert.InRange(e.RecordedAt.UtcDateTime, serverNow.AddMinutes(-1), serverNow.AddSeconds(1)));
    }

    [Fact]
    public async Task bulk_import_into_an_existing_stream_imports_nothing()
    {
        var existing = TestEvents.NewStream();
        await Store.AppendAsync(existing, ExpectedVersion.NoStream, [TestEvents.New()]);
        var fresh = TestEvents.NewStream();

        await using var append = await Store.BeginAsync();
        var ex = await Assert.ThrowsAsync<StreamsExistException>(() => append.BulkStartStreamsAsync([(fresh, TestEvents.Many(3)), (existing, TestEvents.Many(3))]));

        Assert.Contains(existing, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Store.StreamVersionAsync(fresh));
        Assert.Equal(1, await Store.StreamVersionAsync(existing));
    }

    [Fact]
    public async Task bulk_import_refuses_bad_input_before_writing()
    {
        var stream = TestEvents.NewStream();
        await using var append = await Store.BeginAsync();
        var ex = await Assert.ThrowsAsync<InvalidAppendException>(() =>
            append.BulkStartStreamsAsync([(stream, [TestEvents.New(), new EventData(Guid.NewGuid(), LedgerTestEvents.Clash, "nope")])]));
        Assert.Contains("Event 1 data", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Store.StreamVersionAsync(stream));
        await Assert.ThrowsAsync<InvalidAppendException>(() => append.BulkStartStreamsAsync([(stream, [])]));
    }

    [Fact]
    public async Task data_that_does_not_fit_its_type_stops_the_import_midway_and_nothing_is_imported()
    {
        var (first, second) = (TestEvents.NewStream(), TestEvents.NewStream());
        await using (var append = await Store.BeginAsync())
        {
            var ex = await Assert.ThrowsAsync<InvalidAppendException>(() => append.BulkStartStreamsAsync(
                [(first, TestEvents.Many(3)), (second, [TestEvents.New(), new EventData(Guid.NewGuid(), LedgerTestEvents.Clash, """{"occurrenceId": 5}""")])]));
            Assert.Contains("Event 4", ex.Message, StringComparison.Ordinal);
        }
        Assert.Equal((0L, 0L), (await Store.StreamVersionAsync(first), await Store.StreamVersionAsync(second)));
    }

    [Fact]
    public async Task a_bulk_import_and_appends_in_one_transaction_commit_together_or_not_at_all()
    {
        var (appended, bulk, later) = (TestEvents.NewStream(), TestEvents.NewStream(), TestEvents.NewStream());
        await using (var append = await Store.BeginAsync())
        {
            await append.AppendAsync(appended, ExpectedVersion.NoStream, [TestEvents.New()]);
            await append.BulkStartStreamsAsync([(bulk, TestEvents.Many(2))]);
            // Disposed without committing: the import goes with the append.
        }
        Assert.Equal((0L, 0L), (await Store.StreamVersionAsync(appended), await Store.StreamVersionAsync(bulk)));

        var before = await Store.MarkAsync();
        await using (var append = await Store.BeginAsync())
        {
            await append.AppendAsync(appended, ExpectedVersion.NoStream, [TestEvents.New()]);
            await append.BulkStartStreamsAsync([(bulk, TestEvents.Many(2))]);
            await append.AppendAsync(later, ExpectedVersion.NoStream, [TestEvents.New()]);
            await append.CommitAsync();
        }
        // One order: the transaction's events follow each other in the log as they were written.
        Assert.Equal([appended, bulk, bulk, later], (await Store.ReadAllAsync(before).ToListAsync()).Select(e => e.StreamId));
    }

    [Fact]
    public async Task a_bulk_import_that_repeats_an_event_id_of_the_log_imports_nothing()
    {
        var existing = TestEvents.New();
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [existing]);
        var fresh = TestEvents.NewStream();

        await using (var append = await Store.BeginAsync())
        {
            var ex = await Assert.ThrowsAsync<DuplicateEventIdException>(() => append.BulkStartStreamsAsync([(fresh, [TestEvents.New(), existing])]));
            Assert.Contains(existing.Id.ToString(), ex.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, await Store.StreamVersionAsync(fresh));
    }
}
