using ConflictLedger.Control;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// The read model stores its documents without what can be derived again (<see cref="Json.Stored"/>,
/// <see cref="StoredOccurrence"/>): what is read back must be what was written, and rows
/// written before, whole, must read the same.
/// </summary>
public sealed class StoredDocumentTests
{
    private static readonly Account Reported = new(OccurrenceKind.TerritoryTaken,
        new WorldTime(new DateOnly(2015, 6, 10), new DateOnly(2015, 6, 16), DatePrecision.Week),
        "al-harish-hospital", [new ActorInRole("mujahideen-shura-council", ActorRole.Gainer), new ActorInRole("islamic-state", ActorRole.Loser)],
        new Fatalities(AtLeast: 3), Firmness.Claimed,
        new Source("Libya Herald", "Hospital taken", new DateOnly(2015, 6, 17), DatePrecision.Day, "herald.txt", "\"quoted\""),
        Claimant: "mujahideen-shura-council", Flags: [Account.CodingInconsistent]);

    private static readonly Account Other = Reported with
    {
        When = new WorldTime(new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 12), DatePrecision.Day),
        Fatalities = new Fatalities(Exact: 11),
        Source = new Source("Libya Channel", null, null, null, null, null),
    };

    private static OccurrenceView View() => OccurrenceView.Of(Occurrence.Empty("o-1")
        .Evolve(new AccountReported("o-1", "o-1/a", Reported))
        .Evolve(new AccountReported("o-1", "o-1/b", Other))
        .Evolve(new AccountReported("o-1", "o-1/c", Other with { Source = Other.Source with { Outlet = "Al Wasat" } }))
        .Evolve(new AccountRetracted("o-1", "o-1/c", "withdrawn")));

    [Fact]
    public void a_stored_document_leaves_out_derived_properties_and_reads_back_whole()
    {
        var claim = ControlClaim.From(Guid.NewGuid(), 7, "o-1", "o-1/a", Reported with { Flags = null }, new DateOnly(2015, 6, 17))!;
        var interval = StoredInterval.Of(ControlTimeline.Build("al-harish-hospital", [claim]).First(i => i.Change is not null));

        var account = Json.SerializeStored(Reported);
        Assert.Contains("\"acledType\"", Json.Serialize(Reported), StringComparison.Ordinal);
        Assert.DoesNotContain("\"acledType\"", account, StringComparison.Ordinal);
        Assert.DoesNotContain("\"isExactDay\"", account, StringComparison.Ordinal);
        Assert.DoesNotContain("\"end\"", Json.SerializeStored(claim), StringComparison.Ordinal);
        Assert.DoesNotContain("\"isDisputed\"", Json.SerializeStored(interval), StringComparison.Ordinal);

        Assert.Equal(Json.Serialize(Reported), Json.Serialize(Json.Deserialize<Account>(account)));
        Assert.Equal(Json.Serialize(claim), Json.Serialize(Json.Deserialize<ControlClaim>(Json.SerializeStored(claim))));
        Assert.Equal(Json.Serialize(interval), Json.Serialize(Json.Deserialize<StoredInterval>(Json.SerializeStored(interval))));
    }

    [Fact]
    public void an_occurrence_is_stored_as_its_accounts_and_read_as_the_view_they_give()
    {
        var view = View();
        var stored = Json.SerializeStored(StoredOccurrence.Of(view));

        foreach (var derived in new[] { "\"casualties\"", "\"pinnedBy\"", "\"kinds\"", "\"places\"" })
            Assert.DoesNotContain(derived, stored, StringComparison.Ordinal);
        Assert.Equal(Json.Serialize(view), Json.Serialize(StoredOccurrence.Read(stored)));
        // A row written before held the whole view: it reads the same.
        Assert.Equal(Json.Serialize(view), Json.Serialize(StoredOccurrence.Read(Json.Serialize(view))));
        Assert.Equal(Json.Serialize(view.Accounts), Json.Serialize(StoredOccurrence.ReadState(stored).Accounts.Values.OrderBy(a => a.AccountId, StringComparer.Ordinal)));
    }
}
