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
                    TryProject(id, position, recordedAt, occurrence);
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

    /// <summary>Runs the projection's pure functions on the event alone: the occurrence document, its claim and that claim's intervals.</summary>
    private static void TryProject(Guid id, long position, DateTimeOffset recordedAt, IOccurrenceEvent e)
    {
        // A retraction alone leaves no account to show (the writer keeps no document for an
        // occurrence without accounts); viewing it threw, and every retraction was set aside.
        if (Occurrence.Empty(e.OccurrenceId).Evolve(e) is { Accounts.Count: > 0 } alone) _ = OccurrenceView.Of(alone);
        var day = DateOnly.FromDateTime(recordedAt.UtcDateTime);
        var account = e switch { AccountReported r => r.Account, AccountCorrected c => c.Account, _ => null };
        if (account is null) return;
        var knownFrom = e is AccountReported ? ControlClaim.KnowableFrom(account.Source, day) : day;
        if (ControlClaim.From(id, position, e.OccurrenceId, e.AccountId, account, knownFrom) is { } claim)
            _ = ControlTimeline.Build(claim.Landmark, [claim]);
    }
}
