using ConflictLedger.Control;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// The window rule on the windows the sources give (the seed's five reports plus ISW's
/// account of 16 June 2015): the narrowest window every source allows, disputed only where
/// windows do not overlap.
/// </summary>
public sealed class AgreedWindowTests
{
    private static SourceWindow W(string account, string earliest, string latest) =>
        new(account, account.Split('/')[0], DateOnly.Parse(earliest), DateOnly.Parse(latest));

    private static readonly SourceWindow LibyaChannel = W("002/derna-taken", "2015-06-10", "2015-06-14");
    private static readonly SourceWindow LongWarJournal = W("003/derna-taken", "2015-06-10", "2015-06-14");
    private static readonly SourceWindow June = W("004/is-admits-losing-derna", "2015-06-01", "2015-06-30");
    private static readonly SourceWindow Isw = W("isw/is-lost-derna-12-june", "2015-06-12", "2015-06-12");

    [Fact]
    public void a_month_and_a_day_inside_it_agree_on_the_day_pinned_by_the_source_that_gave_it()
    {
        var when = AgreedWindow.Of([LibyaChannel, LongWarJournal, June, Isw]);
        Assert.False(when.IsDisputed);
        Assert.Equal((new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 12)), (when.Earliest, when.Latest));
        Assert.Equal(["isw/is-lost-derna-12-june"], when.PinnedBy.Select(w => w.AccountId));
    }

    [Fact]
    public void without_the_day_the_weeks_of_two_reports_pin_it()
    {
        var when = AgreedWindow.Of([LibyaChannel, LongWarJournal, June]);
        Assert.Equal((new DateOnly(2015, 6, 10), new DateOnly(2015, 6, 14)), (when.Earliest, when.Latest));
        Assert.Equal(["002/derna-taken", "003/derna-taken"], when.PinnedBy.Select(w => w.AccountId));
    }

    [Fact]
    public void windows_that_do_not_overlap_are_a_dispute_between_named_sources_keeping_both_days()
    {
        // The assassination: 000 and 001 give the week to 10 June, 002 says 10 June,
        // 003 the week of 7-13 June, 004 "June", ISW 9 June.
        var when = AgreedWindow.Of([
            W("000/akr-shot", "2015-06-04", "2015-06-10"), W("001/akr-killed", "2015-06-04", "2015-06-10"),
            W("002/akr-killed", "2015-06-10", "2015-06-10"), W("003/akr-killed", "2015-06-07", "2015-06-13"),
            W("004/akr-june", "2015-06-01", "2015-06-30"), W("isw/akr-9-june", "2015-06-09", "2015-06-09"),
        ]);
        Assert.True(when.IsDisputed);
        Assert.Empty(when.PinnedBy);
        Assert.Equal((new DateOnly(2015, 6, 9), new DateOnly(2015, 6, 10)), (when.Earliest, when.Latest));
        var (ninth, tenth) = (when.Disputed[0], when.Disputed[1]);
        Assert.Equal((new DateOnly(2015, 6, 9), new DateOnly(2015, 6, 9)), (ninth.Earliest, ninth.Latest));
        Assert.Contains(ninth.Sources, w => w.AccountId == "isw/akr-9-june");
        Assert.DoesNotContain(ninth.Sources, w => w.AccountId == "002/akr-killed");
        Assert.Equal((new DateOnly(2015, 6, 10), new DateOnly(2015, 6, 10)), (tenth.Earliest, tenth.Latest));
        Assert.Contains(tenth.Sources, w => w.AccountId == "002/akr-killed");
        Assert.DoesNotContain(tenth.Sources, w => w.AccountId == "isw/akr-9-june");
    }

    [Fact]
    public void windows_that_touch_without_sharing_a_day_do_not_overlap()
    {
        var when = AgreedWindow.Of([W("a/1", "2015-06-01", "2015-06-09"), W("b/1", "2015-06-10", "2015-06-12")]);
        Assert.Equal(2, when.Disputed.Count);
    }

    [Fact]
    public void one_source_pins_its_own_window() =>
        Assert.Equal(["a/1"], AgreedWindow.Of([W("a/1", "2015-06-01", "2015-06-09")]).PinnedBy.Select(w => w.AccountId));

    [Fact]
    public void the_change_takes_the_agreed_window_and_each_evidence_line_states_its_own_source_window()
    {
        var claims = new[]
        {
            ControlTimelineTests.Claim("taken", "2015-06-10", "2015-06-14", gainers: ["msc"], losers: ["is"]),
            ControlTimelineTests.Claim("taken", "2015-06-01", "2015-06-30", losers: ["is"]),
            ControlTimelineTests.Claim("taken", "2015-06-12", "2015-06-12", gainers: ["msc"], losers: ["is"]),
        };
        var intervals = ControlTimeline.Build("hotel", claims);

        var during = intervals.Single(i => i.Covers(new DateOnly(2015, 6, 12)));
        Assert.Equal((ControlStatus.Uncertain, new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 13)), (during.Status, during.From, during.To));
        Assert.Equal(["changed hands between 2015-06-01 and 2015-06-30", "changed hands between 2015-06-10 and 2015-06-14", "changed hands on 2015-06-12"],
            during.Evidence.Select(e => e.Says).Order(StringComparer.Ordinal));
        Assert.Equal([claims[2].AccountId], during.Change!.PinnedBy.Select(w => w.AccountId));
        Assert.Equal(("msc", ControlStatus.Held), (intervals.Single(i => i.Covers(new DateOnly(2015, 6, 13))).Controller, intervals.Single(i => i.Covers(new DateOnly(2015, 6, 13))).Status));
        Assert.Equal(("is", ControlStatus.Held), (intervals.Single(i => i.Covers(new DateOnly(2015, 6, 11))).Controller, intervals.Single(i => i.Covers(new DateOnly(2015, 6, 11))).Status));
    }

    [Fact]
    public void a_change_whose_sources_give_dates_that_do_not_overlap_is_disputed_between_them()
    {
        var intervals = ControlTimeline.Build("hotel", [
            ControlTimelineTests.Claim("taken", "2015-06-09", "2015-06-09", gainers: ["msc"], losers: ["is"]),
            ControlTimelineTests.Claim("taken", "2015-06-11", "2015-06-11", gainers: ["msc"], losers: ["is"]),
        ]);
        var between = intervals.Single(i => i.Covers(new DateOnly(2015, 6, 10)));
        Assert.Equal((ControlStatus.Disputed, new DateOnly(2015, 6, 9), new DateOnly(2015, 6, 12)), (between.Status, between.From, between.To));
        Assert.Equal(2, between.Change!.Disputed.Count);
        Assert.Equal("msc", intervals.Single(i => i.Covers(new DateOnly(2015, 6, 12))).Controller);
    }
}
