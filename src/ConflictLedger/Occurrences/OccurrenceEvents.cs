using ConflictLedger.Log;

namespace ConflictLedger.Occurrences;

/// <summary>An event on an occurrence's stream (<c>incident-{occurrence id}</c>).</summary>
public interface IOccurrenceEvent
{
    string OccurrenceId { get; }
    string AccountId { get; }
}

/// <summary>A source's account of the occurrence arrived. Stored as "{kind}-reported.v1".</summary>
public sealed record AccountReported(string OccurrenceId, string AccountId, Account Account) : IOccurrenceEvent;

/// <summary>The account's source (or an editor) corrected it; the new account replaces the old in projections, the old stays in the log.</summary>
public sealed record AccountCorrected(string OccurrenceId, string AccountId, Account Account, string Reason) : IOccurrenceEvent;

/// <summary>The account was withdrawn; projections stop counting it.</summary>
public sealed record AccountRetracted(string OccurrenceId, string AccountId, string Reason) : IOccurrenceEvent;

/// <summary>A stored event of an occurrence type that is not a whole domain event.</summary>
public sealed class MalformedEventException(string type, string reason) : Exception($"A {type} event is malformed: {reason}.");

/// <summary>Stable type names and the mapping between stored events and domain records.</summary>
public static class OccurrenceEvents
{
    public const string Corrected = "account-corrected.v1";
    public const string Retracted = "account-retracted.v1";
    public const string StreamPrefix = "incident-";

    public static string StreamId(string occurrenceId) => StreamPrefix + occurrenceId;

    public static readonly IReadOnlySet<string> ReportedTypes =
        Enum.GetValues<OccurrenceKind>().Select(k => k.ReportedEventType()).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every stored type this module writes, for feed filters and projections.</summary>
    public static readonly IReadOnlySet<string> AllTypes =
        ReportedTypes.Append(Corrected).Append(Retracted).ToHashSet(StringComparer.Ordinal);

    public static string TypeOf(IOccurrenceEvent e) => e switch
    {
        AccountReported r => r.Account.Kind.ReportedEventType(),
        AccountCorrected => Corrected,
        AccountRetracted => Retracted,
        _ => throw new ArgumentException($"Unknown occurrence event {e.GetType().Name}", nameof(e)),
    };

    /// <summary>
    /// The event to store. Its id is derived from the content and the stream version it
    /// was decided on, so re-sending the same decision is a no-op, while the same content
    /// decided again later (a correction reverted, then restored) is a new event.
    /// </summary>
    public static EventData ToEventData(IOccurrenceEvent e, long decidedAtVersion, string metadata = "{}")
    {
        if (e is not (AccountReported or AccountCorrected or AccountRetracted))
            throw new ArgumentException($"Unknown occurrence event {e.GetType().Name}", nameof(e));
        var stored = EventData.FromRecord(Guid.Empty, TypeOf(e), e, metadata);
        return stored with
        {
            Id = DeterministicId.From(StreamId(e.OccurrenceId), decidedAtVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), TypeOf(e), stored.Data),
        };
    }

    /// <summary>
    /// The domain record of a stored event, or null when the event is not an occurrence
    /// event. The store takes any JSON, so a writer that bypasses the domain can store an
    /// event of an occurrence type that is not a whole account: that throws
    /// <see cref="MalformedEventException"/> instead of passing on nulls.
    /// </summary>
    public static IOccurrenceEvent? FromStored(string type, string data)
    {
        IOccurrenceEvent? e;
        try
        {
            e = type switch
            {
                Corrected => Json.Deserialize<AccountCorrected>(data),
                Retracted => Json.Deserialize<AccountRetracted>(data),
                _ when ReportedTypes.Contains(type) => Json.Deserialize<AccountReported>(data),
                _ => null,
            };
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new MalformedEventException(type, ex.Message);
        }
        return e is null ? null : Checked(type, e);
    }

    /// <summary>The event when it is a whole domain event; throws <see cref="MalformedEventException"/> naming what is missing.</summary>
    public static IOccurrenceEvent Checked(string type, IOccurrenceEvent e)
    {
        var missing = Missing(e).ToList();
        return missing.Count == 0 ? e : throw new MalformedEventException(type, "missing " + string.Join(", ", missing));
    }

    private static IEnumerable<string> Missing(IOccurrenceEvent e)
    {
        if (e.OccurrenceId is null) yield return "occurrenceId";
        if (e.AccountId is null) yield return "accountId";
        var account = e switch { AccountReported r => r.Account, AccountCorrected c => c.Account, _ => null };
        if (e is AccountRetracted) yield break;
        if (account is null)
        {
            yield return "account";
            yield break;
        }
        if (account.When is null) yield return "account.when";
        if (account.Place is null) yield return "account.place";
        if (account.Actors is null) yield return "account.actors";
        if (account.Source is null) yield return "account.source";
    }
}
