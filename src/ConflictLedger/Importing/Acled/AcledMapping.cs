using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ConflictLedger.Catalog;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Importing.Acled;

/// <summary>ACLED's actor categories, the INTER codes (numbers before 2023, words since).</summary>
public enum AcledInter { None = 0, StateForces = 1, RebelGroup = 2, PoliticalMilitia = 3, IdentityMilitia = 4, Rioters = 5, Protesters = 6, Civilians = 7, ExternalOrOther = 8 }

/// <summary>
/// An ACLED row as an account, with the catalog grown by whatever the row named that the
/// catalog did not know yet.
/// </summary>
public sealed record AcledMapped(Catalog.Catalog Catalog, IReadOnlyList<Actor> NewActors, IReadOnlyList<Landmark> NewLandmarks, ImportedAccount Account);

/// <summary>A whole file's rows as accounts, with every catalog entry they added, in row order.</summary>
public sealed record AcledMappedFile(Catalog.Catalog Catalog, IReadOnlyList<Actor> NewActors, IReadOnlyList<Landmark> NewLandmarks, IReadOnlyList<ImportedAccount> Accounts);

/// <summary>
/// How ACLED's taxonomy, actors and places become accounts, by the codebook: the event
/// type (and sub-event type), the INTER codes of the two actors, and the catalog's kind of
/// each actor decide the kind and the roles. Current sub-event types map one to one
/// ("Other" is refined by the notes into a surrender or a prisoner release); pre-2019
/// "Riots/Protests" splits by who acted (INTER 5 rioters, 6 protesters) and who answered;
/// only "Remote violence" and "Strategic development", which the old codebook never split,
/// are refined by the notes. A territory row is a part of its place unless its notes say
/// the whole; a row whose coding contradicts itself is kept and flagged.
/// </summary>
public static partial class AcledMapping
{
    public const string OccurrencePrefix = "acled-";
    public const string AccountPrefix = "acled/";
    public const int QuoteLength = 300;

    public static readonly IReadOnlyList<string> Pre2019EventTypes =
    [
        "Battle-No change of territory", "Battle-Government regains territory", "Battle-Non-state actor overtakes territory",
        "Remote violence", "Violence against civilians", "Riots/Protests", "Strategic development",
        "Non-violent transfer of territory", "Headquarters or base established", "Non-violent activity by a conflict actor",
    ];

    private static readonly Dictionary<string, OccurrenceKind> BySubEventType = new(StringComparer.Ordinal)
    {
        [Key("Armed clash")] = OccurrenceKind.ArmedClash,
        [Key("Government regains territory")] = OccurrenceKind.TerritoryTaken,
        [Key("Non-state actor overtakes territory")] = OccurrenceKind.TerritoryTaken,
        [Key("Chemical weapon")] = OccurrenceKind.ChemicalWeapon,
        [Key("Air/drone strike")] = OccurrenceKind.AirStrike,
        [Key("Suicide bomb")] = OccurrenceKind.SuicideBomb,
        [Key("Shelling/artillery/missile attack")] = OccurrenceKind.Shelling,
        [Key("Remote explosive/landmine/IED")] = OccurrenceKind.RemoteExplosive,
        [Key("Grenade")] = OccurrenceKind.Grenade,
        [Key("Sexual violence")] = OccurrenceKind.SexualViolence,
        [Key("Attack")] = OccurrenceKind.AttackOnCivilians,
        [Key("Abduction/forced disappearance")] = OccurrenceKind.Abduction,
        [Key("Peaceful protest")] = OccurrenceKind.Protest,
        [Key("Protest with intervention")] = OccurrenceKind.ProtestWithIntervention,
        [Key("Excessive force against protesters")] = OccurrenceKind.ExcessiveForceAgainstProtesters,
        [Key("Violent demonstration")] = OccurrenceKind.ViolentDemonstration,
        [Key("Mob violence")] = OccurrenceKind.MobViolence,
        [Key("Agreement")] = OccurrenceKind.Agreement,
        [Key("Arrests")] = OccurrenceKind.Arrests,
        [Key("Change to group/activity")] = OccurrenceKind.ChangeToGroup,
        [Key("Disrupted weapons use")] = OccurrenceKind.DisruptedWeaponsUse,
        [Key("Headquarters or base established")] = OccurrenceKind.HeadquartersEstablished,
        [Key("Looting/property destruction")] = OccurrenceKind.Looting,
        [Key("Non-violent transfer of territory")] = OccurrenceKind.TerritoryTransferred,
        [Key("Other")] = OccurrenceKind.OtherDevelopment,
    };

