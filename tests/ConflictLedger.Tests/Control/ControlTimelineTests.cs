using ConflictLedger.Control;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Control;

public sealed class ControlTimelineTests
{
    private static int next;

    internal static ControlClaim Claim(
        string occurrence, string from, string to, string[]? gainers = null, string[]? losers = null,
        ClaimEffect effect = ClaimEffect.Change, string landmark = "hotel", string? known = null) => new(
        Guid.NewGuid(), Interlocked.Increment(ref next), occurrence, occurrence + "/" + next, landmark, effect,
        effect == ClaimEffect.Change ? OccurrenceKind.TerritoryTaken : OccurrenceKind.ArmedClash,
        DateOnly.Parse(from), DateOnly.Parse(to), gainers ?? [], losers ?? [], Firmness.Reported, null, null,
        new SourceRef("Outlet", null, null, "report.txt", "quote"), DateOnly.Parse(known ?? "2015-01-01"), null);

    private static ControlInterval At(IReadOnlyList<ControlInterval> intervals, string day) =>
        intervals.Single(i => i.Covers(DateOnly.Parse(day)));

    [Fact]
    public void a_loss_then_a_gain_gives_held_uncertain_held()
    {
        var intervals = ControlTimeline.Build("hotel", [Claim("taken", "2015-06-10", "2015-06-12", gainers: ["b"], losers: ["a"])]);

        Assert.Equal(("a", ControlStatus.Held), (At(intervals, "2015-06-01").Controller, At(intervals, "2015-06-01").Status));
        Assert.Equal(ControlStatus.Uncertain, At(intervals, "2015-06-11").Status);
        Assert.Equal(["a", "b"], At(intervals, "2015-06-11").Candidates);
        Assert.Equal("b", At(intervals, "2015-06-13").Controller);
        Assert.Equal(new DateOnly(2015, 6, 13), intervals[^1].From);
    }

    [Fact]
    public void a_part_taken_where_no_holder_is_known_is_contested_between_its_sides_with_no_controller()
    {
        var part = Claim("part", "2015-06-10", "2015-06-10", gainers: ["b"], losers: ["a"], effect: ClaimEffect.Fighting);

        var intervals = ControlTimeline.Build("hotel", [part]);

        var interval = Assert.Single(intervals);
        Assert.Equal((null, ControlStatus.Contested), (interval.Controller, interval.Status));
        Assert.Equal(["a", "b"], interval.Candidates);
        Assert.Equal((new DateOnly(2015, 6, 10), new DateOnly(2015, 6, 11)), (interval.From!.Value, interval.To!.Value));
    }

    [Fact]
    public void a_part_taken_from_a_holder_contests_it_naming_the_taker_and_never_changes_the_holder()
    {
        var held = Claim("held", "2015-01-01", "2015-01-01", gainers: ["a"]);
        var part = Claim("part", "2015-06-10", "2015-06-10", gainers: ["b"], losers: ["a"], effect: ClaimEffect.Fighting);

        var intervals = ControlTimeline.Build("hotel", [held, part]);

        Assert.Equal(("a", ControlStatus.Contested), (At(intervals, "2015-06-10").Controller, At(intervals, "2015-06-10").Status));
        Assert.Equal(["a", "b"], At(intervals, "2015-06-10").Candidates);
        Assert.Equal(("a", ControlStatus.Held), (At(intervals, "2015-06-11").Controller, At(intervals, "2015-06-11").Status));
    }

    [Fact]
    public void a_loss_with_no_gainer_leaves_the_holder_unknown()
    {
        var intervals = ControlTimeline.Build("hotel", [Claim("lost", "2015-06-10", "2015-06-10", losers: ["a"])]);
        Assert.Equal(ControlStatus.Unknown, At(intervals, "2015-07-01").Status);
        Assert.Null(At(intervals, "2015-07-01").Controller);
    }

    [Fact]
    public void sources_naming_different_holders_for_the_same_time_make_it_disputed()
    {
        var intervals = ControlTimeline.Build("hotel", [
            Claim("first", "2015-06-01", "2015-06-01", gainers: ["b"]),
            Claim("second", "2015-07-01", "2015-07-01", gainers: ["a"], losers: ["c"]),
        ]);
        var between = At(intervals, "2015-06-15");
        Assert.Equal((ControlStatus.Disputed, (string?)null), (between.Status, between.Controller));
        Assert.Equal(["b", "c"], between.Candidates);
        Assert.Equal(2, between.Evidence.Count);
    }

