using System.Globalization;

namespace ConflictLedger.Occurrences;

public sealed record WhenRequest(string? Earliest, string? Latest, string? Precision, string? Derivation = null);

public sealed record ActorRequest(string? Actor, string? Role);

public sealed record FatalitiesRequest(int? Exact, int? AtLeast);

public sealed record SourceRequest(string? Outlet, string? Headline, string? Published, string? PublishedPrecision, string? File, string? Quote);

/// <summary>
/// An account as a client sends it: names as written in the report (resolved through
/// the catalog), enum values in kebab case, dates as ISO 8601 days. <see cref="ToAccount"/>
/// checks every field and names each one at fault.
/// </summary>
public sealed record AccountRequest(
    string? Kind,
    WhenRequest? When,
    string? Place,
    IReadOnlyList<ActorRequest>? Actors,
    FatalitiesRequest? Fatalities,
    string? Firmness,
    string? Claimant,
    string? Extent,
    SourceRequest? Source,
    string? Note = null)
{
    /// <returns>The account, or the problems keyed by field path ("when.latest", "actors[1].actor").</returns>
    public (Account? Account, IReadOnlyDictionary<string, string[]> Errors) ToAccount(Catalog.Catalog catalog)
    {
        var errors = new Dictionary<string, List<string>>();
        void Fail(string field, string message) => (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);

        var kind = Parse<OccurrenceKind>(Kind, "kind", Fail);
        var earliest = Date(When?.Earliest, "when.earliest", Fail);
        var latest = Date(When?.Latest ?? When?.Earliest, "when.latest", Fail);
        if (earliest is { } e && latest is { } l && l < e) Fail("when.latest", $"latest ({l:yyyy-MM-dd}) is before earliest ({e:yyyy-MM-dd}); swap them or widen the window");
        var precision = When?.Precision is null ? DatePrecision.Day : Parse<DatePrecision>(When.Precision, "when.precision", Fail);

        var place = string.IsNullOrWhiteSpace(Place) ? null : catalog.FindLandmark(Place);
        if (place is null) Fail("place", string.IsNullOrWhiteSpace(Place) ? "place is required: a landmark id or alias" : $"no landmark in the catalog is called '{Place}': add it (or this alias) to events/catalog/landmarks.json");

        var actors = new List<ActorInRole>();
        if (Actors is null || Actors.Count == 0) Fail("actors", "name at least one actor with a role");
        for (var i = 0; i < (Actors?.Count ?? 0); i++)
        {
            var request = Actors![i];
            var actor = string.IsNullOrWhiteSpace(request.Actor) ? null : catalog.FindActor(request.Actor);
            if (actor is null) Fail($"actors[{i}].actor", $"no actor in the catalog is called '{request.Actor}': add it (or this alias) to events/catalog/actors.json");
            var role = Parse<ActorRole>(request.Role, $"actors[{i}].role", Fail);
            if (actor is not null && role is { } r) actors.Add(new ActorInRole(actor.Id, r));
        }
        // Judged on the roles given, so an unknown actor is reported once, as unknown.
        if (kind is { } k && k.ChangesControl() && !(Actors ?? []).Any(a => a.Role is "gainer" or "loser"))
            Fail("actors", $"a {Json.Name(k)} account names who gained or lost the place (role \"gainer\" or \"loser\")");

        Fatalities? fatalities = null;
        if (Fatalities is { } f)
        {
            if ((f.Exact is null) == (f.AtLeast is null)) Fail("fatalities", "give either \"exact\" or \"atLeast\", not both or neither");
            else if ((f.Exact ?? f.AtLeast) < 0) Fail("fatalities", "fatalities cannot be negative");
            else fatalities = new Fatalities(f.Exact, f.AtLeast);
        }

        var firmness = Firmness is null ? Occurrences.Firmness.Reported : Parse<Firmness>(Firmness, "firmness", Fail);
        string? claimant = null;
        if (Claimant is not null)
        {
            claimant = catalog.FindActor(Claimant)?.Id;
            if (claimant is null) Fail("claimant", $"no actor in the catalog is called '{Claimant}': add it (or this alias) to events/catalog/actors.json");
        }
        else if (firmness == Occurrences.Firmness.Claimed)
        {
            Fail("claimant", "a claimed account names the party that claims it");
        }
        var extent = Extent is null ? (Extent?)null : Parse<Extent>(Extent, "extent", Fail);

        if (Source is null || string.IsNullOrWhiteSpace(Source.Outlet)) Fail("source.outlet", "every account names its source's outlet");
        var published = Source?.Published is null ? null : Date(Source.Published, "source.published", Fail);
        var publishedPrecision = Source?.PublishedPrecision is null ? (DatePrecision?)null : Parse<DatePrecision>(Source.PublishedPrecision, "source.publishedPrecision", Fail);
        if (Source is { Quote: var quote } && string.IsNullOrWhiteSpace(quote)) Fail("source.quote", "quote the words of the report that support the account");

        if (errors.Count > 0) return (null, errors.ToDictionary(x => x.Key, x => x.Value.ToArray()));
        return (new Account(
            kind!.Value,
            new WorldTime(earliest!.Value, latest!.Value, precision!.Value, When!.Derivation),
            place!.Id,
            actors,
            fatalities,
            firmness!.Value,
            new Source(Source!.Outlet!, Source.Headline, published, publishedPrecision ?? (published is null ? null : DatePrecision.Day), Source.File, Source.Quote),
            claimant,
            extent,
            Note), new Dictionary<string, string[]>());
    }

    private static DateOnly? Date(string? text, string field, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            fail(field, "a date is required (YYYY-MM-DD)");
            return null;
        }
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            fail(field, $"'{text}' is not a date: write it as YYYY-MM-DD (a real day)");
            return null;
        }
        if (WorldDates.Problem(day) is { } outside)
        {
            fail(field, outside);
            return null;
        }
        return day;
    }

    private static T? Parse<T>(string? text, string field, Action<string, string> fail) where T : struct, Enum
    {
        var allowed = string.Join(", ", Enum.GetValues<T>().Select(v => Json.Name(v)));
        if (!string.IsNullOrWhiteSpace(text) && Enum.GetValues<T>().FirstOrDefault(v => Json.Name(v) == text.Trim()) is var value && Json.Name(value) == text.Trim())
            return value;
        fail(field, string.IsNullOrWhiteSpace(text) ? $"{field} is required: one of {allowed}" : $"'{text}' is not one of {allowed}");
        return null;
    }
}
