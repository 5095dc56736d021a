namespace ConflictLedger.Tests;

public class WorldDatesTests
{
    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public void the_range_runs_from_1800_to_one_year_after_today_both_included()
    {
        Assert.True(WorldDates.Contains(new DateOnly(1800, 1, 1)));
        Assert.True(WorldDates.Contains(Today.AddYears(1)));
        Assert.False(WorldDates.Contains(new DateOnly(1799, 12, 31)));
        Assert.False(WorldDates.Contains(Today.AddYears(1).AddDays(1)));
        Assert.False(WorldDates.Contains(DateOnly.MaxValue));
        Assert.False(WorldDates.Contains(DateOnly.MinValue));
    }

    [Fact]
    public void a_refusal_names_the_day_and_the_range()
    {
        Assert.Null(WorldDates.Problem(new DateOnly(2015, 6, 12)));
        Assert.StartsWith("9999-12-31 is outside the dates the ledger accepts: 1800-01-01 to ", WorldDates.Problem(DateOnly.MaxValue));
    }
}
