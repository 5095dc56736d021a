using ConflictLedger.Catalog;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// A made-up ledger shaped like a long war, for the read model benchmark: a few
/// countries, cities in them, and in each city neighbourhoods and buildings (about a
/// hundred landmarks a city, some cities far busier than others) that a score of actors
/// take from one another over 2014-2016. Most occurrences are take-overs and losses told
/// by one to three sources (a later source sometimes names another gainer); some are
/// clashes, a few air strikes, which say nothing about control. Some accounts are
/// corrected or retracted later in the log. Dates are known to the day, the week or the
/// month; most sources give a publication date, some none. The same seed gives the same
/// events with the same ids.
/// </summary>
internal sealed class SyntheticLedger
{
    public static readonly DateOnly FirstDay = new(2014, 1, 1);
    public static readonly DateOnly LastDay = new(2016, 12, 31);

    private const int Countries = 4;
    private const int ActorCount = 22;
    private const int LandmarksPerCity = 100;

    private static readonly string[] Outlets =
    [
        "Reuters", "Agence France-Presse", "Associated Press", "Libya Herald", "Libya Observer", "Al Wasat",
        "Anadolu Agency", "BBC Monitoring", "Al Jazeera", "Asharq Al-Awsat", "Middle East Eye", "Xinhua",
    ];

    private readonly int seed;
    private readonly Plan[] plans;

    private SyntheticLedger(int seed, List<Landmark> landmarks, List<Actor> actors, List<string> cities, Plan[] plans, int events)
    {
        this.seed = seed;
        this.plans = plans;
        Landmarks = landmarks;
        Actors = actors;
        Cities = cities;
        EventCount = events;
    }

    public IReadOnlyList<Landmark> Landmarks { get; }
    public IReadOnlyList<Actor> Actors { get; }

    /// <summary>The city landmarks: the roots of the "everything within" questions.</summary>
    public IReadOnlyList<string> Cities { get; }

    /// <summary>How many events <see cref="Events"/> yields, catalog included.</summary>
    public int EventCount { get; }

    public int OccurrenceCount => plans.Length;

    /// <summary>A ledger of about <paramref name="landmarks"/> landmarks (plus the countries) and exactly <paramref name="events"/> events.</summary>
    public static SyntheticLedger Create(int landmarks, int events, int seed)
    {
        var random = new Random(seed);
        var actors = Enumerable.Range(1, ActorCount).Select(i => new Actor(
            $"actor-{i:D2}", $"Brigade {i}", i % 3 == 0 ? null : $"Brigade {i} (ACLED)",
            i % 7 == 0 ? ActorKind.StateForce : ActorKind.Group, null, [$"B{i}", $"Brigade No. {i}"])).ToList();

        // Countries, then cities (each with its neighbourhoods, and buildings inside those).
        var catalog = Enumerable.Range(1, Countries).Select(i => new Landmark($"country-{i}", $"Country {i}", "country", null, null, null, [])).ToList();
        var cityCount = Math.Max(1, landmarks / LandmarksPerCity);
        var perCity = Math.Max(1, landmarks / cityCount);
        var neighbourhoods = Math.Max(perCity > 1 ? 1 : 0, (perCity - 1) / 10);
        var cities = new List<string>();
        // Busier landmarks are told about more: cities most, buildings least, and some cities are front lines.
        var weights = new List<(int Landmark, double Weight)>();
        for (var c = 1; c <= cityCount; c++)
        {
            var city = $"city-{c:D3}";
            var activity = 0.3 + 1.7 * random.NextDouble();
            cities.Add(city);
            weights.Add((catalog.Count, 8 * activity));
            catalog.Add(new Landmark(city, $"City {c}", "city", $"country-{(c - 1) % Countries + 1}",
                Math.Round(20 + 15 * random.NextDouble(), 3), Math.Round(10 + 30 * random.NextDouble(), 3), [$"City of {c}"]));
            for (var n = 1; n <= neighbourhoods; n++)
            {
                weights.Add((catalog.Count, 3 * activity));
                catalog.Add(new Landmark($"{city}-n{n:D2}", $"Quarter {n} of City {c}", "neighbourhood", city, null, null, []));
            }
            for (var b = 1; b <= perCity - 1 - neighbourhoods; b++)
            {
                weights.Add((catalog.Count, activity));
                catalog.Add(new Landmark($"{city}-b{b:D3}", $"Building {b} of City {c}", "building",
                    $"{city}-n{(b - 1) % neighbourhoods + 1:D2}", null, null, []));
            }
        }

        var budget = events - catalog.Count - actors.Count;
        if (budget <= 0)
            throw new ArgumentException($"{events:N0} events do not cover the catalog ({catalog.Count + actors.Count:N0} entries): ask for more events or fewer landmarks.", nameof(events));
        var plans = PlanOccurrences(random, budget, catalog, weights);
        return new SyntheticLedger(seed, catalog, actors, cities, plans, events);
    }

