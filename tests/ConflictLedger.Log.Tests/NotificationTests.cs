using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Log.Tests;

public sealed class NotificationTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task a_committed_append_wakes_a_waiter()
    {
        await using var notifications = new LogNotifications(db.DataSource, db.Store.Options);
        notifications.Start();
        await Eventually.TrueAsync(() => notifications.IsListening, "listening");
        var next = notifications.NextAsync();

        await db.Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [TestEvents.New()]);

        Assert.True(await LogNotifications.WaitAsync(next, TimeSpan.FromSeconds(20), CancellationToken.None));
    }

    [Fact]
    public async Task the_listener_reconnects_after_its_connection_is_killed_and_wakes_waiters_again()
    {
        await using var notifications = new LogNotifications(db.DataSource, db.Store.Options);
        notifications.Start();
        await Eventually.TrueAsync(() => notifications.IsListening, "listening");
        var before = notifications.Reconnects;

        await using (var killer = TestDatabase.CreateDataSource("killer"))
        await using (var terminate = killer.CreateCommand("select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1 and query like 'listen%'"))
        {
            terminate.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "test-" + db.Schema });
            Assert.True((long)(await terminate.ExecuteScalarAsync())! > 0);
        }
        await Eventually.TrueAsync(() => notifications.Reconnects > before && notifications.IsListening, "listener reconnected");
        var next = notifications.NextAsync();
        db.DataSource.Clear();
        await db.Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [TestEvents.New()]);

        Assert.True(await LogNotifications.WaitAsync(next, TimeSpan.FromSeconds(20), CancellationToken.None));
    }
}
