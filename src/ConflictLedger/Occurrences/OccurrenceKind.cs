namespace ConflictLedger.Occurrences;

/// <summary>What happened, in the terms of ACLED's taxonomy so data moves both ways.</summary>
public enum OccurrenceKind
{
    ArmedClash,
    TerritoryTaken,
    TerritoryLost,
    TerritoryTransferred,
    HeadquartersEstablished,
    AirStrike,
    SuicideBomb,
    AttackOnCivilians,
    Assassination,
    Surrender,
    DeclarationOfWar,
    Protest,
    Arrests,
    PrisonersReleased,
    ChemicalWeapon,
    Shelling,
    RemoteExplosive,
    Grenade,
    SexualViolence,
    Abduction,
    ProtestWithIntervention,
    ExcessiveForceAgainstProtesters,
    ViolentDemonstration,
    MobViolence,
    Agreement,
    ChangeToGroup,
    DisruptedWeaponsUse,
    Looting,
    OtherDevelopment,
}

public sealed record AcledType(string EventType, string SubEventType);

public static class OccurrenceKinds
{
    /// <summary>
    /// The ACLED (2019-) event and sub-event type of each kind. ACLED has no sub-event
    /// for an assassination, a surrender, a declaration of war or a prisoner release: it
    /// codes them as an attack or as "Other" strategic developments, and so do we.
    /// </summary>
    public static AcledType Acled(this OccurrenceKind kind) => kind switch
    {
        OccurrenceKind.ArmedClash => new("Battles", "Armed clash"),
        OccurrenceKind.TerritoryTaken => new("Battles", "Non-state actor overtakes territory"),
        OccurrenceKind.TerritoryLost => new("Battles", "Non-state actor overtakes territory"),
        OccurrenceKind.TerritoryTransferred => new("Strategic developments", "Non-violent transfer of territory"),
        OccurrenceKind.HeadquartersEstablished => new("Strategic developments", "Headquarters or base established"),
        OccurrenceKind.AirStrike => new("Explosions/Remote violence", "Air/drone strike"),
        OccurrenceKind.SuicideBomb => new("Explosions/Remote violence", "Suicide bomb"),
        OccurrenceKind.AttackOnCivilians => new("Violence against civilians", "Attack"),
        OccurrenceKind.Assassination => new("Violence against civilians", "Attack"),
        OccurrenceKind.Surrender => new("Strategic developments", "Other"),
        OccurrenceKind.DeclarationOfWar => new("Strategic developments", "Other"),
        OccurrenceKind.Protest => new("Protests", "Peaceful protest"),
        OccurrenceKind.Arrests => new("Strategic developments", "Arrests"),
        OccurrenceKind.PrisonersReleased => new("Strategic developments", "Other"),
        OccurrenceKind.ChemicalWeapon => new("Explosions/Remote violence", "Chemical weapon"),
        OccurrenceKind.Shelling => new("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        OccurrenceKind.RemoteExplosive => new("Explosions/Remote violence", "Remote explosive/landmine/IED"),
        OccurrenceKind.Grenade => new("Explosions/Remote violence", "Grenade"),
        OccurrenceKind.SexualViolence => new("Violence against civilians", "Sexual violence"),
        OccurrenceKind.Abduction => new("Violence against civilians", "Abduction/forced disappearance"),
        OccurrenceKind.ProtestWithIntervention => new("Protests", "Protest with intervention"),
        OccurrenceKind.ExcessiveForceAgainstProtesters => new("Protests", "Excessive force against protesters"),
        OccurrenceKind.ViolentDemonstration => new("Riots", "Violent demonstration"),
        OccurrenceKind.MobViolence => new("Riots", "Mob violence"),
        OccurrenceKind.Agreement => new("Strategic developments", "Agreement"),
        OccurrenceKind.ChangeToGroup => new("Strategic developments", "Change to group/activity"),
        OccurrenceKind.DisruptedWeaponsUse => new("Strategic developments", "Disrupted weapons use"),
        OccurrenceKind.Looting => new("Strategic developments", "Looting/property destruction"),
        OccurrenceKind.OtherDevelopment => new("Strategic developments", "Other"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>True for kinds that change who controls a place.</summary>
    public static bool ChangesControl(this OccurrenceKind kind) => kind is
        OccurrenceKind.TerritoryTaken or OccurrenceKind.TerritoryLost or
        OccurrenceKind.TerritoryTransferred or OccurrenceKind.HeadquartersEstablished;

    /// <summary>The stored event type of a first account of this kind, e.g. "assassination-reported.v1".</summary>
    public static string ReportedEventType(this OccurrenceKind kind) => Json.Name(kind) + "-reported.v1";
}
