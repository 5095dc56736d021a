using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Control;

/// <summary>A retraction is projected (the account stops counting), never set aside as malformed.</summary>
public sealed class RetractionTests : LedgerFixture
{
    private static readonly DateOnly Day = new(2015, 9, 20);

    [Fact]
    public async Task a_retracted_account_stops_counting_and_nothing_is_set_aside()
    {
        await ImportSeedAsync();
        var control = new ControlQueries(ReadModels);
        var before = await control.AtAsync(Day.AddDays(1), null, "derna", null);

        var stream = OccurrenceEvents.StreamId("retraction-test");
        var report = new AccountReported("retraction-test", "test/1", TakeOver("islamic-state"));
        var reported = await Store.AppendAsync(stream, ExpectedVersion.NoStream, [OccurrenceEvents.ToEventData(report, 0)]);
        await ProjectAsync(reported.Position.Value);
        Assert.Contains(await control.AtAsync(Day.AddDays(1), null, "derna", null) is var taken ? taken.Landmarks[0].Interval!.Evidence : [],
            e => e.OccurrenceId == "retraction-test");

        var retracted = await Store.AppendAsync(stream, ExpectedVersion.Exact(1),
            [OccurrenceEvents.ToEventData(new AccountRetracted("retraction-test", "test/1", "withdrawn"), 1)]);
        // A retraction of an account its occurrence never had (a writer that bypassed the domain) changes nothing.
        var stray = await Store.AppendAsync(OccurrenceEvents.StreamId("never-reported"), ExpectedVersion.NoStream,
            [OccurrenceEvents.ToEventData(new AccountRetracted("never-reported", "test/2", "withdrawn"), 0)]);
        await ProjectAsync(Math.Max(retracted.Position.Value, stray.Position.Value));

        Assert.Empty(await ReadModels.DeadLettersAsync());
        Assert.Equal(Json.Serialize(before), Json.Serialize(await control.AtAsync(Day.AddDays(1), null, "derna", null) with { Position = before.Position }));
        Assert.True((await control.OccurrenceAsync("retraction-test"))!.Accounts.Single().Retracted);
        Assert.Null(await control.OccurrenceAsync("never-reported"));
    }

    private static Account TakeOver(string gainer) => new(
        OccurrenceKind.TerritoryTaken, new WorldTime(Day, Day, DatePrecision.Day), "derna",
        [new ActorInRole(gainer, ActorRole.Gainer)], null, Firmness.Reported,
        new Source("Test Wire", null, Day, DatePrecision.Day, "test.json", "Taken."));
}
