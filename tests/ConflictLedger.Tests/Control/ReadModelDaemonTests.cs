using ConflictLedger.Control;
using ConflictLedger.EventStore.Subscriptions;
using ConflictLedger.ReadModel;
using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Tests.Control;

public sealed class ReadModelDaemonTests : LedgerFixture
{
    private ReadModelDaemon Daemon(LogNotifications notifications, int batchSize = 5) => new(ReadModels, notifications)
    {
        Options = new SubscriptionOptions { BatchSize = batchSize, PollInterval = TimeSpan.FromMilliseconds(100), RetryDelay = TimeSpan.FromMilliseconds(20) },
        GenerationCheckInterval = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task a_daemon_killed_mid_stream_resumes_without_applying_an_event_twice_or_skipping_one()
    {
        await using var notifications = new LogNotifications(DataSource, Store.Options);
        notifications.Start();
        var import = await Importer.ImportEventsFolderAsync(EventsFolder);
        var target = (await Store.ResolveAsync(import.LastPosition!.Value))!.Value;

        // One event per batch, so the kill lands mid-stream.
        var first = Daemon(notifications, batchSize: 1);
        using (var stop = new CancellationTokenSource())
        {
            var running = first.RunAsync(stop.Token);
            await Eventually.TrueAsync(() => first.Position.Value > 0, "first batches");
            // Kill its connections mid-stream, then stop it.
            await using (var killer = TestDatabase.CreateDataSource("killer"))
            await using (var kill = killer.CreateCommand("select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1"))
            {
                kill.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "test-" + Schema });
                await kill.ExecuteScalarAsync();
            }
            DataSource.Clear();
            await stop.CancelAsync();
            await running;
        }
        Assert.True(first.Position < target, "the first run should stop before the end");

        var second = Daemon(notifications);
        using var stopSecond = new CancellationTokenSource();
        var resumed = second.RunAsync(stopSecond.Token);
        await second.WaitForAsync(target, TimeSpan.FromSeconds(30), CancellationToken.None);
        await stopSecond.CancelAsync();
        await resumed;

        // Claims have a primary key per (event, landmark): an event applied twice would
        // have failed its batch forever. The result equals a rebuild from scratch.
        var incremental = await ReadModelDump.ActiveAsync(this);
        await ReadModels.RebuildAsync();
        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
        var view = await new ControlQueries(ReadModels).OccurrenceAsync("derna-clashes-first-day");
        Assert.Equal(3, view!.Accounts.Count);
    }

    /// <summary>A daemon running until disposed, with its own LISTEN connection.</summary>
    private sealed class RunningDaemon : IAsyncDisposable
    {
        private readonly LogNotifications notifications;
        private readonly CancellationTokenSource stop = new();
        private readonly Task running;

        public RunningDaemon(ReadModelDaemonTests test)
        {
            notifications = new LogNotifications(test.DataSource, test.Store.Options);
            notifications.Start();
            Daemon = test.Daemon(notifications);
            running = Daemon.RunAsync(stop.Token);
        }

        public ReadModelDaemon Daemon { get; }

        public Task WaitForAsync(EventStore.LogPosition position) => Daemon.WaitForAsync(position, TimeSpan.FromSeconds(30), CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await running;
            await notifications.DisposeAsync();
            stop.Dispose();
        }
    }

    private async Task<EventStore.LogPosition> ImportSeedUnprojectedAsync()
    {
        var import = await Importer.ImportEventsFolderAsync(EventsFolder);
        return (await Store.ResolveAsync(import.LastPosition!.Value))!.Value;
    }

    [Fact]
    public async Task a_query_can_wait_until_its_own_write_is_projected()
    {
        await using var running = new RunningDaemon(this);
        var position = await ImportSeedUnprojectedAsync();
        await running.WaitForAsync(position);

        var answer = await new ControlQueries(ReadModels).AtAsync(new DateOnly(2015, 8, 1), null, "derna", null);
        Assert.True((await Store.ResolveAsync(answer.Position))!.Value >= position);
        Assert.Equal("mujahideen-shura-council", answer.Landmarks[0].Interval!.Controller);
        Assert.Equal(0, await running.Daemon.LagAsync());
    }

    [Fact]
    public async Task waiting_for_a_position_the_read_model_does_not_reach_times_out_clearly()
    {
        await using var notifications = new LogNotifications(DataSource, Store.Options);
        var idle = Daemon(notifications);
        var position = await ImportSeedUnprojectedAsync();

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => idle.WaitForAsync(position, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.Contains($"position {position}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_rebuild_answers_from_the_old_generation_until_it_swaps_and_the_daemon_follows()
    {
        await using var running = new RunningDaemon(this);
        var daemon = running.Daemon;
        await running.WaitForAsync(await ImportSeedUnprojectedAsync());
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
        await Eventually.TrueAsync(() => daemon.Generation == result.To, "daemon follows the new generation");

        // New events reach the new generation through the daemon.
        var more = await Importer.RecordAsync([new ConflictLedger.Importing.ImportedAccount("late-report", "late/1",
            new Occurrences.Account(Occurrences.OccurrenceKind.TerritoryTaken, new Occurrences.WorldTime(new DateOnly(2016, 1, 1), new DateOnly(2016, 1, 1), Occurrences.DatePrecision.Day),
                "pearl-hotel", [new Occurrences.ActorInRole("islamic-state", Occurrences.ActorRole.Gainer)], null, Occurrences.Firmness.Reported,
                new Occurrences.Source("Test", null, null, null, null, "quote")), "$")], [], [], "test");
        await running.WaitForAsync((await Store.ResolveAsync(more.LastPosition!.Value))!.Value);
        var pearl = await queries.AtAsync(new DateOnly(2016, 2, 1), null, "pearl-hotel", null);
        Assert.Equal("islamic-state", pearl.Landmarks[0].Interval!.Controller);
    }
}
