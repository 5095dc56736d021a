using ConflictLedger.Control;
using ConflictLedger.Log;

namespace ConflictLedger.Tests.Control;

/// <summary>The log takes any event of a known type: one that is not a whole account is set aside, and the read model goes on.</summary>
public sealed class MalformedEventTests(SeededLedgerFixture ledger) : IClassFixture<SeededLedgerFixture>
{
    [Fact]
    public async Task a_partial_account_is_set_aside_with_its_reason_and_later_events_are_still_projected()
    {
        var bad = new EventData(Guid.NewGuid(), "armed-clash-reported.v1", """{"occurrenceId": "half", "accountId": "half/1", "account": {"kind": "armed-clash"}}""");
        var badAt = await ledger.Store.AppendAsync("incident-half", ExpectedVersion.NoStream, [bad]);
        var good = await ledger.Importer.RecordAsync([new ConflictLedger.Importing.ImportedAccount("whole", "whole/1",
            new Occurrences.Account(Occurrences.OccurrenceKind.ArmedClash, new Occurrences.WorldTime(new DateOnly(2015, 6, 11), new DateOnly(2015, 6, 11), Occurrences.DatePrecision.Day),
                "derna", [], null, Occurrences.Firmness.Reported, new Occurrences.Source("Wire", null, null, null, null, "q")), "$")], [], [], "test");

        await ledger.ProjectAsync(good.LastPosition!.Value);

        Assert.NotNull(await new ControlQueries(ledger.ReadModels).OccurrenceAsync("whole"));
        Assert.Null(await new ControlQueries(ledger.ReadModels).OccurrenceAsync("half"));
        var letter = Assert.Single(await ledger.ReadModels.DeadLettersAsync(), d => d.Position == badAt.Position.Value);
        Assert.Contains("account.when", letter.Reason, StringComparison.Ordinal);
        Assert.Contains(bad.Id.ToString(), letter.Reason, StringComparison.Ordinal);
    }
}
