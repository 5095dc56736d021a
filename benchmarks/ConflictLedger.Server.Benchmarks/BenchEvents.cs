using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Server.Benchmarks;

/// <summary>
/// Events the benchmarks append straight to the log: the log stores only the ledger's own
/// records, so each is a whole report of one occurrence, of a kind the seed data never
/// uses, so a type filter on the feed selects the benchmark's events alone.
/// </summary>
internal static class BenchEvents
{
    /// <summary>A report about the size of a real one (about 700 bytes), numbered <paramref name="n"/> in its quote.</summary>
    public static (string StreamId, EventData Event) Report(OccurrenceKind kind, string occurrenceId, int n)
    {
        var day = new DateOnly(2015, 6, 1).AddDays(n % 30);
        var account = new Account(
            kind, new WorldTime(day, day, DatePrecision.Day), $"site-{n % 500}",
            [new ActorInRole($"analyst-{n % 40}", ActorRole.Perpetrator)], new Fatalities(Exact: n % 7), Firmness.Reported,
            new Source("Benchmark Herald", "Benchmark report", day, DatePrecision.Day, "bench.json",
                Measure.Format($"report {n}: {new string('x', 300)}")));
        var e = OccurrenceEvents.ToEventData(new AccountReported(occurrenceId, Measure.Format($"bench/{n}"), account), 0);
        return (OccurrenceEvents.StreamId(occurrenceId), e with { Id = Guid.NewGuid() });
    }
}
