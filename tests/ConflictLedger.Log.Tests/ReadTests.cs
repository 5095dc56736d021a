using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.Testing;

namespace ConflictLedger.Log.Tests;

public sealed class ReadTests(ReadTests.SmallPagesFixture db) : IClassFixture<ReadTests.SmallPagesFixture>
{
    /// <summary>Pages of 7 rows, so every read here crosses page boundaries.</summary>
    public sealed class SmallPagesFixture : StoreFixture
    {
        protected override LogOptions CreateOptions() => new(Schema) { ReadPageSize = 7 };
    }

    private LedgerLog Store => db.Store;

    [Fact]
    public async Task a_stream_reads_from_a_version()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Many(5));
        var tail = await Store.ReadStreamAsync(stream, fromVersion: 4).ToListAsync();
        Assert.Equal([4L, 5L], tail.Select(e => e.Version));
    }

    [Fact]
    public async Task the_log_after_a_position_returns_every_later_event_once_in_order()
    {
        var before = await Store.MarkAsync();
        var appended = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var events = TestEvents.Many(4);
            await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, events);
            appended.AddRange(events.Select(e => e.Id));
        }

        var read = await Store.ReadAllAsync(before).ToListAsync();

        Assert.Equal(appended, read.Where(e => appended.Contains(e.Id)).Select(e => e.Id));
        Assert.Equal(read.Count, read.Select(e => e.Id).Distinct().Count());
        Assert.True(read.Zip(read.Skip(1)).All(p => p.First.Position < p.Second.Position));
    }

    [Fact]
    public async Task the_log_can_be_filtered_by_event_type()
    {
        var before = await Store.MarkAsync();
        var stream = TestEvents.NewStream();
        var wanted = Enumerable.Range(0, 9).Select(n => LedgerTestEvents.Report(n: n, kind: OccurrenceKind.Protest)).ToArray();
        await Store.AppendAsync(stream, ExpectedVersion.Any, TestEvents.Many(10));
        await Store.AppendAsync(stream, ExpectedVersion.Any, wanted);
        await Store.AppendAsync(stream, ExpectedVersion.Any, TestEvents.Many(10));

        var read = await Store.ReadAllAsync(before, new ReadAllOptions { Types = ["protest-reported.v1"] }).ToListAsync();

        Assert.Equal(wanted.Select(e => e.Id), read.Select(e => e.Id));
    }

    [Fact]
    public async Task a_limit_stops_the_read_and_the_last_position_continues_it()
    {
        var before = await Store.MarkAsync();
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Many(20));

        var first = await Store.ReadAllAsync(before, new ReadAllOptions { Limit = 12 }).ToListAsync();
        var rest = await Store.ReadAllAsync(first[^1].Position).ToListAsync();

        Assert.Equal(12, first.Count);
        Assert.Equal(20, first.Concat(rest).Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task a_shown_position_resolves_to_its_place_in_the_log()
    {
        var result = await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Many(2));
        Assert.Equal(result.Position, await Store.ResolveAsync(result.Position.Value));
        Assert.Equal(LogPosition.Start, await Store.ResolveAsync(0));
        Assert.Null(await Store.ResolveAsync(long.MaxValue));
    }
}
