using ConflictLedger.Log;
using System.Collections.Concurrent;
using ConflictLedger.Testing;

namespace ConflictLedger.EventStore.Tests;

public sealed class GlobalOrderTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    private EventStore Store => db.Store;

    [Fact]
    public async Task an_event_that_commits_late_with_a_lower_number_is_not_skipped()
    {
        var start = await Store.MarkAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var slow = await connection.BeginTransactionAsync();
        var early = await Store.AppendAsync(connection, slow, TestEvents.NewStream(), ExpectedVersion.NoStream, [TestEvents.New()]);
        var late = await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [TestEvents.New()]);
        Assert.True(early.Position.Value < late.Position.Value);

        // While the slow transaction is open, readers stop before it instead of passing it.
        Assert.Empty(await Store.ReadAllAsync(start).ToListAsync());

        await slow.CommitAsync();
        var read = await Store.ReadAllEventuallyAsync(start, 2);
        Assert.Equal([early.Position, late.Position], read.Select(e => e.Position));
    }

    [Fact]
    public async Task a_tailing_reader_sees_every_event_of_concurrent_writers_exactly_once()
    {
        const int writers = 8;
        const int appendsPerWriter = 150;
        var start = await Store.MarkAsync();
        var committed = new ConcurrentBag<Guid>();
        var seen = new List<RecordedEvent>();
        using var done = new CancellationTokenSource();

        var reader = Task.Run(async () =>
        {
            var position = start;
            var deadline = DateTime.MaxValue;
            // Tails until the writers are done and everything they committed has been seen
            // (other test classes may hold the read horizon back for a moment).
            while (!done.IsCancellationRequested || seen.Count < committed.Count)
            {
                if (done.IsCancellationRequested && deadline == DateTime.MaxValue) deadline = DateTime.UtcNow.AddSeconds(30);
                if (DateTime.UtcNow > deadline) return;
                await foreach (var e in Store.ReadAllAsync(position))
                {
                    seen.Add(e);
                    position = e.Position;
                }
            }
        });

        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < appendsPerWriter; i++)
            {
                var events = TestEvents.Many(1 + random.Next(4));
                var stream = $"w{w}-{random.Next(20)}-{db.Schema}";
                if (i % 25 == 0)
                {
                    // Hold a transaction open after its events got their numbers, so later
                    // numbers commit first.
                    await using var connection = await db.DataSource.OpenConnectionAsync();
                    await using var tx = await connection.BeginTransactionAsync();
                    await Store.AppendAsync(connection, tx, stream, ExpectedVersion.Any, events);
                    await Task.Delay(random.Next(20, 80));
                    if (i % 50 == 0)
                    {
                        await tx.RollbackAsync();
                        continue;
                    }
                    await tx.CommitAsync();
                }
                else
                {
                    await Store.AppendAsync(stream, ExpectedVersion.Any, events);
                }
                foreach (var e in events) committed.Add(e.Id);
            }
        })).ToArray();

        await Task.WhenAll(writing);
        await done.CancelAsync();
        await reader;

        var mine = seen.Where(e => e.StreamId.EndsWith(db.Schema, StringComparison.Ordinal)).ToList();
        Assert.True(committed.Count > 2000, $"only {committed.Count} events committed");
        Assert.Equal(mine.Count, mine.Select(e => e.Id).Distinct().Count());
        Assert.Equal(committed.OrderBy(id => id), mine.Select(e => e.Id).OrderBy(id => id));
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Position < p.Second.Position), "positions out of order");

        // A second reader from the same start sees the same order.
        var again = await Store.ReadAllEventuallyAsync(start, seen.Count);
        Assert.Equal(seen.Select(e => e.Id), again.Select(e => e.Id));
    }
}