    /// <summary>ACLED's 25 current sub-event types.</summary>
    public static readonly IReadOnlyList<string> SubEventTypes =
    [
        "Armed clash", "Government regains territory", "Non-state actor overtakes territory",
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade",
        "Sexual violence", "Attack", "Abduction/forced disappearance",
        "Peaceful protest", "Protest with intervention", "Excessive force against protesters",
        "Violent demonstration", "Mob violence",
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use", "Headquarters or base established",
        "Looting/property destruction", "Non-violent transfer of territory", "Other",
    ];

    /// <summary>
    /// The kind of an ACLED event: by the sub-event type when there is one (current files),
    /// else by the pre-2019 event type and, where that type is coarse, the notes. Null when
    /// the type is not ACLED's.
    /// </summary>
    public static OccurrenceKind? KindOf(string eventType, string? subEventType, string? notes)
    {
        var text = notes ?? "";
        if (!string.IsNullOrWhiteSpace(subEventType))
        {
            if (!BySubEventType.TryGetValue(Key(subEventType), out var kind)) return null;
            return kind == OccurrenceKind.OtherDevelopment ? OtherDevelopment(text, arrestsHaveTheirOwnType: true) : kind;
        }
        return Key(eventType) switch
        {
            "battle-no change of territory" => OccurrenceKind.ArmedClash,
            "battle-government regains territory" => OccurrenceKind.TerritoryTaken,
            "battle-non-state actor overtakes territory" => OccurrenceKind.TerritoryTaken,
            "remote violence" => RemoteViolence(text),
            "violence against civilians" => OccurrenceKind.AttackOnCivilians,
            // Which of the four is decided by the actors' INTER codes (KindOf(row)); the type alone says "some demonstration".
            "riots/protests" => OccurrenceKind.Protest,
            "strategic development" or "non-violent activity by a conflict actor" => OtherDevelopment(text, arrestsHaveTheirOwnType: false),
            "non-violent transfer of territory" => OccurrenceKind.TerritoryTransferred,
            "headquarters or base established" => OccurrenceKind.HeadquartersEstablished,
            _ => null,
        };
    }

    /// <summary>The kind of a row: <see cref="KindOf(string, string?, string?)"/>, with a pre-2019 demonstration split by its actors' categories.</summary>
    public static OccurrenceKind? KindOf(AcledRow row, Catalog.Catalog catalog)
    {
        if (row.SubEventType is not null || !SameType(row.EventType, "Riots/Protests")) return KindOf(row.EventType, row.SubEventType, row.Notes);
        var (first, second) = (CategoryOf(row.Inter1, row.Actor1, catalog), CategoryOf(row.Inter2, row.Actor2, catalog));
        // ACLED's 2019 split of the old type: rioters (INTER 5) make a riot, a mob when they
        // turn on civilians or other rioters; protesters (6) a protest, with intervention
        // when a second actor answered, with excessive force when someone died.
        if (first == AcledInter.Rioters)
            return second is AcledInter.Rioters or AcledInter.Civilians ? OccurrenceKind.MobViolence : OccurrenceKind.ViolentDemonstration;
        if (second is null or AcledInter.None) return OccurrenceKind.Protest;
        return row.Fatalities > 0 ? OccurrenceKind.ExcessiveForceAgainstProtesters : OccurrenceKind.ProtestWithIntervention;
    }

