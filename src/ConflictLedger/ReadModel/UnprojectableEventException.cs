using JasperFx.Events;
using JasperFx.Events.Daemon;

namespace ConflictLedger.ReadModel;

/// <summary>
/// An event the read model cannot project. Marten's daemon dead-letters it (skips it and
/// records a <see cref="DeadLetterEvent"/>) and goes on; its message carries the reason,
/// which Marten's own exception message would not.
/// </summary>
public sealed class UnprojectableEventException(IEvent e, Exception reason) : ApplyEventException(e, reason)
{
    public override string Message => $"Event {Event.Sequence} ({Event.EventTypeName}, id {Event.Id}) was set aside: {InnerException!.Message}";
}

/// <summary>An event the read model set aside, and why.</summary>
public sealed record DeadLetter(long Position, string Reason, string? ExceptionType, DateTimeOffset At);
