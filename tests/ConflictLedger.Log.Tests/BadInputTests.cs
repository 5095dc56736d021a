using ConflictLedger.Log;
using ConflictLedger.Testing;

namespace ConflictLedger.Log.Tests;

public sealed class BadInputTests(BadInputTests.SmallEventsFixture db) : IClassFixture<BadInputTests.SmallEventsFixture>
{
    public sealed class SmallEventsFixture : StoreFixture
    {
        protected override LogOptions CreateOptions() => new(Schema) { MaxEventBytes = 1000 };
    }

    private LedgerLog Store => db.Store;

    private async Task AssertRefusedAndNothingWritten(string stream, Func<Task> append, string messagePart)
    {
        var ex = await Assert.ThrowsAsync<InvalidAppendException>(append);
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
        if (!string.IsNullOrWhiteSpace(stream))
            Assert.Equal(0, await Store.StreamVersionAsync(stream));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public Task an_empty_stream_id_is_refused(string stream) =>
        AssertRefusedAndNothingWritten(stream, () => Store.AppendAsync(stream, ExpectedVersion.Any, [TestEvents.New()]), "stream id is empty");

    [Fact]
    public Task an_empty_event_list_is_refused()
    {
        var stream = TestEvents.NewStream();
        return AssertRefusedAndNothingWritten(stream, () => Store.AppendAsync(stream, ExpectedVersion.Any, []), "no events");
    }

    [Fact]
    public Task an_oversized_event_is_refused_with_the_limit()
    {
        var stream = TestEvents.NewStream();
        var big = new EventData(Guid.NewGuid(), "big.v1", $$"""{"text": "{{new string('x', 2000)}}"}""");
        return AssertRefusedAndNothingWritten(stream, () => Store.AppendAsync(stream, ExpectedVersion.Any, [TestEvents.New(), big]), "the limit is 1000");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"open\": ")]
    [InlineData("[1, 2]")]
    [InlineData("{} {}")]
    public Task data_that_is_not_a_json_object_is_refused(string data)
    {
        var stream = TestEvents.NewStream();
        return AssertRefusedAndNothingWritten(stream,
            () => Store.AppendAsync(stream, ExpectedVersion.Any, [TestEvents.New(), new EventData(Guid.NewGuid(), "x.v1", data)]), "Event 1 data");
    }

    [Fact]
    public Task metadata_that_is_not_json_is_refused()
    {
        var stream = TestEvents.NewStream();
        return AssertRefusedAndNothingWritten(stream,
            () => Store.AppendAsync(stream, ExpectedVersion.Any, [new EventData(Guid.NewGuid(), "x.v1", "{}", "oops")]), "Event 0 metadata");
    }

    [Fact]
    public Task a_type_the_ledger_does_not_store_is_refused()
    {
        var stream = TestEvents.NewStream();
        return AssertRefusedAndNothingWritten(stream,
            () => Store.AppendAsync(stream, ExpectedVersion.Any, [new EventData(Guid.NewGuid(), "thing-happened.v1", "{}")]), "does not store");
    }

    [Fact]
    public Task data_that_does_not_fit_its_type_is_refused()
    {
        var stream = TestEvents.NewStream();
        return AssertRefusedAndNothingWritten(stream,
            () => Store.AppendAsync(stream, ExpectedVersion.Any, [new EventData(Guid.NewGuid(), LedgerTestEvents.Clash, """{"account": 12}""")]), "does not fit");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Some.Clr.Type, Assembly")]
    [InlineData("has space")]
    public Task a_type_name_that_is_not_stable_is_refused(string type)
    {
        var stream = TestEvents.NewStream();
        return AssertRefusedAndNothingWritten(stream,
            () => Store.AppendAsync(stream, ExpectedVersion.Any, [new EventData(Guid.NewGuid(), type, "{}")]), "type name");
    }

    [Fact]
    public Task repeated_ids_within_one_append_are_refused()
    {
        var stream = TestEvents.NewStream();
        var e = TestEvents.New();
        return AssertRefusedAndNothingWritten(stream, () => Store.AppendAsync(stream, ExpectedVersion.Any, [e, e]), "repeats the id");
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("-3")]
    [InlineData("1.5")]
    [InlineData("")]
    public void an_unknown_expected_version_form_is_refused(string text)
    {
        var ex = Assert.Throws<FormatException>(() => ExpectedVersion.Parse(text));
        Assert.Contains("\"any\", \"no-stream\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("any", -1)]
    [InlineData("no-stream", 0)]
    [InlineData("0", 0)]
    [InlineData("7", 7)]
    public void expected_version_forms_parse(string text, long value) =>
        Assert.Equal(value, ExpectedVersion.Parse(text).Value);

    [Fact]
    public void a_negative_exact_version_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedVersion.Exact(-1));

    [Fact]
    public void a_schema_name_that_could_inject_sql_is_refused() =>
        Assert.Throws<ArgumentException>(() => new LogOptions("x\"; drop table y; --"));
}
