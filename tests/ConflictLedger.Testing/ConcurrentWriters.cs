using System.Collections.Concurrent;
using ConflictLedger.Log;

namespace ConflictLedger.Testing;

/// <summary>
/// The stress workload every reader of the log is tested against: several writers append
/// at once; every <see cref="HoldEvery"/>th append keeps its transaction open for a while
/// (longer than Marten's stale-sequence threshold) after drawing its numbers, and every
/// other one of those rolls back instead of committing.
/// </summary>
public sealed class ConcurrentWriters(LedgerLog log, string streamSuffix)
{
    public int Writers { get; init; } = 8;
    public int AppendsPerWriter { get; init; } = 120;
    public int HoldEvery { get; init; } = 30;
    public TimeSpan Hold { get; init; } = TimeSpan.FromMilliseconds(300);
    public string Place { get; init; } = "derna";

    /// <summary>Every committed event.</summary>
    public ConcurrentBag<EventData> CommittedEvents { get; } = [];

    /// <summary>Events whose append rolled back.</summary>
    public ConcurrentBag<EventData> RolledBackEvents { get; } = [];

    public IReadOnlyCollection<Guid> Committed => CommittedEvents.Select(e => e.Id).ToList();

    public IReadOnlyCollection<Guid> RolledBack => RolledBackEvents.Select(e => e.Id).ToList();

    public async Task RunAsync()
    {
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < AppendsPerWriter; i++)
            {
                var events = Enumerable.Range(0, 1 + random.Next(4)).Select(n => LedgerTestEvents.Report(Place, n)).ToArray();
                var stream = $"incident-w{w}-{random.Next(20)}-{streamSuffix}";
                if (i % HoldEvery == HoldEvery - 1)
                {
                    await using var append = await log.BeginAsync();
                    await append.AppendAsync(stream, ExpectedVersion.Any, events);
                    await Task.Delay(Hold);
                    if (i % (2 * HoldEvery) == HoldEvery - 1)
                    {
                        foreach (var e in events) RolledBackEvents.Add(e);
                        continue; // disposed without committing: rolled back
                    }
                    await append.CommitAsync();
                }
                else
                {
                    await log.AppendAsync(stream, ExpectedVersion.Any, events);
                }
                foreach (var e in events) CommittedEvents.Add(e);
            }
        })));
    }
}