    /// <summary>
    /// Shapes (kind, landmark, day, how many accounts and follow-ups) adding up to exactly
    /// <paramref name="budget"/> events, then, landmark by landmark in world-time order,
    /// who held it before and after each change, so the sources tell one consistent story.
    /// </summary>
    private static Plan[] PlanOccurrences(Random random, int budget, List<Landmark> catalog, List<(int Landmark, double Weight)> weights)
    {
        var cumulative = new double[weights.Count];
        var total = 0.0;
        for (var i = 0; i < weights.Count; i++) cumulative[i] = total += weights[i].Weight;

        var plans = new List<Plan>();
        var days = LastDay.DayNumber - FirstDay.DayNumber + 1;
        while (budget > 0)
        {
            var roll = random.NextDouble();
            var kind = roll < 0.45 ? OccurrenceKind.TerritoryTaken
                : roll < 0.80 ? OccurrenceKind.TerritoryLost
                : roll < 0.95 ? OccurrenceKind.ArmedClash
                : OccurrenceKind.AirStrike;
            var accounts = Math.Min(budget, random.NextDouble() switch { < 0.5 => 1, < 0.85 => 2, _ => 3 });
            budget -= accounts;
            var followUps = new FollowUp[accounts];
            for (var a = 0; a < accounts && budget > 0; a++)
            {
                var f = random.NextDouble();
                followUps[a] = f < 0.05 ? FollowUp.Correction : f < 0.07 ? FollowUp.Retraction : FollowUp.None;
                if (followUps[a] != FollowUp.None) budget--;
            }
            var pick = Array.BinarySearch(cumulative, random.NextDouble() * total);
            var landmark = weights[Math.Min(weights.Count - 1, pick >= 0 ? pick : ~pick)].Landmark;
            plans.Add(new Plan(kind, catalog[landmark].Id, FirstDay.AddDays(random.Next(days)), followUps));
        }

        foreach (var place in plans.GroupBy(p => p.Place))
        {
            var holder = random.Next(ActorCount);
            foreach (var plan in place.OrderBy(p => p.Day))
            {
                var other = (holder + 1 + random.Next(ActorCount - 1)) % ActorCount;
                (plan.Holder, plan.Other) = (holder, other);
                if (plan.Kind.ChangesControl()) holder = other;
            }
        }
        var ordered = plans.OrderBy(p => p.Day).ToArray();
        for (var i = 0; i < ordered.Length; i++) ordered[i].Id = $"occ-{i + 1:D7}";
        return ordered;
    }

    /// <summary>
    /// The catalog, then every account in world-time order, the way a ledger kept as the
    /// war went on fills; each correction and retraction comes a while after its report.
    /// </summary>
    public IEnumerable<StreamEvent> Events()
    {
        foreach (var (stream, _, e) in CatalogLedger.Changes(CatalogState.Empty, Actors, Landmarks))
            yield return new StreamEvent(stream, e);

        var random = new Random(seed + 1);
        var pending = new PriorityQueue<(IOccurrenceEvent Event, Plan Plan), long>();
        long emitted = 0;
        var source = 0;
        foreach (var plan in plans)
        {
            while (pending.TryPeek(out _, out var due) && due <= emitted)
            {
                emitted++;
                yield return FollowUpEvent(pending.Dequeue());
            }
            string? firstGainer = null;
            for (var a = 0; a < plan.FollowUps.Length; a++)
            {
                var account = Report(random, plan, ++source, ref firstGainer);
                var accountId = $"syn_{source:D7}/{plan.Id}";
                var reported = new AccountReported(plan.Id, accountId, account);
                emitted++;
                yield return Stored(reported, plan.Version++, account.Source.File);
                IOccurrenceEvent? later = plan.FollowUps[a] switch
                {
                    FollowUp.Correction => new AccountCorrected(plan.Id, accountId, Corrected(account, plan.Day), "The outlet corrected the date and confirmed the report."),
                    FollowUp.Retraction => new AccountRetracted(plan.Id, accountId, "The outlet withdrew the report."),
                    _ => null,
                };
                if (later is not null) pending.Enqueue((later, plan), emitted + random.Next(2_000, 60_000));
            }
        }
        while (pending.TryDequeue(out var followUp, out _))
            yield return FollowUpEvent(followUp);
    }

    private static StreamEvent FollowUpEvent((IOccurrenceEvent Event, Plan Plan) followUp) =>
        Stored(followUp.Event, followUp.Plan.Version++, null);

    private static StreamEvent Stored(IOccurrenceEvent e, long decidedAtVersion, string? file) =>
        new(OccurrenceEvents.StreamId(e.OccurrenceId), OccurrenceEvents.ToEventData(e, decidedAtVersion,
            Json.Serialize(new { appendedBy = "import", importedFrom = file ?? "corrections.json" })));

