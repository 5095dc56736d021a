using ConflictLedger.EventStore;

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
        var data = e switch
        {
            AccountReported r => Json.Serialize(r),
            AccountCorrected c => Json.Serialize(c),
            AccountRetracted t => Json.Serialize(t),
            _ => throw new ArgumentException($"Unknown occurrence event {e.GetType().Name}", nameof(e)),
        };
        return new EventData(
            DeterministicId.From(StreamId(e.OccurrenceId), decidedAtVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), TypeOf(e), data),
            TypeOf(e), data, metadata);
    }

    /// <summary>The domain record of a stored event, or null when the event is not an occurrence event.</summary>
    public static IOccurrenceEvent? FromStored(string type, string data) => type switch
    {
        Corrected => Json.Deserialize<AccountCorrected>(data),
        Retracted => Json.Deserialize<AccountRetracted>(data),
        _ when ReportedTypes.Contains(type) => Json.Deserialize<AccountReported>(data),
        _ => null,
    };
}
