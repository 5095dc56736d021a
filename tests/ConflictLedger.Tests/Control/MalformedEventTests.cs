using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Testing;

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

    [Fact]
    public async Task an_account_whose_rows_postgresql_refuses_is_set_aside_with_its_reason_and_later_events_are_still_projected()
    {
        // Written past the API (as the 9999-12-31 account was): a place of 8,000 characters.
        // Every pure function takes it, so the per-event check passes it; PostgreSQL refuses
        // its rows (an index entry may hold at most 2,704 bytes). Marten's daemon retried
        // that batch forever: nothing after it was projected.
        var place = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6_000));
        var refused = LedgerTestEvents.Report(place, kind: Occurrences.OccurrenceKind.TerritoryTaken);
        var refusedAt = await ledger.Store.AppendAsync(LedgerTestEvents.NewStream(), ExpectedVersion.NoStream, [refused]);
        var good = await ledger.Importer.RecordAsync([new ConflictLedger.Importing.ImportedAccount("after-refused", "after-refused/1",
            new Occurrences.Account(Occurrences.OccurrenceKind.ArmedClash, new Occurrences.WorldTime(new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 12), Occurrences.DatePrecision.Day),
                "derna", [], null, Occurrences.Firmness.Reported, new Occurrences.Source("Wire", null, null, null, null, "q")), "$")], [], [], "test");

        await ledger.ProjectAsync(good.LastPosition!.Value);

        var control = new ControlQueries(ledger.ReadModels);
        Assert.NotNull(await control.OccurrenceAsync("after-refused"));
        var letter = Assert.Single(await ledger.ReadModels.DeadLettersAsync(), d => d.Position == refusedAt.Position.Value);
        Assert.Contains(refused.Id.ToString(), letter.Reason, StringComparison.Ordinal);
        Assert.Contains("index row", letter.Reason, StringComparison.Ordinal);
        // Nothing of the refused event was half-written: the rest of the batch stands without it.
        Assert.DoesNotContain(await control.OccurrencesAsync(null), o => o.Places.Contains(place));
        Assert.Equal("mujahideen-shura-council", (await control.AtAsync(new DateOnly(2015, 8, 1), null, "derna", null)).Landmarks[0].Interval!.Controller);

        // A rebuild sets it aside again instead of failing.
        await ledger.ReadModels.RebuildAsync();
        Assert.NotNull(await control.OccurrenceAsync("after-refused"));
        Assert.Contains(await ledger.ReadModels.DeadLettersAsync(), d => d.Position == refusedAt.Position.Value);
    }
}
