using JasperFx.Events.Daemon;

namespace ConflictLedger.Log;

/// <summary>
/// Tells the daemon's supervisor (Wolverine's node agent, which restarts a paused shard only when
/// its failure is transient) which failures of the read model's shard clear on their own. When the
/// database restarts under a batch, the batch fails (57P01) and the daemon cancels its loading of
/// the next events; the shard's recorded failure is then that cancellation, which JasperFx does not
/// count as transient, and Wolverine leaves such a shard alone for good ("a failure it cannot
/// recover from by restarting"): the read model stopped until the process restarted. Seen in 1 of
/// 13 runs of <c>ReadModelOutageTests</c> side by side (stop 13), and once in a full run before.
/// A cancellation is transient (the server shutting down, 57P01, already is, by Npgsql's rules).
/// </summary>
public static class DaemonFailures
{
    private static int registered;

    /// <summary>Adds the classifier to JasperFx's (process-wide) rules, once.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0) TransientFailures.AddClassifier(Classify);
    }

    /// <summary>True for a failure that waiting clears; null leaves the exception to JasperFx's own rules.</summary>
    public static bool? Classify(Exception exception) => exception is OperationCanceledException ? true : null;
}
