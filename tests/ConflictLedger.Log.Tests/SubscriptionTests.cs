using ConflictLedger.Log;
using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.EventStore.Tests;

public sealed class SubscriptionTests : StoreFixture
{
    private string HandledTable => $"\"{Schema}\".handled";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var create = DataSource.CreateCommand($"create table {HandledTable} (subscription text, event_id uuid, primary key (subscription, event_id))");
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>A handler that records each event in the same transaction as the checkpoint; the primary key catches a repeat.</summary>
    private BatchHandler Recording(string subscription, Func<IReadOnlyList<RecordedEvent>, Task>? before = null) =>
        async (batch, tx, ct) =>
        {
            if (before is not null) await before(batch);
            await using var insert = new NpgsqlCommand($"insert into {HandledTable} select $1, unnest($2::uuid[])", tx.Connection, tx);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription });
            insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = batch.Select(e => e.Id).ToArray() });
            await insert.ExecuteNonQueryAsync(ct);
        };

    private async Task<long> HandledCount(string subscription)
    {
        await using var count = DataSource.CreateCommand($"select count(*) from {HandledTable} where subscription = $1");
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription });
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task<int> AppendMany(int streams, int perStream)
    {
        for (var i = 0; i < streams; i++)
            await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Many(perStream));
        return streams * perStream;
    }

    private static SubscriptionOptions Fast => new() { BatchSize = 25, PollInterval = TimeSpan.FromMilliseconds(100), RetryDelay = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task a_subscription_handles_every_event_once_and_resumes_after_restart()
    {
        await using var notifications = new LogNotifications(DataSource, Store.Options);
        notifications.Start();
        var total = await AppendMany(10, 10);

        using (var firstRun = new CancellationTokenSource())
        {
            var runner = new SubscriptionRunner(Store, notifications, "resume", Recording("resume"), Fast);
            var running = runner.RunAsync(firstRun.Token);
            await Eventually.TrueAsync(async () => await HandledCount("resume") >= 40, "first batches");
            await firstRun.CancelAsync();
            await running;
        }
        var stoppedAt = await HandledCount("resume");
        total += await AppendMany(5, 10);

        using var secondRun = new CancellationTokenSource();
        var again = new SubscriptionRunner(Store, notifications, "resume", Recording("resume"), Fast);
        var second = again.RunAsync(secondRun.Token);
        await Eventually.TrueAsync(async () => await HandledCount("resume") >= total, "all events handled");
        await secondRun.CancelAsync();
        await second;

        Assert.True(stoppedAt < total);
        Assert.Equal(total, await HandledCount("resume"));
        Assert.Equal(0, again.FailedBatches);
        Assert.Equal(await Store.HeadAsync(), (await Store.Checkpoints.ListAsync()).Single(c => c.Name == "resume").Position);
    }

    [Fact]
    public async Task a_failed_batch_rolls_back_its_writes_and_is_retried()
    {
        await using var notifications = new LogNotifications(DataSource, Store.Options);
        notifications.Start();
        var total = await AppendMany(4, 10);
        var failures = 0;
        var runner = new SubscriptionRunner(Store, notifications, "flaky", Recording("flaky", batch =>
            Interlocked.Increment(ref failures) <= 3 ? throw new InvalidOperationException("handler failed") : Task.CompletedTask), Fast);

        using var cts = new CancellationTokenSource();
        var running = runner.RunAsync(cts.Token);
        await Eventually.TrueAsync(async () => await HandledCount("flaky") >= total, "all events handled");
        await cts.CancelAsync();
        await running;

        Assert.Equal(3, runner.FailedBatches);
        Assert.Equal(total, await HandledCount("flaky"));
    }

    [Fact]
    public async Task two_runners_of_one_subscription_never_handle_an_event_twice()
    {
        await using var notifications = new LogNotifications(DataSource, Store.Options);
        notifications.Start();
        var total = await AppendMany(20, 10);
        var options = Fast with { BatchSize = 7 };
        var a = new SubscriptionRunner(Store, notifications, "pair", Recording("pair"), options);
        var b = new SubscriptionRunner(Store, notifications, "pair", Recording("pair"), options);

        using var cts = new CancellationTokenSource();
        var running = Task.WhenAll(a.RunAsync(cts.Token), b.RunAsync(cts.Token));
        await Eventually.TrueAsync(async () => await HandledCount("pair") >= total, "all events handled");
        await cts.CancelAsync();
        await running;

        // A repeat would have hit the primary key; the count proves nothing was skipped.
        Assert.Equal(total, await HandledCount("pair"));
    }

    [Fact]
    public async Task a_notification_wakes_the_runner_without_waiting_for_the_poll()
    {
        await using var notifications = new LogNotifications(DataSource, Store.Options);
        notifications.Start();
        await Eventually.TrueAsync(() => notifications.IsListening, "listening");
        var runner = new SubscriptionRunner(Store, notifications, "wake", Recording("wake"), Fast with { PollInterval = TimeSpan.FromHours(1) });
        using var cts = new CancellationTokenSource();
        var running = runner.RunAsync(cts.Token);
        var before = await HandledCount("wake");

        await AppendMany(1, 3);

        await Eventually.TrueAsync(async () => await HandledCount("wake") >= before + 3, "woken by NOTIFY", TimeSpan.FromSeconds(20));
        await cts.CancelAsync();
        await running;
    }

    [Fact]
    public async Task the_runner_survives_its_connections_being_dropped()
    {
        await using var notifications = new LogNotifications(DataSource, Store.Options);
        notifications.Start();
        var runner = new SubscriptionRunner(Store, notifications, "dropped", Recording("dropped"), Fast);
        using var cts = new CancellationTokenSource();
        var running = runner.RunAsync(cts.Token);
        var total = await AppendMany(2, 5);
        await Eventually.TrueAsync(async () => await HandledCount("dropped") >= total, "first events");
        var before = notifications.Reconnects;

        await using (var kill = TestDatabase.CreateDataSource("killer"))
        await using (var terminate = kill.CreateCommand("select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()"))
        {
            terminate.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "test-" + Schema });
            Assert.True((long)(await terminate.ExecuteScalarAsync())! > 0);
        }
        // Idle pooled connections died too; the test's own appends should not trip on them.
        DataSource.Clear();
        total += await AppendMany(3, 5);

        await Eventually.TrueAsync(async () => await HandledCount("dropped") >= total, "events after the drop");
        await Eventually.TrueAsync(() => notifications.Reconnects > before && notifications.IsListening, "listener reconnected");
        await cts.CancelAsync();
        await running;
        Assert.Equal(total, await HandledCount("dropped"));
    }
}
