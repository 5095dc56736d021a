using ConflictLedger.Occurrences;

namespace ConflictLedger.Control;

/// <summary>
/// held: one side holds it by every standing account; contested: held, but fighting is
/// reported there; disputed: sources name different holders for the same time;
/// uncertain: inside a change's date window, so either side may hold it;
/// unknown: a side lost it and no source names who holds it now.
/// </summary>
public enum ControlStatus { Held, Contested, Disputed, Uncertain, Unknown }

/// <summary>An account behind an interval, and what it contributes to it.</summary>
public sealed record Evidence(
    Guid EventId,
    long Position,
    string OccurrenceId,
    string AccountId,
    OccurrenceKind Kind,
    string Says,
    Firmness Firmness,
    string? Claimant,
    Extent? Extent,
    SourceRef Source,
    IReadOnlyList<string>? Flags = null)
{
    /// <summary>The claim behind an interval, and what it says there: everything but <paramref name="says"/> is the claim's.</summary>
    public static Evidence Of(ControlClaim claim, string says) =>
        new(claim.EventId, claim.Position, claim.OccurrenceId, claim.AccountId, claim.Kind, says, claim.Firmness, claim.Claimant, claim.Extent, claim.Source, claim.Flags);
}

/// <summary>
/// Who controlled a landmark over <c>[From, To)</c> (world time, whole days; null is
/// open-ended). <paramref name="Controller"/> is set when one side holds it; otherwise
/// <paramref name="Candidates"/> names the sides in question. Inside a change of hands,
/// <paramref name="Change"/> is the change's window as all its sources allow it, with the
/// sources that pinned it or the dates in dispute.
/// </summary>
public sealed record ControlInterval(
    string Landmark,
    DateOnly? From,
    DateOnly? To,
    string? Controller,
    ControlStatus Status,
    IReadOnlyList<string> Candidates,
    IReadOnlyList<Evidence> Evidence,
    AgreedWindow? Change = null)
{
    public bool Covers(DateOnly day) => (From is null || From <= day) && (To is null || day < To);
}
