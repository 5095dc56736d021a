using ConflictLedger.Testing;

namespace ConflictLedger.Log.Tests;

public sealed class GlobalOrderTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    private LedgerLog Store => db.Store;

    [Fact]
    public async Task an_append_waits_for_an_open_one_so_no_number_commits_after_a_higher_one()
    {
        var start = await Store.MarkAsync();
        await using var slow = await Store.BeginAsync();
        var early = await slow.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [TestEvents.New()]);

        // The second writer queues on the append lock instead of drawing a number past the open one.
        var late = Task.Run(() => Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [TestEvents.New()]));
        await Eventually.TrueAsync(() => AppendLockWaitersAsync(), "the second append waits for the lock");
        Assert.False(late.IsCompleted);
        Assert.Empty(await Store.ReadAllAsync(start).ToListAsync());

        await slow.CommitAsync();
        var second = await late;

        Assert.True(early.Position < second.Position);
        Assert.Equal([early.Position, second.Position], (await Store.ReadAllAsync(start).ToListAsync()).Select(e => e.Position));
    }

    [Fact]
    public async Task a_tailing_reader_sees_every_event_of_concurrent_writers_exactly_once_in_one_order()
    {
        var start = await Store.MarkAsync();
        var writers = new ConcurrentWriters(Store, db.Schema);
        var seen = new List<RecordedEvent>();
        var writing = writers.RunAsync();

        var position = start;
        while (true)
        {
            var finished = writing.IsCompleted;
            await foreach (var e in Store.ReadAllAsync(position))
            {
                seen.Add(e);
                position = e.Position;
            }
            // One more read after the writers finished picks up their last commits.
            if (finished) break;
        }
        await writing;

        Assert.True(writers.Committed.Count > 1500, $"only {writers.Committed.Count} events committed");
        Assert.NotEmpty(writers.RolledBack);
        Assert.Equal(seen.Count, seen.Select(e => e.Id).Distinct().Count());
        Assert.Equal(writers.Committed.Order(), seen.Select(e => e.Id).Order());
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Position < p.Second.Position), "positions out of order");
        // A second reader from the same start sees the same order.
        Assert.Equal(seen.Select(e => e.Id), (await Store.ReadAllAsync(start).ToListAsync()).Select(e => e.Id));
    }

    private async Task<bool> AppendLockWaitersAsync()
    {
        await using var command = db.DataSource.CreateCommand("select count(*) from pg_locks where locktype = 'advisory' and classid = 1129 and not granted");
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }
}
