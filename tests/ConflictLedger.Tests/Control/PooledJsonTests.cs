using ConflictLedger.Control;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Tests.Control;

/// <summary>A rebuild writes its documents through pooled buffers: the text must be the stored form (<see cref="Json.Stored"/>), byte for byte.</summary>
public sealed class PooledJsonTests
{
    [Fact]
    public void a_pooled_document_is_the_domains_json_even_after_the_buffer_served_a_longer_one()
    {
        var account = new Account(OccurrenceKind.TerritoryTaken, new WorldTime(new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 12), DatePrecision.Day),
            "al-harish-hospital", [new ActorInRole("mujahideen-shura-council", ActorRole.Gainer)], new Fatalities(AtLeast: 3), Firmness.Claimed,
            new Source("Libya Herald", "“Derna’s hospital” <taken> & held — درنة", new DateOnly(2015, 6, 13), DatePrecision.Day, null, "\"quoted\"\n\ttext"),
            Claimant: "mujahideen-shura-council", Flags: [Account.CodingInconsistent]);
        var claim = ControlClaim.From(Guid.NewGuid(), 7, "o-1", "o-1/a", account, new DateOnly(2015, 6, 13))!;
        var view = OccurrenceView.Of(Occurrence.Empty("o-1").Evolve(new AccountReported("o-1", "o-1/a", account)));

        foreach (var (pooled, expected) in new[] { (PooledJson.Of(view), Json.SerializeStored(view)), (PooledJson.Of(claim), Json.SerializeStored(claim)), (PooledJson.Of(view), Json.SerializeStored(view)) })
        {
            Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(pooled.Text.Span));
            pooled.Return();
        }
    }
}
