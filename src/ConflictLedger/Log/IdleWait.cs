namespace ConflictLedger.Log;

/// <summary>
/// How a follower of the log waits after a read that found nothing: for the next
/// notification or the poll interval. A notification can arrive before its event is
/// readable (an older transaction elsewhere in the cluster is still open), so after one
/// the follower re-reads soon, at growing intervals, instead of waiting for the next.
/// </summary>
public sealed class IdleWait(TimeSpan pollInterval)
{
    private int notifiedButEmpty;

    /// <summary>Call after a read that found events.</summary>
    public void Reset() => notifiedButEmpty = 0;

    /// <param name="next">From <see cref="LogNotifications.NextAsync"/>, taken before the read.</param>
    /// <param name="atMost">A shorter bound, e.g. the next heartbeat.</param>
    public async Task WaitAsync(Task next, TimeSpan? atMost, CancellationToken ct)
    {
        var wait = notifiedButEmpty == 0
            ? pollInterval
            : TimeSpan.FromMilliseconds(Math.Min(10 << Math.Min(notifiedButEmpty, 10), pollInterval.TotalMilliseconds));
        if (atMost < wait) wait = atMost.Value;
        var woken = await LogNotifications.WaitAsync(next, wait, ct);
        notifiedButEmpty = woken || notifiedButEmpty > 0 && wait < pollInterval ? notifiedButEmpty + 1 : 0;
    }
}
