using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Benchmarks;

/// <summary>An event with the stream position it will take, so the raw side writes exactly the rows the log writes.</summary>
internal sealed record Row(string StreamId, long Version, EventData Event);

internal static class Workload
{
    /// <summary>
    /// <paramref name="count"/> events, <paramref name="perStream"/> to a stream in stream
    /// order: reported clashes (the log stores only the ledger's own records), with data of
    /// roughly 400 to 900 bytes, the size of a reported incident.
    /// </summary>
    public static Row[] Rows(string streamPrefix, int count, int perStream, int seed)
    {
        var random = new Random(seed);
        var rows = new Row[count];
        for (var i = 0; i < count; i++)
        {
            var occurrence = $"{streamPrefix}{i / perStream:D6}";
            var day = new DateOnly(2015, 6, 1).AddDays(random.Next(30));
            var account = new Account(
                OccurrenceKind.ArmedClash, new WorldTime(day, day, DatePrecision.Day), $"site-{random.Next(500)}",
                [new ActorInRole($"actor-{random.Next(40)}", ActorRole.Side), new ActorInRole($"actor-{random.Next(40)}", ActorRole.Side)],
                new Fatalities(Exact: random.Next(0, 30)), Firmness.Reported,
                new Source("Benchmark Herald", "Fighting reported", day.AddDays(1), DatePrecision.Day, "bench.csv",
                    new string((char)('a' + random.Next(26)), random.Next(50, 550))));
            var reported = new AccountReported(occurrence, $"bench/{i}", account);
            var data = OccurrenceEvents.ToEventData(reported, i % perStream, $$"""{"correlationId":"{{Guid.NewGuid()}}","source":"benchmark"}""");
            rows[i] = new Row(OccurrenceEvents.StreamId(occurrence), i % perStream + 1, data with { Id = Guid.NewGuid() });
        }
        return rows;
    }
}
