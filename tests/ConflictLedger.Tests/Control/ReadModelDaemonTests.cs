using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.ReadModel;
using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Tests.Control;

public sealed class ReadModelDaemonTests : LedgerFixture
{
    [Fact]
    public async Task a_daemon_whose_connections_are_killed_mid_stream_and_a_new_daemon_resume_without_applying_an_event_twice_or_skipping_one()
    {
        var target = await ImportSeedUnprojectedAsync();

        await using (var first = new ReadModelDaemon(ReadModels))
        {
            await first.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => first.Position.Value > 0, "first batches");
            await using (var killer = TestDatabase.CreateDataSource("killer"))
            await using (var kill = killer.CreateCommand("select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1"))
            {
                kill.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "test-" + Schema });
                await kill.ExecuteScalarAsync();
            }
            DataSource.Clear();
        }

        await using (var second = new ReadModelDaemon(ReadModels))
        {
            await second.StartAsync(CancellationToken.None);
            await second.WaitForAsync(target, TimeSpan.FromSeconds(30), CancellationToken.None);
        }

        // Claims have a primary key per (event, landmark): an event applied twice would
        // have failed its batch forever. The result equals a rebuild from scratch.
        var incremental = await ReadModelDump.ActiveAsync(this);
        await ReadModels.RebuildAsync();
        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
        var view = await new ControlQueries(ReadModels).OccurrenceAsync("derna-clashes-first-day");
        Assert.Equal(3, view!.Accounts.Count);
    }

    /// <summary>The read model daemon running in this process until disposed.</summary>
    private async Task<ReadModelDaemon> RunningDaemonAsync()
    {
        var daemon = new ReadModelDaemon(ReadModels);
        await daemon.StartAsync(CancellationToken.None);
        return daemon;
    }

    private async Task<LogPosition> ImportSeedUnprojectedAsync()
    {
        var import = await Importer.ImportEventsFolderAsync(EventsFolder);
        return (await Store.ResolveAsync(import.LastPosition!.Value))!.Value;
    }

    [Fact]
    public async Task a_query_can_wait_until_its_own_write_is_projected()
    {
        await using var running = await RunningDaemonAsync();
        var position = await ImportSeedUnprojectedAsync();
        await running.WaitForAsync(position, TimeSpan.FromSeconds(30), CancellationToken.None);

        var answer = await new ControlQueries(ReadModels).AtAsync(new DateOnly(2015, 8, 1), null, "derna", null);
        Assert.True((await Store.ResolveAsync(answer.Position))!.Value >= position);
        Assert.Equal("mujahideen-shura-council", answer.Landmarks[0].Interval!.Controller);
        Assert.Equal(0, await running.LagAsync());
    }

    [Fact]
    public async Task waiting_for_a_position_the_read_model_does_not_reach_times_out_clearly()
    {
        await using var idle = new ReadModelDaemon(ReadModels);
        var position = await ImportSeedUnprojectedAsync();

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => idle.WaitForAsync(position, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.Contains($"position {position}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_rebuild_answers_from_the_old_generation_until_it_swaps_and_the_daemon_follows()
    {
        await using var daemon = await RunningDaemonAsync();
        await daemon.WaitForAsync(await ImportSeedUnprojectedAsync(), TimeSpan.FromSeconds(30), CancellationToken.None);
        var before = await ReadModelDump.ActiveAsync(this);
        var oldGeneration = await ReadModels.ActiveSchemaAsync();
        var queries = new ControlQueries(ReadModels);

        var rebuild = ReadModels.RebuildAsync();
        while (!rebuild.IsCompleted)
        {
            var answer = await queries.AtAsync(new DateOnly(2015, 8, 1), null, "derna", null);
            Assert.Equal("mujahideen-shura-council", answer.Landmarks[0].Interval!.Controller);
        }
        var result = await rebuild;

        Assert.Equal(oldGeneration, result.From);
        Assert.NotEqual(oldGeneration, await ReadModels.ActiveSchemaAsync());
        Assert.Equal(before, await ReadModelDump.ActiveAsync(this));

        // New events reach the new generation through the daemon.
        var more = await Importer.RecordAsync([new ConflictLedger.Importing.ImportedAccount("late-report", "late/1",
            new Occurrences.Account(Occurrences.OccurrenceKind.TerritoryTaken, new Occurrences.WorldTime(new DateOnly(2016, 1, 1), new DateOnly(2016, 1, 1), Occurrences.DatePrecision.Day),
                "pearl-hotel", [new Occurrences.ActorInRole("islamic-state", Occurrences.ActorRole.Gainer)], null, Occurrences.Firmness.Reported,
                new Occurrences.Source("Test", null, null, null, null, "quote")), "$")], [], [], "test");
        await daemon.WaitForAsync((await Store.ResolveAsync(more.LastPosition!.Value))!.Value, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(result.To, daemon.Generation);
        var pearl = await queries.AtAsync(new DateOnly(2016, 2, 1), null, "pearl-hotel", null);
        Assert.Equal("islamic-state", pearl.Landmarks[0].Interval!.Controller);
    }
}
