using System.Globalization;

namespace ConflictLedger;

/// <summary>
/// The world dates the ledger accepts: 1800-01-01 to one year after today (UTC). Every
/// door (the API, report files, ACLED rows) refuses a date outside with a field-level
/// problem, so no stored event carries a date the projections cannot place (9999-12-31
/// once stopped the read model for good).
/// </summary>
public static class WorldDates
{
    public static readonly DateOnly Earliest = new(1800, 1, 1);

    /// <summary>One year after today, UTC: a planned event ("the truce ends on ...") may lie ahead, not centuries ahead.</summary>
    public static DateOnly Latest => DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1);

    public static bool Contains(DateOnly day) => day >= Earliest && day <= Latest;

    /// <summary>Why the day is refused, or null when it is in range.</summary>
    public static string? Problem(DateOnly day) => Contains(day)
        ? null
        : $"{Day(day)} is outside the dates the ledger accepts: {Day(Earliest)} to {Day(Latest)} (one year after today, UTC)";

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