    private static Account Report(Random random, Plan plan, int source, ref string? firstGainer)
    {
        var holder = $"actor-{plan.Holder + 1:D2}";
        var other = $"actor-{plan.Other + 1:D2}";
        // A later source now and then names another gainer: the sources dispute it.
        var gainer = firstGainer is not null && random.NextDouble() < 0.08 ? $"actor-{Third(plan.Holder, plan.Other) + 1:D2}" : other;
        firstGainer ??= gainer;
        var (actors, headline) = plan.Kind switch
        {
            OccurrenceKind.TerritoryTaken => (
                new List<ActorInRole> { new(gainer, ActorRole.Gainer), new(holder, ActorRole.Loser) },
                $"{gainer} takes {plan.Place} from {holder}"),
            OccurrenceKind.TerritoryLost => (
                random.NextDouble() < 0.6
                    ? new List<ActorInRole> { new(holder, ActorRole.Loser), new(gainer, ActorRole.Gainer) }
                    : [new(holder, ActorRole.Loser)],
                $"{holder} driven out of {plan.Place}"),
            OccurrenceKind.ArmedClash => (
                [new(holder, ActorRole.Side), new(other, ActorRole.Side)],
                $"Fighting between {holder} and {other} in {plan.Place}"),
            _ => (
                [new(other, ActorRole.Perpetrator), new(holder, ActorRole.Target)],
                $"Air strike on {holder} positions in {plan.Place}"),
        };
        var firmness = random.NextDouble() switch { < 0.7 => Firmness.Reported, < 0.9 => Firmness.Claimed, _ => Firmness.Unconfirmed };
        var when = Window(random, plan.Day);
        var published = random.NextDouble() < 0.12 ? (DateOnly?)null : when.Latest.AddDays(random.Next(0, 12));
        var file = $"syn_{source:D7}.txt";
        return new Account(
            plan.Kind, when, plan.Place, actors,
            plan.Kind is OccurrenceKind.ArmedClash or OccurrenceKind.AirStrike
                ? random.NextDouble() < 0.7 ? new Fatalities(Exact: random.Next(0, 40)) : new Fatalities(AtLeast: random.Next(1, 20))
                : null,
            firmness,
            new Source(Outlets[random.Next(Outlets.Length)], headline, published,
                published is null ? null : random.NextDouble() < 0.8 ? DatePrecision.Day : DatePrecision.Week,
                file, $"Residents told us that {headline.ToLowerInvariant()}."),
            Claimant: firmness == Firmness.Claimed ? actors[0].Actor : null,
            Extent: plan.Kind.ChangesControl() && !plan.Place.Contains("-b", StringComparison.Ordinal)
                ? (Extent)random.Next(3) : null);
    }

    /// <summary>An actor that is neither <paramref name="a"/> nor <paramref name="b"/>.</summary>
    private static int Third(int a, int b) => Enumerable.Range(1, 2).Select(i => (b + i) % ActorCount).First(c => c != a);

    /// <summary>The window a source gives for <paramref name="day"/>: that day, its week (Monday to Sunday) or its month.</summary>
    private static WorldTime Window(Random random, DateOnly day)
    {
        var roll = random.NextDouble();
        if (roll < 0.6) return new WorldTime(day, day, DatePrecision.Day);
        if (roll < 0.88)
        {
            var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
            return new WorldTime(monday, monday.AddDays(6), DatePrecision.Week);
        }
        var first = new DateOnly(day.Year, day.Month, 1);
        return new WorldTime(first, first.AddMonths(1).AddDays(-1), DatePrecision.Month);
    }

    /// <summary>The source's correction: now sure of the day, and firm.</summary>
    private static Account Corrected(Account account, DateOnly day) => account with
    {
        When = new WorldTime(day, day, DatePrecision.Day, "corrected by the outlet"),
        Firmness = Firmness.Reported,
        Claimant = null,
        Source = account.Source with { Published = (account.Source.Published ?? day).AddDays(30), PublishedPrecision = DatePrecision.Day },
    };

    private enum FollowUp { None, Correction, Retraction }

    /// <summary>One occurrence as planned; <see cref="Version"/> counts the events emitted to its stream.</summary>
    private sealed class Plan(OccurrenceKind kind, string place, DateOnly day, FollowUp[] followUps)
    {
        public OccurrenceKind Kind { get; } = kind;
        public string Place { get; } = place;
        public DateOnly Day { get; } = day;
        public FollowUp[] FollowUps { get; } = followUps;
        public string Id { get; set; } = "";
        public int Holder { get; set; }
        public int Other { get; set; }
        public long Version { get; set; }
    }
}
