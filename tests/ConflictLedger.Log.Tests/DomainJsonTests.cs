using ConflictLedger.Catalog;
using ConflictLedger.Occurrences;
using ConflictLedger.Testing;
using Marten;

namespace ConflictLedger.Log.Tests;

/// <summary>
/// The log stores the domain's own JSON of a record as it is (EventData.FromRecord), where
/// before Marten's serializer wrote it: the two must write the same text, or the feeds would
/// show one event type in two spellings depending on how it was appended.
/// </summary>
public sealed class DomainJsonTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    private static readonly Account Full = new(
        OccurrenceKind.TerritoryLost, new WorldTime(new DateOnly(2015, 6, 9), new DateOnly(2015, 6, 12), DatePrecision.Week, "between the reports"),
        "al-harish-hospital", [new ActorInRole("islamic-state", ActorRole.Loser), new ActorInRole("mujahideen-shura-council", ActorRole.Gainer)],
        new Fatalities(AtLeast: 12), Firmness.Claimed,
        new Source("Libya Herald", "Fighting in Derna", new DateOnly(2015, 6, 12), DatePrecision.Day, "https://example.org/a", "IS fighters withdrew"),
        Claimant: "mujahideen-shura-council", Extent: Extent.Part, Note: "a note", Flags: [Account.CodingInconsistent]);

    public static TheoryData<object> Records() =>
    [
        new AccountReported("o-1", "a-1", Full),
        new AccountReported("o-2", "a-2", Full with { Fatalities = null, Claimant = null, Extent = null, Note = null, Flags = null, Actors = [] }),
        new AccountCorrected("o-1", "a-1", Full with { Firmness = Firmness.Reported }, "the source corrected the date"),
        new AccountRetracted("o-1", "a-1", "withdrawn by the source"),
        new ActorCataloged(new Actor("islamic-state", "Islamic State", "Islamic State (Libya)", ActorKind.Group, null, ["IS", "ISIL"])),
        new LandmarkCataloged(new Landmark("al-harish-hospital", "al-Harish Hospital", "hospital", "derna", 32.76, 22.64, [])),
    ];

    [Theory]
    [MemberData(nameof(Records))]
    public void the_domain_writes_a_record_as_martens_serializer_does(object record)
    {
        var type = LedgerEventTypes.ByName.First(t => t.Value == record.GetType()).Key;
        Assert.Equal(db.Store.Store.Options.Serializer().ToJson(record), EventData.FromRecord(Guid.NewGuid(), type, record).Data);
    }

    [Fact]
    public async Task an_event_written_from_a_record_reads_back_as_the_record()
    {
        var reported = new AccountReported("o-" + Guid.NewGuid().ToString("N")[..8], "a-1", Full);
        var stream = OccurrenceEvents.StreamId(reported.OccurrenceId);
        await db.Store.AppendAsync(stream, ExpectedVersion.NoStream, [OccurrenceEvents.ToEventData(reported, 0)]);

        await using var session = db.Store.Store.QuerySession();
        var read = Assert.Single(await session.Events.FetchStreamAsync(stream));
        Assert.Equal(Json.Serialize(reported), Json.Serialize((AccountReported)read.Data));
    }
}
