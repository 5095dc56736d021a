namespace ConflictLedger.EventStore;

/// <summary>
/// Where an event sits in the global order: the writing transaction's id, then the
/// event's sequence number. <see cref="Value"/> (the sequence number) is the
/// position shown to users; it is unique per event, and <see cref="EventStore.ResolveAsync"/>
/// turns it back into the full pair. Compare positions with this type, not with the
/// number alone: transactions commit in any order, so log order is (TxId, Value).
/// </summary>
public readonly record struct LogPosition(ulong TxId, long Value) : IComparable<LogPosition>
{
    public static readonly LogPosition Start = new(0, 0);

    public int CompareTo(LogPosition other)
    {
        var byTx = TxId.CompareTo(other.TxId);
        return byTx != 0 ? byTx : Value.CompareTo(other.Value);
    }

    public static bool operator <(LogPosition a, LogPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(LogPosition a, LogPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(LogPosition a, LogPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(LogPosition a, LogPosition b) => a.CompareTo(b) >= 0;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
