using System.Globalization;
using ConflictLedger.Catalog;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Importing.Acled;

/// <summary>
/// Accounts as a CSV in ACLED's current 31-column layout. An account imported from ACLED
/// gives its row back from the fields it kept (a pre-2019 type translated to the current
/// event and sub-event type); any other account is described in ACLED's terms through the
/// catalog.
/// </summary>
public static class AcledExport
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
        "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
        "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
        "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
    ];

    public static string ToCsv(IEnumerable<Account> accounts, Catalog.Catalog catalog)
    {
        return Csv.Write(Columns, accounts.Select(account =>
        {
            var cells = account.Acled is { } acled ? FromAcled(account, acled, catalog) : Derived(account, catalog);
            return Columns.Select(c => cells.GetValueOrDefault(c));
        }));
    }

    private static Dictionary<string, string?> FromAcled(Account account, AcledDetails acled, Catalog.Catalog catalog)
    {
        var type = TypeOf(account, acled, catalog);
        var date = acled.EventDate ?? account.When.Earliest;
        return new Dictionary<string, string?>
        {
            ["event_id_cnty"] = acled.EventIdCnty,
            ["event_date"] = Date(date),
            ["year"] = Number(date.Year),
            ["time_precision"] = Number(acled.TimePrecision),
            ["disorder_type"] = acled.DisorderType ?? DisorderOf(type.EventType),
            ["event_type"] = type.EventType,
            ["sub_event_type"] = type.SubEventType,
            ["actor1"] = acled.Actor1,
            ["assoc_actor_1"] = acled.AssocActor1,
            ["inter1"] = acled.Inter1,
            ["actor2"] = acled.Actor2,
            ["assoc_actor_2"] = acled.AssocActor2,
            ["inter2"] = acled.Inter2,
            ["interaction"] = acled.Interaction,
            ["civilian_targeting"] = acled.CivilianTargeting,
            ["iso"] = acled.Iso,
            ["region"] = acled.Region,
            ["country"] = acled.Country,
            ["admin1"] = acled.Admin1,
            ["admin2"] = acled.Admin2,
            ["admin3"] = acled.Admin3,
            ["location"] = acled.Location ?? catalog.Landmark(account.Place)?.Name ?? account.Place,
            ["latitude"] = acled.LatitudeAsWritten ?? Number(acled.Latitude),
            ["longitude"] = acled.LongitudeAsWritten ?? Number(acled.Longitude),
            ["geo_precision"] = Number(acled.GeoPrecision),
            ["source"] = acled.Source ?? account.Source.Outlet,
            ["source_scale"] = acled.SourceScale,
            ["notes"] = acled.Notes ?? account.Source.Quote,
            ["fatalities"] = Number(account.Fatalities?.Low),
            ["tags"] = acled.Tags,
            ["timestamp"] = acled.Timestamp,
        };
    }

    /// <summary>
    /// The row's own types while they still say what the account says. A pre-2019 type is
    /// converted as ACLED's 2019 transition did: the three battle types and the two
    /// territorial developments one to one, the coarse types ("Remote violence",
    /// "Riots/Protests", "Strategic development") by the kind the import read from the
    /// INTER codes and notes. A kind corrected since the import is translated from the kind.
    /// </summary>
    private static AcledType TypeOf(Account account, AcledDetails acled, Catalog.Catalog catalog)
    {
        if (acled.SubEventType is { } sub && AcledMapping.KindOf(acled.EventType, sub, acled.Notes) == account.Kind)
            return new AcledType(acled.EventType, sub);
        if (acled.SubEventType is null && Pre2019Types.FirstOrDefault(t => AcledMapping.SameType(acled.EventType, t.Pre2019)) is { Pre2019: not null } pre2019)
            return pre2019.Current is { } current && AcledMapping.KindOf(current.EventType, current.SubEventType, null) == account.Kind
                ? current
                : DerivedType(account, catalog);
        return DerivedType(account, catalog);
    }

    /// <summary>Pre-2019 event types and their current event and sub-event type; null where the kind decides.</summary>
    private static readonly (string Pre2019, AcledType? Current)[] Pre2019Types =
    [
        ("Battle-No change of territory", new("Battles", "Armed clash")),
        ("Battle-Government regains territory", new("Battles", "Government regains territory")),
        ("Battle-Non-state actor overtakes territory", new("Battles", "Non-state actor overtakes territory")),
        ("Non-violent transfer of territory", new("Strategic developments", "Non-violent transfer of territory")),
        ("Headquarters or base established", new("Strategic developments", "Headquarters or base established")),
        ("Remote violence", null),
        ("Violence against civilians", null),
        ("Riots/Protests", null),
        ("Strategic development", null),
        ("Non-violent activity by a conflict actor", null),
    ];

    private static readonly AcledType GovernmentRegainsTerritory = new("Battles", "Government regains territory");

    private static AcledType DerivedType(Account account, Catalog.Catalog catalog) =>
        account.Kind == OccurrenceKind.TerritoryTaken
        && account.ActorsIn(ActorRole.Gainer).Any(id => catalog.Actor(id)?.Kind == ActorKind.StateForce)
            ? GovernmentRegainsTerritory
            : account.Kind.Acled();

    private static Dictionary<string, string?> Derived(Account account, Catalog.Catalog catalog)
    {
        var type = DerivedType(account, catalog);
        var (actor1, assoc1, actor2, assoc2) = ActorColumns(account);
        var place = catalog.Landmark(account.Place);
        var located = place is null ? null : catalog.AncestorsOf(place.Id).Prepend(place).FirstOrDefault(l => l.Lat is not null && l.Lon is not null);
        var country = place is null ? null : catalog.AncestorsOf(place.Id).Prepend(place).FirstOrDefault(l => l.Kind == "country");
        var when = account.When;
        return new Dictionary<string, string?>
        {
            // Accounts carry no id of their own; the content gives one that stays put across exports.
            ["event_id_cnty"] = "ledger-" + DeterministicId.Hash(Json.Serialize(account)),
            ["event_date"] = Date(when.Earliest),
            ["year"] = Number(when.Earliest.Year),
            ["time_precision"] = Number(TimePrecisionOf(when)),
            ["disorder_type"] = DisorderOf(type.EventType),
            ["event_type"] = type.EventType,
            ["sub_event_type"] = type.SubEventType,
            ["actor1"] = AcledName(catalog, actor1),
            ["assoc_actor_1"] = Join(assoc1.Select(id => AcledName(catalog, id))),
            ["inter1"] = Inter(catalog, actor1),
            ["actor2"] = AcledName(catalog, actor2),
            ["assoc_actor_2"] = Join(assoc2.Select(id => AcledName(catalog, id))),
            ["inter2"] = Inter(catalog, actor2),
            ["country"] = country?.Name,
            ["location"] = place?.Name ?? account.Place,
            ["latitude"] = Number(located?.Lat),
            ["longitude"] = Number(located?.Lon),
            // ACLED's 1 is the place itself, 2 somewhere near or within the named area.
            ["geo_precision"] = located is null ? null : Number(located == place ? 1 : 2),
            ["source"] = account.Source.Outlet,
            ["notes"] = account.Source.Quote ?? account.Note,
            ["fatalities"] = Number(account.Fatalities?.Low ?? 0),
        };
    }

    /// <summary>
    /// ACLED's time precision for a window. A "day" window that spans several days (fighting
    /// "over four days") is as coarse as the week or month it fits in.
    /// </summary>
    private static int TimePrecisionOf(WorldTime when) => when.Precision switch
    {
        DatePrecision.Day when when.IsExactDay => 1,
        DatePrecision.Day when when.Latest.DayNumber - when.Earliest.DayNumber < 7 => 2,
        DatePrecision.Week => 2,
        _ => 3,
    };

    /// <summary>
    /// actor1 and actor2 by the roles the kind gives them; everyone else (supporters, a
    /// third side) as associated actors. When no source named the perpetrator, actor1 stays
    /// empty rather than turning the target into one.
    /// </summary>
    private static (string? Actor1, List<string> Assoc1, string? Actor2, List<string> Assoc2) ActorColumns(Account account)
    {
        var (role1, role2) = AcledMapping.RolesOf(account.Kind);
        var main = account.Actors.Where(a => a.Role != ActorRole.Supporter).ToList();
        var first = main.FirstOrDefault(a => a.Role == role1);
        var second = main.FirstOrDefault(a => a.Role == role2 && a != first);
        if (first is null && second is null) first = main.FirstOrDefault();
        var assoc1 = account.ActorsIn(ActorRole.Supporter).ToList();
        var assoc2 = new List<string>();
        foreach (var other in main.Where(a => a != first && a != second))
            (other.Role == role1 ? assoc1 : assoc2).Add(other.Actor);
        return (first?.Actor, assoc1, second?.Actor, assoc2);
    }

    /// <summary>The actor's ACLED name; for a state unit (an air force) without one, its state force's, as ACLED codes it; else its name.</summary>
    private static string? AcledName(Catalog.Catalog catalog, string? id)
    {
        if (id is null) return null;
        if (catalog.Actor(id) is not { } actor) return id;
        for (var (unit, seen) = (actor, new HashSet<string>()); seen.Add(unit.Id); )
        {
            if (unit.AcledName is { } name) return name;
            if (unit.MemberOf is not { } group || catalog.Actor(group) is not { } parent || actor.Kind != ActorKind.StateForce || parent.Kind != ActorKind.StateForce) break;
            unit = parent;
        }
        return actor.Name;
    }

    private static string? Inter(Catalog.Catalog catalog, string? id) => (id is null ? null : catalog.Actor(id)?.Kind) switch
    {
        ActorKind.StateForce => "State forces",
        ActorKind.Civilians => "Civilians",
        _ => null,
    };

    private static string? DisorderOf(string eventType) => eventType switch
    {
        "Battles" or "Explosions/Remote violence" or "Violence against civilians" => "Political violence",
        "Protests" or "Riots" => "Demonstrations",
        "Strategic developments" => "Strategic developments",
        _ => null,
    };

    private static string? Join(IEnumerable<string?> names)
    {
        var text = string.Join("; ", names.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal));
        return text.Length == 0 ? null : text;
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Number(int? n) => n?.ToString(CultureInfo.InvariantCulture);

    private static string? Number(double? n) => n?.ToString(CultureInfo.InvariantCulture);
}
