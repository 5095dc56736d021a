namespace ConflictLedger.Catalog;

public enum ActorKind { Group, Person, StateForce, Civilians }

/// <param name="Id">Canonical id, e.g. "islamic-state".</param>
/// <param name="AcledName">The actor's name in ACLED data, when ACLED has one.</param>
public sealed record Actor(string Id, string Name, string? AcledName, ActorKind Kind, string? MemberOf, IReadOnlyList<string> Aliases);

/// <param name="Parent">The enclosing landmark (al-Harish Hospital is in Derna, Derna in Libya).</param>
/// <param name="Lat">Only where a source gives coordinates.</param>
public sealed record Landmark(string Id, string Name, string Kind, string? Parent, double? Lat, double? Lon, IReadOnlyList<string> Aliases);

/// <summary>A catalog entry was added or revised. Stored in the stream "catalog-actor-{id}".</summary>
public sealed record ActorCataloged(Actor Actor);

/// <summary>Stored in the stream "catalog-landmark-{id}".</summary>
public sealed record LandmarkCataloged(Landmark Landmark);

public static class CatalogEvents
{
    public const string ActorType = "actor-cataloged.v1";
    public const string LandmarkType = "landmark-cataloged.v1";
    public static readonly string[] Types = [ActorType, LandmarkType];

    public static string ActorStream(string id) => "catalog-actor-" + id;
    public static string LandmarkStream(string id) => "catalog-landmark-" + id;
}
