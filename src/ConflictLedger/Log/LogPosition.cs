namespace ConflictLedger.Log;

/// <summary>
/// Where an event sits in the global order: Marten's sequence number (<c>mt_events.seq_id</c>).
/// Every append draws its numbers under one lock held until it commits (see
/// <see cref="LedgerLog"/>), so numbers are handed out in commit order and a reader that has
/// seen position n has seen, or will never see, every number below it.
/// </summary>
public readonly record struct LogPosition(long Value) : IComparable<LogPosition>
{
    public static readonly LogPosition Start = new(0);

    public int CompareTo(LogPosition other) => Value.CompareTo(other.Value);

    public static bool operator <(LogPosition a, LogPosition b) => a.Value < b.Value;
    public static bool operator >(LogPosition a, LogPosition b) => a.Value > b.Value;
    public static bool operator <=(LogPosition a, LogPosition b) => a.Value <= b.Value;
    public static bool operator >=(LogPosition a, LogPosition b) => a.Value >= b.Value;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
