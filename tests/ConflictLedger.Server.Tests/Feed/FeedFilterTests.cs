using ConflictLedger.Log;
using ConflictLedger.Server.Feed;

namespace ConflictLedger.Server.Tests.Feed;

/// <summary>The filter rule as a pure decision: no database, the account's stream given.</summary>
public sealed class FeedFilterTests
{
    private const string Stream = "incident-o1";
    private static readonly FeedFilter DernaClashes = new([TestEvents.Clash], "derna");

    private static RecordedEvent At(long version, EventData e) =>
        new(e.Id, Stream, version, default, e.Type, e.Data, "{}", DateTimeOffset.UnixEpoch);

    private static EventData Report(string place, string kind = "armed-clash") => new(Guid.NewGuid(), kind + "-reported.v1",
        $$$"""{"occurrenceId": "o1", "accountId": "a1", "account": {"kind": "{{{kind}}}", "place": "{{{place}}}"}}""");

    [Fact]
    public void a_retraction_passes_when_the_report_of_its_account_passed()
    {
        var stream = new[] { At(1, Report("derna")) };
        var retraction = At(2, TestEvents.Retraction("o1", "a1"));

        Assert.False(DernaClashes.Matches(retraction));
        Assert.Equal("a1", DernaClashes.FollowUpOf(retraction));
        Assert.True(DernaClashes.PassesAfter(retraction, "a1", stream));
    }

    [Fact]
    public void a_retraction_of_an_account_the_reader_was_never_shown_does_not_pass()
    {
        var stream = new[] { At(1, Report("benghazi")) };
        var retraction = At(2, TestEvents.Retraction("o1", "a1"));

        Assert.False(DernaClashes.PassesAfter(retraction, "a1", stream));
    }

    [Fact]
    public void a_retraction_passes_when_an_earlier_correction_brought_the_account_into_the_filter()
    {
        var stream = new[] { At(1, Report("benghazi")), At(2, TestEvents.Correction("o1", "a1", "derna")) };
        var retraction = At(3, TestEvents.Retraction("o1", "a1"));

        Assert.True(DernaClashes.Matches(stream[1]));
        Assert.True(DernaClashes.PassesAfter(retraction, "a1", stream));
    }

    [Fact]
    public void a_correction_passes_on_its_own_as_the_report_it_would_be()
    {
        var toDerna = At(2, TestEvents.Correction("o1", "a1", "derna"));
        var toDernaAsProtest = At(2, TestEvents.Correction("o1", "a1", "derna", "protest"));

        Assert.True(DernaClashes.Matches(toDerna));
        Assert.False(DernaClashes.Matches(toDernaAsProtest));
        Assert.True(new FeedFilter([TestEvents.Corrected], null).Matches(toDernaAsProtest));
    }

    [Fact]
    public void only_an_earlier_event_of_the_same_account_counts()
    {
        var otherAccount = new EventData(Guid.NewGuid(), TestEvents.Clash,
            """{"occurrenceId": "o1", "accountId": "a2", "account": {"kind": "armed-clash", "place": "derna"}}""");
        var retraction = At(2, TestEvents.Retraction("o1", "a1"));

        Assert.False(DernaClashes.PassesAfter(retraction, "a1", [At(1, otherAccount)]));
        Assert.False(DernaClashes.PassesAfter(retraction, "a1", [At(3, Report("derna"))]));
    }

    [Fact]
    public void events_that_are_not_accounts_pass_an_unfiltered_reader_and_no_landmark_filter()
    {
        var marker = At(1, new EventData(Guid.NewGuid(), "marker.v1", "[]"));

        Assert.True(FeedFilter.All.Matches(marker));
        Assert.False(new FeedFilter(null, "derna").Matches(marker));
        Assert.Null(new FeedFilter(null, "derna").FollowUpOf(marker));
    }

    [Theory]
    [InlineData("""{"accountId": "a1", "account": {"kind": "armed-clash", "place": "derna"}}""", "a1", "armed-clash-reported.v1", "derna")]
    [InlineData("""{"accountId": "a1", "reason": "withdrawn"}""", "a1", null, null)]
    [InlineData("""{"account": {"kind": 3, "place": null}}""", null, null, null)]
    [InlineData("""{"actor": {"id": "islamic-state"}}""", null, null, null)]
    [InlineData("""["not", "an", "object"]""", null, null, null)]
    public void the_facts_a_filter_reads_come_from_the_account_in_the_data(string data, string? accountId, string? reportedType, string? place)
    {
        Assert.Equal(new EventFacts(accountId, reportedType, place), EventFacts.Of(data));
    }
}