    /// <summary>
    /// An actor's ACLED category: the row's INTER code (a number before 2023, words since),
    /// else the catalog's kind of the actor, else what ACLED's generic names say
    /// ("Rioters (Libya)"). Null when nothing tells.
    /// </summary>
    internal static AcledInter? CategoryOf(string? inter, string? actorName, Catalog.Catalog catalog)
    {
        var code = inter?.Trim() ?? "";
        if (int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 8) return (AcledInter)n;
        foreach (var (words, category) in InterWords)
            if (code.StartsWith(words, StringComparison.OrdinalIgnoreCase)) return category;
        if (string.IsNullOrWhiteSpace(actorName)) return AcledInter.None;
        switch (catalog.FindActor(actorName)?.Kind)
        {
            case ActorKind.StateForce: return AcledInter.StateForces;
            case ActorKind.Civilians when actorName.TrimStart().StartsWith("Protesters", StringComparison.OrdinalIgnoreCase): return AcledInter.Protesters;
        }
        foreach (var (words, category) in InterWords)
            if (actorName.TrimStart().StartsWith(words, StringComparison.OrdinalIgnoreCase)) return category;
        return null;
    }

    private static readonly (string Words, AcledInter Category)[] InterWords =
    [
        ("State forces", AcledInter.StateForces), ("Military Forces of", AcledInter.StateForces), ("Police Forces of", AcledInter.StateForces),
        ("Rebel group", AcledInter.RebelGroup), ("Political militia", AcledInter.PoliticalMilitia), ("Identity militia", AcledInter.IdentityMilitia),
        ("Rioters", AcledInter.Rioters), ("Protesters", AcledInter.Protesters), ("Civilians", AcledInter.Civilians),
        ("External/Other forces", AcledInter.ExternalOrOther),
    ];

    private static OccurrenceKind RemoteViolence(string notes) =>
        SuicideWords().IsMatch(notes) ? OccurrenceKind.SuicideBomb
        : AirWords().IsMatch(notes) ? OccurrenceKind.AirStrike
        : ShellingWords().IsMatch(notes) ? OccurrenceKind.Shelling
        : OccurrenceKind.RemoteExplosive;

    // A release is checked before an arrest: notes on a release usually say when the
    // people were detained, never the other way round.
    private static OccurrenceKind OtherDevelopment(string notes, bool arrestsHaveTheirOwnType) =>
        ReleaseWords().IsMatch(notes) ? OccurrenceKind.PrisonersReleased
        : !arrestsHaveTheirOwnType && ArrestWords().IsMatch(notes) ? OccurrenceKind.Arrests
        : SurrenderWords().IsMatch(notes) ? OccurrenceKind.Surrender
        : OccurrenceKind.OtherDevelopment;

