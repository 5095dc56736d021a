using ConflictLedger.Log;

namespace ConflictLedger.Benchmarks;

/// <summary>An event with the stream position it will take, so the raw side writes exactly the rows the store writes.</summary>
internal sealed record Row(string StreamId, long Version, EventData Event);

internal static class Workload
{
    /// <summary>
    /// <paramref name="count"/> events, <paramref name="perStream"/> to a stream in stream
    /// order, with data of roughly 150 to 650 bytes: the size of a reported incident.
    /// </summary>
    public static Row[] Rows(string streamPrefix, int count, int perStream, int seed)
    {
        var random = new Random(seed);
        var rows = new Row[count];
        for (var i = 0; i < count; i++)
        {
            var note = new string((char)('a' + random.Next(26)), random.Next(50, 550));
            var data = $$"""{"site":"site-{{random.Next(500)}}","reportedBy":"analyst-{{random.Next(40)}}","severity":{{random.Next(1, 6)}},"note":"{{note}}"}""";
            var metadata = $$"""{"correlationId":"{{Guid.NewGuid()}}","source":"benchmark"}""";
            rows[i] = new Row($"{streamPrefix}{i / perStream:D6}", i % perStream + 1, new EventData(Guid.NewGuid(), "clash-reported.v1", data, metadata));
        }
        return rows;
    }
}
