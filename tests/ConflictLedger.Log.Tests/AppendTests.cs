using ConflictLedger.Log;
using System.Text.Json;
using ConflictLedger.Testing;

namespace ConflictLedger.Log.Tests;

public sealed class AppendTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    private LedgerLog Store => db.Store;

    [Fact]
    public async Task appending_to_a_new_stream_numbers_its_events_from_one()
    {
        var stream = TestEvents.NewStream();
        var result = await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Many(3));

        Assert.Equal(3, result.NextExpectedVersion);
        Assert.False(result.AlreadyAppended);
        var events = await Store.ReadStreamAsync(stream).ToListAsync();
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Version));
        Assert.Equal(result.Position, events[^1].Position);
    }

    [Fact]
    public async Task should_not_append_events_when_unexpected_max_version()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Many(2));

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            Store.AppendAsync(stream, ExpectedVersion.Exact(1), [TestEvents.New()]));

        Assert.Equal(ExpectedVersion.Exact(1), ex.Expected);
        Assert.Equal(2, ex.ActualVersion);
        Assert.Equal(2, await Store.StreamVersionAsync(stream));
    }

    [Fact]
    public async Task no_stream_is_refused_when_the_stream_exists()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.Any, [TestEvents.New()]);

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            Store.AppendAsync(stream, ExpectedVersion.NoStream, [TestEvents.New()]));
        Assert.Equal(1, ex.ActualVersion);
        Assert.Equal(ExpectedVersion.NoStream, ex.Expected);
    }

    [Fact]
    public async Task exact_version_on_a_missing_stream_is_refused()
    {
        var ex = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.Exact(4), [TestEvents.New()]));
        Assert.Equal(0, ex.ActualVersion);
    }

    [Fact]
    public async Task any_appends_after_whatever_is_there()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.Any, TestEvents.Many(2));
        var result = await Store.AppendAsync(stream, ExpectedVersion.Any, TestEvents.Many(2));
        Assert.Equal(4, result.NextExpectedVersion);
    }

    [Fact]
    public async Task exact_version_appends_when_it_matches()
    {
        var stream = TestEvents.NewStream();
        var first = await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Many(2));
        var second = await Store.AppendAsync(stream, ExpectedVersion.Exact(first.NextExpectedVersion), [TestEvents.New()]);
        Assert.Equal(3, second.NextExpectedVersion);
        Assert.True(second.Position > first.Position);
    }

    [Fact]
    public async Task resending_the_same_append_returns_the_original_result_and_writes_nothing()
    {
        var stream = TestEvents.NewStream();
        var events = TestEvents.Many(3);
        var first = await Store.AppendAsync(stream, ExpectedVersion.NoStream, events);
        await Store.AppendAsync(stream, ExpectedVersion.Any, [TestEvents.New()]);

        var retry = await Store.AppendAsync(stream, ExpectedVersion.NoStream, events);

        Assert.True(retry.AlreadyAppended);
        Assert.Equal(first.NextExpectedVersion, retry.NextExpectedVersion);
        Assert.Equal(first.Position, retry.Position);
        Assert.Equal(4, (await Store.ReadStreamAsync(stream).ToListAsync()).Count);
    }

    [Fact]
    public async Task an_append_reusing_some_ids_of_another_append_writes_nothing()
    {
        var taken = TestEvents.New();
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [taken]);
        var stream = TestEvents.NewStream();

        await Assert.ThrowsAsync<DuplicateEventIdException>(() =>
            Store.AppendAsync(stream, ExpectedVersion.Any, [TestEvents.New(), taken]));

        Assert.Equal(0, await Store.StreamVersionAsync(stream));
        Assert.Empty(await Store.ReadStreamAsync(stream).ToListAsync());
    }

    [Fact]
    public async Task racing_writers_on_one_version_produce_exactly_one_winner()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, [TestEvents.New()]);

        var attempts = Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await Store.AppendAsync(stream, ExpectedVersion.Exact(1), [TestEvents.New()]);
                return true;
            }
            catch (ConcurrencyException)
            {
                return false;
            }
        }).ToArray();

        Assert.Equal(1, (await Task.WhenAll(attempts)).Count(won => won));
        Assert.Equal(2, await Store.StreamVersionAsync(stream));
    }

    [Fact]
    public async Task racing_creators_of_a_new_stream_produce_exactly_one_winner()
    {
        var stream = TestEvents.NewStream();
        var attempts = Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await Store.AppendAsync(stream, ExpectedVersion.NoStream, [TestEvents.New()]);
                return true;
            }
            catch (ConcurrencyException)
            {
                return false;
            }
        }).ToArray();

        Assert.Equal(1, (await Task.WhenAll(attempts)).Count(won => won));
    }

    [Fact]
    public async Task data_and_metadata_are_kept_as_json_with_a_server_timestamp()
    {
        var stream = TestEvents.NewStream();
        var e = LedgerTestEvents.Report(metadata: """{"source": "Reuters", "correlationId": "abc", "causationId": "def"}""");
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, [e]);

        await using var now = db.DataSource.CreateCommand("select now()");
        var serverNow = (DateTime)(await now.ExecuteScalarAsync())!;
        var read = Assert.Single(await Store.ReadStreamAsync(stream).ToListAsync());
        Assert.Equal(e.Id, read.Id);
        Assert.Equal(LedgerTestEvents.Clash, read.Type);
        using (var stored = JsonDocument.Parse(read.Data))
        using (var sent = JsonDocument.Parse(e.Data))
            Assert.True(JsonElement.DeepEquals(sent.RootElement, stored.RootElement), read.Data);
        Assert.Contains("\"correlationId\": \"abc\"", read.Metadata, StringComparison.Ordinal);
        // Marten's own columns carry the correlation and causation ids too.
        await using var columns = db.DataSource.CreateCommand($"select correlation_id, causation_id, type, mt_dotnet_type from \"{db.Schema}\".mt_events where id = $1");
        columns.Parameters.AddWithValue(e.Id);
        await using var reader = await columns.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("abc", "def", LedgerTestEvents.Clash), (reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        Assert.Equal("ConflictLedger.Occurrences.AccountReported, ConflictLedger", reader.GetString(3));
        // Marten reads back what the ledger's append function wrote, as the record and with the metadata.
        await using var session = Store.Store.QuerySession();
        var fetched = Assert.Single(await session.Events.FetchStreamAsync(stream));
        Assert.IsType<ConflictLedger.Occurrences.AccountReported>(fetched.Data);
        Assert.Equal((e.Id, 1L, "abc", "def"), (fetched.Id, fetched.Version, fetched.CorrelationId, fetched.CausationId));
        Assert.InRange(read.RecordedAt.UtcDateTime, serverNow.AddMinutes(-1), serverNow.AddSeconds(1));
    }

    [Fact]
    public async Task appends_of_a_transaction_that_is_not_committed_are_all_rolled_back()
    {
        var stream = TestEvents.NewStream();
        var other = TestEvents.NewStream();
        await using (var append = await Store.BeginAsync())
        {
            await append.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Many(2));
            await append.AppendAsync(other, ExpectedVersion.NoStream, TestEvents.Many(1));
            // Disposed without committing.
        }
        Assert.Equal(0, await Store.StreamVersionAsync(stream));
        Assert.Equal(0, await Store.StreamVersionAsync(other));
    }
}

public sealed class ResendUnderConcurrencyTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task the_same_append_sent_eight_times_at_once_is_written_once_and_every_sender_gets_the_first_result()
    {
        var stream = TestEvents.NewStream();
        var events = TestEvents.Many(2);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => db.Store.AppendAsync(stream, ExpectedVersion.NoStream, events))));

        Assert.Equal(1, results.Count(r => !r.AlreadyAppended));
        Assert.Single(results.Select(r => (r.NextExpectedVersion, r.Position)).Distinct());
        Assert.Equal(2, (await db.Store.ReadStreamAsync(stream).ToListAsync()).Count);
    }
}