    /// <summary>The roles ACLED's actor1 and actor2 play in an event of this kind.</summary>
    internal static (ActorRole Actor1, ActorRole Actor2) RolesOf(OccurrenceKind kind) => kind switch
    {
        OccurrenceKind.ArmedClash or OccurrenceKind.Agreement or OccurrenceKind.ChangeToGroup
            or OccurrenceKind.PrisonersReleased or OccurrenceKind.OtherDevelopment => (ActorRole.Side, ActorRole.Side),
        OccurrenceKind.TerritoryTaken or OccurrenceKind.TerritoryLost or OccurrenceKind.TerritoryTransferred
            or OccurrenceKind.HeadquartersEstablished => (ActorRole.Gainer, ActorRole.Loser),
        OccurrenceKind.AirStrike or OccurrenceKind.SuicideBomb or OccurrenceKind.ChemicalWeapon or OccurrenceKind.Shelling
            or OccurrenceKind.RemoteExplosive or OccurrenceKind.Grenade
            or OccurrenceKind.AttackOnCivilians or OccurrenceKind.Assassination or OccurrenceKind.SexualViolence or OccurrenceKind.Abduction
            or OccurrenceKind.MobViolence or OccurrenceKind.Arrests or OccurrenceKind.Looting or OccurrenceKind.DisruptedWeaponsUse
            => (ActorRole.Perpetrator, ActorRole.Target),
        // ACLED puts the protesters first and whoever intervenes second.
        OccurrenceKind.Protest or OccurrenceKind.ProtestWithIntervention or OccurrenceKind.ExcessiveForceAgainstProtesters
            => (ActorRole.Protester, ActorRole.Side),
        OccurrenceKind.ViolentDemonstration => (ActorRole.Protester, ActorRole.Target),
        OccurrenceKind.Surrender => (ActorRole.Surrendering, ActorRole.Receiving),
        OccurrenceKind.DeclarationOfWar => (ActorRole.Declarer, ActorRole.Target),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// Whether the row's actor 1 can do what its type says (the codebook puts the actor who
    /// gains first): only state forces regain territory for a government, only a rebel or
    /// militia overtakes it as a non-state actor, only an armed actor takes over or sets up
    /// a base; violence against civilians has civilians as its target. Unknown categories
    /// give no contradiction.
    /// </summary>
    internal static bool IsConsistent(AcledRow row, OccurrenceKind kind, AcledInter? first, AcledInter? second)
    {
        if (first == AcledInter.None) first = null;  // no actor 1: nothing to contradict
        var type = row.SubEventType ?? row.EventType;
        bool Armed(AcledInter? c) => c is null or AcledInter.StateForces or AcledInter.RebelGroup or AcledInter.PoliticalMilitia
            or AcledInter.IdentityMilitia or AcledInter.ExternalOrOther;
        if (type.Contains("Government regains territory", StringComparison.OrdinalIgnoreCase)) return first is null or AcledInter.StateForces;
        if (type.Contains("Non-state actor overtakes territory", StringComparison.OrdinalIgnoreCase))
            return first is null or AcledInter.RebelGroup or AcledInter.PoliticalMilitia or AcledInter.IdentityMilitia;
        if (kind.ChangesControl()) return Armed(first);
        if (kind is OccurrenceKind.AttackOnCivilians or OccurrenceKind.SexualViolence or OccurrenceKind.Abduction)
            return second is null or AcledInter.None or AcledInter.Civilians;
        return true;
    }

    /// <summary>Every row of a file as an account, the catalog growing row by row.</summary>
    /// <param name="knownFrom">The day the file's rows were published, for rows without an ACLED timestamp; null for the import day.</param>
    public static AcledMappedFile ToAccounts(Catalog.Catalog catalog, IEnumerable<AcledRow> rows, string fileName, DateOnly? knownFrom = null)
    {
        var actors = new List<Actor>();
        var landmarks = new List<Landmark>();
        var accounts = new List<ImportedAccount>();
        foreach (var row in rows)
        {
            var mapped = ToAccount(catalog, row, fileName, knownFrom);
            catalog = mapped.Catalog;
            actors.AddRange(mapped.NewActors);
            landmarks.AddRange(mapped.NewLandmarks);
            accounts.Add(mapped.Account);
        }
        return new AcledMappedFile(catalog, actors, landmarks, accounts);
    }

    /// <summary>
    /// The row as an account. Actors and the place resolve through the catalog (ACLED's
    /// names are catalog aliases); a name the catalog does not know becomes a new entry
    /// rather than a refusal, since ACLED names thousands of actors and towns.
    /// </summary>
    public static AcledMapped ToAccount(Catalog.Catalog catalog, AcledRow row, string fileName, DateOnly? knownFrom = null)
    {
        var kind = KindOf(row, catalog)
            ?? throw new ArgumentException($"'{row.SubEventType ?? row.EventType}' is not an ACLED event type.", nameof(row));
        var newActors = new List<Actor>();
        var newLandmarks = new List<Landmark>();

        var (first, second) = (CategoryOf(row.Inter1, row.Actor1, catalog), CategoryOf(row.Inter2, row.Actor2, catalog));
        var consistent = IsConsistent(row, kind, first, second);
        var (role1, role2) = RolesOf(kind);
        // A row that contradicts itself names the sides, not who won: it never moves control on its own.
        if (!consistent && kind.ChangesControl()) (role1, role2) = (ActorRole.Side, ActorRole.Side);

        var actors = new List<ActorInRole>();
        void Add(string? name, string? inter, ActorRole role)
        {
            if (string.IsNullOrWhiteSpace(name)) return;
            var actor = catalog.FindActor(name);
            if (actor is null)
            {
                actor = NewActor(catalog, name.Trim(), inter);
                catalog = catalog.With(actor);
                newActors.Add(actor);
            }
            var entry = new ActorInRole(actor.Id, role);
            if (!actors.Contains(entry)) actors.Add(entry);
        }
        Add(row.Actor1, row.Inter1, role1);
        foreach (var name in Names(row.AssocActor1)) Add(name, null, ActorRole.Supporter);
        Add(row.Actor2, row.Inter2, role2);
        foreach (var name in Names(row.AssocActor2)) Add(name, null, ActorRole.Supporter);

        (catalog, var place) = AcledPlaces.Locate(catalog, row, newLandmarks);

        var published = row.TimestampDay ?? knownFrom;
        var account = new Account(
            kind,
            When(row.EventDate, row.TimePrecision),
            place.Id,
            actors,
            row.Fatalities is { } n ? new Fatalities(Exact: n) : null,
            Firmness.Reported,
            // The citation is ACLED's event, not the export file it came in: a later export
            // of the same unchanged row must read as the same account.
            new Source(row.Source?.Trim() ?? "ACLED", Headline: null, published, published is null ? null : DatePrecision.Day, "ACLED " + row.EventIdCnty, Quote(row.Notes)),
            Extent: kind.ChangesControl() ? ExtentOf(kind, row.Notes) : null,
            Acled: Details(row),
            Flags: consistent ? null : [Account.CodingInconsistent]);
        return new AcledMapped(catalog, newActors, newLandmarks,
            new ImportedAccount(OccurrencePrefix + row.EventIdCnty.ToLowerInvariant(), AccountPrefix + row.EventIdCnty, account, $"{fileName} line {row.Line}"));
    }

    /// <summary>
    /// How much of its place a territory row covers. ACLED codes a change of control at a
    /// location (a town, a city's point), and a city-level point is rarely the whole city:
    /// a part unless the notes say the whole. A base set up is never the whole place.
    /// </summary>
    internal static Extent ExtentOf(OccurrenceKind kind, string? notes) =>
        kind != OccurrenceKind.HeadquartersEstablished && WholeWords().IsMatch(notes ?? "") ? Extent.Whole : Extent.Part;

    /// <summary>ACLED's time precision as a window: the day, the ISO week (Monday to Sunday) or the calendar month.</summary>
    public static WorldTime When(DateOnly date, int timePrecision)
    {
        var day = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        switch (timePrecision)
        {
            case 1:
                return new WorldTime(date, date, DatePrecision.Day);
            case 2:
                var monday = date.AddDays(-(((int)date.DayOfWeek + 6) % 7));
                return new WorldTime(monday, monday.AddDays(6), DatePrecision.Week, $"ACLED time_precision 2: the week (Monday to Sunday) of {day}");
            case 3:
                var first = new DateOnly(date.Year, date.Month, 1);
                return new WorldTime(first, first.AddMonths(1).AddDays(-1), DatePrecision.Month, $"ACLED time_precision 3: the month of {day}");
            default:
                throw new ArgumentOutOfRangeException(nameof(timePrecision), timePrecision, "ACLED's time precision is 1, 2 or 3.");
        }
    }

    private static Actor NewActor(Catalog.Catalog catalog, string name, string? inter) =>
        new(UniqueId(name, id => catalog.Actor(id) is not null), name, name, ActorKindOf(CategoryOf(inter, name, Catalog.Catalog.Empty)), MemberOf: null, Aliases: []);

    /// <summary>The catalog kind of a new actor from its ACLED category; an editor can revise the entry later.</summary>
    private static ActorKind ActorKindOf(AcledInter? category) => category switch
    {
        AcledInter.StateForces => ActorKind.StateForce,
        AcledInter.Protesters or AcledInter.Rioters or AcledInter.Civilians => ActorKind.Civilians,
        _ => ActorKind.Group,
    };

    private static AcledDetails Details(AcledRow row) => new(
        row.EventIdCnty, row.EventType, row.SubEventType, row.TimePrecision, row.GeoPrecision,
        row.Location, row.Country, row.Admin1, row.Admin2, row.Admin3, row.Latitude, row.Longitude,
        row.Actor1, row.AssocActor1, row.Actor2, row.AssocActor2, row.Inter1, row.Inter2, row.Interaction,
        row.SourceScale, row.Notes, row.Tags, row.Iso, row.Region, row.DisorderType, row.CivilianTargeting, row.Timestamp,
        row.EventDate, row.Source, row.LatitudeAsWritten, row.LongitudeAsWritten);

    /// <summary>ACLED lists several associated actors in one cell, separated by semicolons.</summary>
    private static IEnumerable<string> Names(string? cell) =>
        (cell ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    internal static string? Quote(string? notes)
    {
        if (string.IsNullOrWhiteSpace(notes)) return null;
        var text = notes.Trim();
        if (text.Length <= QuoteLength) return text;
        var cut = text.LastIndexOf(' ', QuoteLength - 1);
        return text[..(cut > QuoteLength / 2 ? cut : QuoteLength - 1)].TrimEnd() + "…";
    }

    /// <summary>
    /// A kebab-case id ("Al-Fatayah" is "al-fatayah"). It reads as the same name to the
    /// catalog's alias index, so a name the catalog did not find never collides with an id
    /// it holds; the suffix is there for the odd name that is all punctuation.
    /// </summary>
    internal static string UniqueId(string name, Func<string, bool> taken)
    {
        var slug = Slug(name);
        if (slug.Length == 0) slug = "acled-" + DeterministicId.Hash(name);
        var id = slug;
        for (var n = 2; taken(id); n++) id = $"{slug}-{n}";
        return id;
    }

    internal static string Slug(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (c is '\'' or '\u2019' or '\u2018' or '`') continue;
            if (char.IsLetterOrDigit(c)) text.Append(char.ToLowerInvariant(c));
            else if (text.Length > 0 && text[^1] != '-') text.Append('-');
        }
        return text.ToString().TrimEnd('-');
    }

    internal static bool SameType(string a, string b) => Key(a) == Key(b);

    /// <summary>Type names compared without case and without the spaces some files put around "-" and "/".</summary>
    private static string Key(string type) => TypeSeparators().Replace(type.Trim().ToLowerInvariant(), "$1");

    [GeneratedRegex(@"\s*([-/])\s*")]
    private static partial Regex TypeSeparators();

    [GeneratedRegex(@"\bsuicide", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SuicideWords();

    [GeneratedRegex(@"\bair[\s-]?(strikes?|raids?)\b|\bjets?\b|\bdrones?\b|\bwarplanes?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AirWords();

    [GeneratedRegex(@"\bshell(s|ed|ing)?\b|\bartillery\b|\brockets?\b|\bmissiles?\b|\bmortars?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ShellingWords();

    [GeneratedRegex(@"\b(full|complete|total|entire)\s+control\b|\b(entire|whole)\s+(city|town|village|area|district|region)\b|\bfully\s+(took|taken|captured|seized|liberated)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WholeWords();

    [GeneratedRegex(@"\barrest(s|ed|ing)?\b|\bdetain(s|ed|ing)?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ArrestWords();

    [GeneratedRegex(@"\bsurrender(s|ed|ing)?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SurrenderWords();

    [GeneratedRegex(@"\breleas(e|es|ed|ing)\b.{0,60}?\b(prisoners?|detainees?|captives?|hostages?)\b|\b(prisoners?|detainees?|captives?|hostages?)\b.{0,60}?\breleas(e|es|ed|ing)\b|\bprisoner (exchange|swap)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex ReleaseWords();
}
