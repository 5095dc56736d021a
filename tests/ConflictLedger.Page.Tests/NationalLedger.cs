using System.Globalization;
using ConflictLedger.Catalog;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Page.Tests;

/// <summary>
/// A generated ledger at national scale, appended in one bulk COPY through the store: a
/// country of 30 regions and 2,969 places with coordinates (3,000 landmarks), six actors,
/// and 10,000 occurrences told by two sources each (20,000 accounts) between May and
/// August 2015: take-overs (one source gives the day, the other the week around it) and
/// clashes. Deterministic, so a run can be compared with the next.
/// </summary>
public static class NationalLedger
{
    public const int Regions = 30, PlacesPerRegion = 99, Landmarks = 1 + Regions + Regions * PlacesPerRegion - 1, Occurrences = 10_000;

    public static readonly string[] Actors = ["gen-government", "gen-rebels", "gen-militia-north", "gen-militia-south", "gen-tribal-council", "gen-jihadists"];

    public static string PlaceId(int region, int place) => $"gen-place-{region:D2}-{place:D2}";

    /// <returns>How long building the events took, and how long the bulk append.</returns>
    public static async Task<(TimeSpan Built, TimeSpan Appended)> AppendAsync(LedgerLog store)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var events = new List<StreamEvent>();
        void Catalog<T>(string stream, string type, T entry) => events.Add(new StreamEvent(stream, new EventData(Guid.NewGuid(), type, Json.Serialize(entry))));

        foreach (var id in Actors)
        {
            var name = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(id[4..].Replace('-', ' '));
            Catalog(CatalogEvents.ActorStream(id), CatalogEvents.ActorType, new ActorCataloged(new Actor(id, name, null, ActorKind.Group, null, [name])));
        }
        Catalog(CatalogEvents.LandmarkStream("gen-country"), CatalogEvents.LandmarkType, new LandmarkCataloged(new Landmark("gen-country", "Genland", "country", null, null, null, ["Genland"])));
        var random = new Random(12);
        var places = new List<string>();
        for (var r = 0; r < Regions; r++)
        {
            var (lat, lon) = (25 + random.NextDouble() * 8, 10 + random.NextDouble() * 15);
            var region = $"gen-region-{r:D2}";
            Catalog(CatalogEvents.LandmarkStream(region), CatalogEvents.LandmarkType,
                new LandmarkCataloged(new Landmark(region, $"Region {r:D2}", "region", "gen-country", Math.Round(lat, 3), Math.Round(lon, 3), [$"Region {r:D2}"])));
            places.Add(region);
            // One place fewer in the last region: 1 + 30 + 2,969 = 3,000 landmarks.
            for (var p = 0; p < (r == Regions - 1 ? PlacesPerRegion - 1 : PlacesPerRegion); p++)
            {
                var id = PlaceId(r, p);
                Catalog(CatalogEvents.LandmarkStream(id), CatalogEvents.LandmarkType, new LandmarkCataloged(new Landmark(
                    id, $"Place {r:D2}-{p:D2}", "town", region, Math.Round(lat + random.NextDouble() - 0.5, 4), Math.Round(lon + random.NextDouble() - 0.5, 4), [$"Place {r:D2}-{p:D2}"])));
                places.Add(id);
            }
        }

        var start = new DateOnly(2015, 5, 1);
        for (var i = 0; i < Occurrences; i++)
        {
            var id = $"gen-occurrence-{i:D5}";
            var place = places[random.Next(places.Count)];
            var day = start.AddDays(random.Next(100));
            var (a, b) = (Actors[random.Next(Actors.Length)], Actors[random.Next(Actors.Length)]);
            if (a == b) b = Actors[(Array.IndexOf(Actors, a) + 1) % Actors.Length];
            var takeOver = random.Next(2) == 0;
            var kind = takeOver ? OccurrenceKind.TerritoryTaken : OccurrenceKind.ArmedClash;
            IReadOnlyList<ActorInRole> actors = takeOver
                ? [new ActorInRole(a, ActorRole.Gainer), new ActorInRole(b, ActorRole.Loser)]
                : [new ActorInRole(a, ActorRole.Side), new ActorInRole(b, ActorRole.Side)];
            Account Told(string outlet, WorldTime when, int? dead) => new(kind, when, place, actors, dead is { } n ? new Fatalities(Exact: n) : null, Firmness.Reported,
                new Source(outlet, $"{outlet} on {place}", when.Latest.AddDays(1 + random.Next(4)), DatePrecision.Day, null, "Generated for the page test."));
            var accounts = new[]
            {
                new AccountReported(id, $"{id}/wire-a", Told("Wire A", new WorldTime(day, day, DatePrecision.Day), random.Next(10))),
                new AccountReported(id, $"{id}/wire-b", Told("Wire B", new WorldTime(day.AddDays(-random.Next(4)), day.AddDays(random.Next(4)), DatePrecision.Week), null)),
            };
            for (var v = 0; v < accounts.Length; v++)
                events.Add(new StreamEvent(OccurrenceEvents.StreamId(id), OccurrenceEvents.ToEventData(accounts[v], v)));
        }
        var built = clock.Elapsed;
        await using (var append = await store.BeginAsync())
        {
            await append.BulkStartStreamsAsync(events.GroupBy(e => e.StreamId)
                .Select(g => (g.Key, (IReadOnlyList<EventData>)g.Select(e => e.Event).ToList())).ToList());
            await append.CommitAsync();
        }
        return (built, clock.Elapsed - built);
    }
}