    [Fact]
    public void accounts_of_one_change_that_name_different_gainers_are_disputed_after_it()
    {
        var intervals = ControlTimeline.Build("hotel", [
            Claim("taken", "2015-06-01", "2015-06-01", gainers: ["b"]),
            Claim("taken", "2015-06-01", "2015-06-02", gainers: ["c"]),
        ]);
        Assert.Equal(ControlStatus.Disputed, At(intervals, "2015-06-10").Status);
        // One change: its window is the narrowest both sources allow (1 June), so 2 June comes after it.
        Assert.Equal(ControlStatus.Uncertain, At(intervals, "2015-06-01").Status);
        Assert.Equal(ControlStatus.Disputed, At(intervals, "2015-06-02").Status);
    }

    [Fact]
    public void fighting_at_a_held_landmark_makes_it_contested()
    {
        var intervals = ControlTimeline.Build("hotel", [
            Claim("taken", "2015-01-01", "2015-01-01", gainers: ["a"]),
            Claim("clash", "2015-03-01", "2015-03-03", effect: ClaimEffect.Fighting),
        ]);
        Assert.Equal(ControlStatus.Held, At(intervals, "2015-02-01").Status);
        var during = At(intervals, "2015-03-02");
        Assert.Equal(("a", ControlStatus.Contested), (during.Controller, during.Status));
        Assert.Equal(ControlStatus.Held, At(intervals, "2015-03-04").Status);
    }

    [Fact]
    public void before_the_first_change_nothing_is_known_unless_it_names_a_loser() =>
        Assert.DoesNotContain(ControlTimeline.Build("hotel", [Claim("established", "2015-01-01", "2015-01-05", gainers: ["a"])]),
            i => i.Covers(new DateOnly(2014, 12, 1)));

    [Fact]
    public void claims_about_other_landmarks_do_not_count()
    {
        var intervals = ControlTimeline.Build("city", [Claim("taken", "2015-06-10", "2015-06-10", gainers: ["b"], losers: ["a"], landmark: "hotel")]);
        Assert.Empty(intervals);
    }

    // A build words each claim's evidence once and shares it between the intervals citing it:
    // these two pin that the sharing never crosses roles or builds.
    [Fact]
    public void a_claim_cited_by_several_intervals_says_in_each_what_its_part_there_is()
    {
        var taken = Claim("taken", "2015-06-10", "2015-06-12", gainers: ["b"], losers: ["a"]);
        var clash = Claim("clash", "2015-07-01", "2015-07-01", effect: ClaimEffect.Fighting);

        var intervals = ControlTimeline.Build("hotel", [taken, clash]);

        string Says(string day) => Assert.Single(At(intervals, day).Evidence, e => e.EventId == taken.EventId).Says;
        Assert.Equal("held by a until it was lost from 2015-06-10", Says("2015-06-01"));
        Assert.Equal("changed hands between 2015-06-10 and 2015-06-12", Says("2015-06-11"));
        Assert.Equal("taken by b by 2015-06-12", Says("2015-06-20"));
        Assert.Equal(ControlStatus.Contested, At(intervals, "2015-07-01").Status);
        Assert.Equal(["taken by b by 2015-06-12", "fighting reported on 2015-07-01"], At(intervals, "2015-07-01").Evidence.Select(e => e.Says));
        Assert.Equal("taken by b by 2015-06-12", Says("2015-07-02"));
        Assert.All(intervals.SelectMany(i => i.Evidence), e => Assert.Equal(e.EventId == taken.EventId ? taken.AccountId : clash.AccountId, e.AccountId));
    }

    [Fact]
    public void a_build_words_the_claims_it_is_given_not_those_an_earlier_build_saw()
    {
        var taken = Claim("taken", "2015-06-10", "2015-06-12", gainers: ["b"], losers: ["a"]);
        _ = ControlTimeline.Build("hotel", [taken]);

        var corrected = ControlTimeline.Build("hotel", [taken with { Earliest = new DateOnly(2015, 6, 11), Latest = new DateOnly(2015, 6, 11), Gainers = ["c"] }]);

        Assert.Equal(
            ["held by a until it was lost from 2015-06-11", "changed hands on 2015-06-11", "taken by c by 2015-06-11"],
            corrected.Select(i => Assert.Single(i.Evidence).Says));
    }

    [Fact]
    public void the_order_claims_arrive_in_does_not_matter()
    {
        var claims = new[]
        {
            Claim("one", "2014-01-01", "2014-12-31", gainers: ["a"]),
            Claim("two", "2015-06-01", "2015-06-30", gainers: ["b"], losers: ["a"]),
            Claim("two", "2015-06-10", "2015-06-14", gainers: ["b"], losers: ["a"]),
            Claim("clash", "2015-05-01", "2015-05-02", effect: ClaimEffect.Fighting),
            Claim("three", "2015-09-01", "2015-09-01", losers: ["b"]),
        };
        var expected = Json.Serialize(ControlTimeline.Build("hotel", claims));
        var random = new Random(7);
        for (var i = 0; i < 50; i++)
            Assert.Equal(expected, Json.Serialize(ControlTimeline.Build("hotel", claims.OrderBy(_ => random.Next()).ToArray())));
    }
}
