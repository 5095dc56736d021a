using ConflictLedger.Catalog;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// The same events appended in different orders (each stream's own order kept: a
/// correction follows its report) give the same read model, equal to a rebuild.
/// </summary>
public sealed class OutOfOrderTests
{
    private static readonly string[] Sides = ["red", "blue", "green"];
    private static readonly string[] Places = ["fort", "bridge", "market"];

    /// <summary>Catalog streams and occurrences with reports, corrections and retractions, each stream in its own order.</summary>
    internal static List<(string Stream, EventData Event)[]> Streams(int seed)
    {
        var random = new Random(seed);
        var streams = new List<(string, EventData)[]>
        {
            Sides.Select(s => (CatalogEvents.ActorStream(s), Catalog(new ActorCataloged(new Actor(s, s, null, ActorKind.Group, null, []))))).ToArray(),
            Places.Prepend("town").Select(p => (CatalogEvents.LandmarkStream(p),
                Catalog(new LandmarkCataloged(new Landmark(p, p, "building", p == "town" ? null : "town", null, null, []))))).ToArray(),
        };
        for (var i = 0; i < 14; i++)
        {
            var id = $"occurrence-{i}";
            var events = new List<IOccurrenceEvent>();
            var accounts = 1 + random.Next(3);
            for (var a = 0; a < accounts; a++)
                events.Add(new AccountReported(id, $"{id}/source-{a}", RandomAccount(random)));
            if (random.Next(3) == 0) events.Add(new AccountCorrected(id, $"{id}/source-0", RandomAccount(random), "revised"));
            if (accounts > 1 && random.Next(4) == 0) events.Add(new AccountRetracted(id, $"{id}/source-1", "withdrawn"));
            streams.Add(events.Select((e, v) => (OccurrenceEvents.StreamId(id), OccurrenceEvents.ToEventData(e, v))).ToArray());
        }
        return streams;
    }

    private static EventData Catalog<T>(T entry) => new(Guid.NewGuid(), entry is ActorCataloged ? CatalogEvents.ActorType : CatalogEvents.LandmarkType, Json.Serialize(entry));

    private static Account RandomAccount(Random random)
    {
        var start = new DateOnly(2015, 1, 1).AddDays(random.Next(200));
        var kind = random.Next(4) switch { 0 => OccurrenceKind.ArmedClash, 1 => OccurrenceKind.TerritoryLost, _ => OccurrenceKind.TerritoryTaken };
        var actors = kind == OccurrenceKind.ArmedClash
            ? [new ActorInRole(Sides[0], ActorRole.Side), new ActorInRole(Sides[1], ActorRole.Side)]
            : new List<ActorInRole> { new(Sides[random.Next(3)], ActorRole.Loser) }
                .Concat(kind == OccurrenceKind.TerritoryTaken ? [new ActorInRole(Sides[random.Next(3)], ActorRole.Gainer)] : [])
                .ToList();
        return new Account(kind, new WorldTime(start, start.AddDays(random.Next(3) * 3), DatePrecision.Day), Places[random.Next(3)], actors,
            new Fatalities(Exact: random.Next(10)), Firmness.Reported,
            new Source("Outlet " + random.Next(4), null, new DateOnly(2015, 1, 1).AddDays(random.Next(300)), DatePrecision.Day, "r.txt", "q"));
    }

    /// <summary>A random interleaving of the streams that keeps each stream's own order.</summary>
    private static IEnumerable<(string, EventData)> Interleave(List<(string, EventData)[]> streams, Random random)
    {
        var cursors = streams.Select(s => new Queue<(string, EventData)>(s)).Where(q => q.Count > 0).ToList();
        while (cursors.Count > 0)
        {
            var pick = cursors[random.Next(cursors.Count)];
            yield return pick.Dequeue();
            if (pick.Count == 0) cursors.Remove(pick);
        }
    }

    [Fact]
    public async Task any_append_order_gives_the_same_read_model_as_a_rebuild()
    {
        var streams = Streams(seed: 11);
        string? expected = null;
        for (var order = 0; order < 4; order++)
        {
            var ledger = new LedgerFixture();
            await ledger.InitializeAsync();
            try
            {
                long last = 0;
                foreach (var (stream, e) in Interleave(streams, new Random(order)))
                    last = (await ledger.Store.AppendAsync(stream, ExpectedVersion.Any, [e])).Position.Value;
                await ledger.ProjectAsync(last);
                var incremental = await ReadModelDump.ActiveAsync(ledger);

                await ledger.ReadModels.RebuildAsync();
                Assert.Equal(incremental, await ReadModelDump.ActiveAsync(ledger));
                expected ??= incremental;
                Assert.Equal(expected, incremental);
            }
            finally
            {
                await ledger.DisposeAsync();
            }
        }
        Assert.Contains("\"status\":\"disputed\"", expected, StringComparison.Ordinal);
    }
}
