using ConflictLedger.Catalog;
using ConflictLedger.Control;
using ConflictLedger.Occurrences;

namespace ConflictLedger.ReadModel;

/// <summary>An event as the read model takes it: the domain record, checked before any row is written.</summary>
public sealed record ProjectedEvent(Guid Id, long Position, DateTimeOffset RecordedAt, string Type, object Domain)
{
    /// <summary>
    /// Checks everything about one event that could make projecting it throw: missing
    /// parts, and the pure functions the projection will run on it alone. An event that
    /// fails is set aside (dead-lettered) instead of stopping the read model; everything
    /// after it is still projected. Throws <see cref="MalformedEventException"/>.
    /// </summary>
    public static ProjectedEvent Checked(Guid id, long position, DateTimeOffset recordedAt, string type, object data)
    {
        try
        {
            switch (data)
            {
                case IOccurrenceEvent occurrence:
                    OccurrenceEvents.Checked(type, occurrence);
                    CheckWindow(recordedAt, type, occurrence);
                    break;
                case ActorCataloged { Actor.Id: not null }:
                case LandmarkCataloged { Landmark.Id: not null }:
                    break;
                default:
                    throw new MalformedEventException(type, "its data is not a whole catalog entry");
            }
        }
        catch (MalformedEventException)
        {
            throw;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new MalformedEventException(type, ex.Message);
        }
        return new ProjectedEvent(id, position, recordedAt, type, data);
    }

    /// <summary>
    /// What projecting the event alone computes that can fail, computed without projecting
    /// it: the occurrence document agrees on a window, which fails when the account's window
    /// runs backwards; the timeline ends a claim's change on the day after its window
    /// (<see cref="ControlClaim.End"/>), which fails on the calendar's last day; a report is
    /// known from its publication, which can overflow too. This check ran the document and
    /// the claim's timeline instead: most of a rebuild's check, and 3 of its 8 GB allocated
    /// for 300,000 events. <c>SingleEventCheckTests</c> derives both for random accounts (the
    /// calendar's edges included) and pins that this check fails exactly when they do.
    /// </summary>
    private static void CheckWindow(DateTimeOffset recordedAt, string type, IOccurrenceEvent e)
    {
        var account = e switch { AccountReported r => r.Account, AccountCorrected c => c.Account, _ => null };
        // A retraction changes no window (alone it leaves no account to show).
        if (account is null) return;
        if (account.When.Earliest > account.When.Latest)
            throw new MalformedEventException(type, $"its window runs backwards: account.when.earliest {account.When.Earliest:yyyy-MM-dd} is after account.when.latest {account.When.Latest:yyyy-MM-dd}");
        if (e is AccountReported) _ = ControlClaim.KnowableFrom(account.Source, DateOnly.FromDateTime(recordedAt.UtcDateTime));
        // The day after the window, as the account's claim computes it (ControlClaim.End).
        if (ControlClaim.EffectOf(account) is not null) _ = account.When.Latest.AddDays(1);
    }
}
