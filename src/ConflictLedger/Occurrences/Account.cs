namespace ConflictLedger.Occurrences;

/// <summary>How finely a date is known: ACLED's time_precision 1 (day), 2 (week), 3 (month); "unknown" for "last year".</summary>
public enum DatePrecision { Day, Week, Month, Unknown }

/// <summary>
/// When an occurrence happened, as a window: it happened on some day between
/// <paramref name="Earliest"/> and <paramref name="Latest"/> (both included).
/// </summary>
public sealed record WorldTime(DateOnly Earliest, DateOnly Latest, DatePrecision Precision, string? Derivation = null)
{
    public bool IsExactDay => Earliest == Latest;
}

public enum ActorRole { Perpetrator, Target, Side, Gainer, Loser, Surrendering, Receiving, Declarer, Protester, Supporter }

/// <param name="Actor">The actor's canonical catalog id.</param>
public sealed record ActorInRole(string Actor, ActorRole Role);

/// <summary>How sure the source is: it reports it, a party claims it, or it is unconfirmed.</summary>
public enum Firmness { Reported, Claimed, Unconfirmed }

/// <summary>How much of an area a territorial claim covers ("90 percent of Derna" is most).</summary>
public enum Extent { Whole, Most, Part }

/// <summary>A death toll as reported: an exact number or a lower bound ("at least 20").</summary>
public sealed record Fatalities(int? Exact = null, int? AtLeast = null)
{
    /// <summary>The figure used for the low end of a range: "at least N" counts as N.</summary>
    public int Low => Exact ?? AtLeast ?? 0;

    public override string ToString() => Exact is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"at least {AtLeast}";
}

/// <summary>Who said it, where and when. <paramref name="File"/> names the report in the sources folder or the import file.</summary>
public sealed record Source(
    string Outlet,
    string? Headline,
    DateOnly? Published,
    DatePrecision? PublishedPrecision,
    string? File,
    string? Quote);

/// <summary>
/// One source's account of an occurrence: what, when, where, who, how many died and
/// how firm the claim is. Accounts are never edited; a later account, a correction or a
/// retraction is a new event.
/// </summary>
public sealed record Account(
    OccurrenceKind Kind,
    WorldTime When,
    string Place,
    IReadOnlyList<ActorInRole> Actors,
    Fatalities? Fatalities,
    Firmness Firmness,
    Source Source,
    string? Claimant = null,
    Extent? Extent = null,
    string? Note = null,
    AcledDetails? Acled = null,
    IReadOnlyList<string>? Flags = null)
{
    /// <summary>The flag of an imported row whose coding contradicts itself: kept and shown, but it never moves control on its own.</summary>
    public const string CodingInconsistent = "coding-inconsistent";

    public bool IsFlagged(string flag) => Flags?.Contains(flag) == true;

    public AcledType AcledType => Kind.Acled();

    public IEnumerable<string> ActorsIn(ActorRole role) => Actors.Where(a => a.Role == role).Select(a => a.Actor);
}

/// <summary>
/// ACLED fields kept verbatim (spaces and coordinate digits as written) so an export gives
/// the row back. <paramref name="EventType"/>
/// is the type as the file wrote it (pre-2019 files: "Battle-No change of territory", no
/// sub-event type). <paramref name="EventDate"/> is ACLED's own date: with time_precision 2
/// or 3 the account's window is wider and no longer says which day ACLED wrote.
/// </summary>
public sealed record AcledDetails(
    string EventIdCnty,
    string EventType,
    string? SubEventType,
    int TimePrecision,
    int? GeoPrecision,
    string? Location,
    string? Country,
    string? Admin1,
    string? Admin2,
    string? Admin3,
    double? Latitude,
    double? Longitude,
    string? Actor1,
    string? AssocActor1,
    string? Actor2,
    string? AssocActor2,
    string? Inter1,
    string? Inter2,
    string? Interaction,
    string? SourceScale,
    string? Notes,
    string? Tags,
    string? Iso,
    string? Region,
    string? DisorderType,
    string? CivilianTargeting,
    string? Timestamp,
    DateOnly? EventDate = null,
    string? Source = null,
    string? LatitudeAsWritten = null,
    string? LongitudeAsWritten = null);
