using JasperFx.Events.Daemon;
using Npgsql;

namespace ConflictLedger.Log.Tests;

/// <summary>
/// Once the ledger's Marten is configured, a read model shard cut by a database restart is
/// classified transient, so that Wolverine restarts it once the database is back; a shard broken
/// by the schema is not. The classifier is process-wide: run alone, these tests fail if the
/// configuration stops registering it.
/// </summary>
public sealed class DaemonFailuresTests
{
    public DaemonFailuresTests() => LedgerMarten.Configure(new Marten.StoreOptions(), new LogOptions("daemon_failures_tests"));

    private static bool IsTransient(Exception exception) => ShardFailure.For(exception, DateTimeOffset.UtcNow).IsTransient;

    [Fact]
    public void the_cancelled_load_that_follows_a_batch_cut_by_a_restart_is_transient() =>
        // What the shard recorded when its read model stalled after an outage: "Other: A task was canceled."
        Assert.True(IsTransient(new TaskCanceledException()));

    [Fact]
    public void a_batch_cut_by_a_server_shutting_down_or_starting_is_transient_even_wrapped()
    {
        foreach (var state in new[] { "57P01", "57P02", "57P03" })
            Assert.True(IsTransient(new InvalidOperationException("Marten Command Failure", new PostgresException("terminating connection", "FATAL", "FATAL", state))), state);
    }

    [Fact]
    public void a_missing_column_still_needs_an_operator() =>
        Assert.False(IsTransient(new InvalidOperationException("Marten Command Failure", new PostgresException("column does not exist", "ERROR", "ERROR", "42703"))));

    [Fact]
    public void only_what_waiting_clears_is_answered_the_rest_is_left_to_jasperfx()
    {
        Assert.True(DaemonFailures.Classify(new OperationCanceledException()));
        Assert.True(DaemonFailures.Classify(new TaskCanceledException()));
        Assert.Null(DaemonFailures.Classify(new PostgresException("column does not exist", "ERROR", "ERROR", "42703")));
        Assert.Null(DaemonFailures.Classify(new FormatException()));
    }
}
