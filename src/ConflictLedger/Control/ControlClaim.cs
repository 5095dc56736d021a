using ConflictLedger.Occurrences;

namespace ConflictLedger.Control;

/// <summary>What a claim says about a landmark: that control changed, or that it was fought over.</summary>
public enum ClaimEffect { Change, Fighting }

/// <summary>The source behind a claim, as an answer cites it.</summary>
public sealed record SourceRef(string Outlet, string? Headline, DateOnly? Published, string? File, string? Quote);

/// <summary>
/// One version of one account, reduced to what it says about control of one landmark.
/// <paramref name="KnownFrom"/> is the first day the ledger could know this version
/// (publication, or recording when no publication date is known);
/// <paramref name="SupersededFrom"/> the day a correction or retraction replaced it.
/// </summary>
public sealed record ControlClaim(
    Guid EventId,
    long Position,
    string OccurrenceId,
    string AccountId,
    string Landmark,
    ClaimEffect Effect,
    OccurrenceKind Kind,
    DateOnly Earliest,
    DateOnly Latest,
    IReadOnlyList<string> Gainers,
    IReadOnlyList<string> Losers,
    Firmness Firmness,
    string? Claimant,
    Extent? Extent,
    SourceRef Source,
    DateOnly KnownFrom,
    DateOnly? SupersededFrom,
    IReadOnlyList<string>? Flags = null)
{
    /// <summary>True when this version counts for an answer as known on <paramref name="known"/>.</summary>
    public bool StandsOn(DateOnly known) => KnownFrom <= known && (SupersededFrom is null || SupersededFrom > known);

    /// <summary>The day after the window: from then on the change has happened.</summary>
    public DateOnly End => Latest.AddDays(1);

    /// <summary>
    /// The claims an account makes about control: a change of control at its place, or
    /// fighting there. A take-over of only a part of the place, or one whose coding
    /// contradicts itself (flagged), contests the place but never changes its holder.
    /// Other kinds (an assassination, a protest) say nothing about who holds it.
    /// </summary>
    public static ControlClaim? From(Guid eventId, long position, string occurrenceId, string accountId, Account account, DateOnly knownFrom)
    {
        if (EffectOf(account) is not { } effect) return null;
        var source = account.Source;
        return new ControlClaim(
            eventId, position, occurrenceId, accountId, account.Place, effect, account.Kind,
            account.When.Earliest, account.When.Latest,
            account.ActorsIn(ActorRole.Gainer).ToList(), account.ActorsIn(ActorRole.Loser).ToList(),
            account.Firmness, account.Claimant, account.Extent,
            new SourceRef(source.Outlet, source.Headline, source.Published, source.File, source.Quote),
            knownFrom, null, account.Flags);
    }

    /// <summary>
    /// The claim an occurrence event makes, if any: a report's counts from its publication
    /// (<see cref="KnowableFrom"/>), a correction's from the day it was recorded; a
    /// retraction makes none.
    /// </summary>
    public static ControlClaim? Made(Guid eventId, long position, IOccurrenceEvent e, DateOnly recorded) => e switch
    {
        AccountReported r => From(eventId, position, e.OccurrenceId, e.AccountId, r.Account, KnowableFrom(r.Account.Source, recorded)),
        AccountCorrected c => From(eventId, position, e.OccurrenceId, e.AccountId, c.Account, recorded),
        _ => null,
    };

    /// <summary>What the account's claim says about its place (see <see cref="From"/>); null when it makes none.</summary>
    public static ClaimEffect? EffectOf(Account account)
    {
        var changes = account.Kind.ChangesControl();
        return changes && account.Extent != Occurrences.Extent.Part && !account.IsFlagged(Account.CodingInconsistent) ? ClaimEffect.Change
            : changes || account.Kind is OccurrenceKind.ArmedClash ? ClaimEffect.Fighting
            : null;
    }

    /// <summary>
    /// The first day a report could be known: its publication date, pushed to the end of
    /// the window when only the week or month is known (never more certain than the
    /// source); the day it was recorded when the source gives no date.
    /// </summary>
    public static DateOnly KnowableFrom(Source source, DateOnly recorded) => source.Published is not { } published
        ? recorded
        : source.PublishedPrecision switch
        {
            DatePrecision.Week => published.AddDays(6),
            DatePrecision.Month => new DateOnly(published.Year, published.Month, 1).AddMonths(1).AddDays(-1),
            DatePrecision.Unknown => recorded,
            _ => published,
        };
}
