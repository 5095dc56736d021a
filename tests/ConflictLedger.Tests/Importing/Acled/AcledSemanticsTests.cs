using System.Text;
using ConflictLedger.Control;
using ConflictLedger.Importing;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Importing.Acled;

/// <summary>
/// What ACLED rows do to the ledger's answers, on top of the Derna seed: a territory row
/// moves control only as far as it says, a self-contradicting row never does, and an
/// imported account is known from the source's own time.
/// </summary>
public sealed class AcledSemanticsTests(SeededLedgerFixture ledger) : IClassFixture<SeededLedgerFixture>, IDisposable
{
    private const string CurrentHeader =
        "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2," +
        "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

    private const string OldHeader =
        "GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,ALLY_ACTOR_1,INTER1,ACTOR2,ALLY_ACTOR_2,INTER2," +
        "INTERACTION,COUNTRY,ADMIN1,ADMIN2,ADMIN3,LOCATION,LATITUDE,LONGITUDE,GEO_PRECISION,SOURCE,NOTES,FATALITIES";

    private readonly string folder = Directory.CreateTempSubdirectory("cl-acled-sem-").FullName;
    private ControlQueries Queries => new(ledger.ReadModels);

    private static string Id() => "LBY" + Random.Shared.Next(100_000, 999_999);

    /// <summary>A pre-2019 row in Darna (Derna) between IS and the Shura Council.</summary>
    private static string OldRow(string id, string date, string type, string actor1 = "Islamic State (Cyrenaica Province)", string inter1 = "2", string notes = "Clashes in Darna.") =>
        $"620,{id},,{date},2016,1,{type},{actor1},,{inter1},Shura Council of Darnah Mujahidin,,3,23,Libya,Darnah,Darnah,,Darna,32.76704,22.63669,1,Libya Herald,\"{notes}\",0";

    private async Task<ImportSummary> ImportAsync(string name, string header, params string[] rows)
    {
        var path = Path.Combine(folder, name);
        await File.WriteAllTextAsync(path, string.Join("\n", rows.Prepend(header)) + "\n", Encoding.UTF8);
        var summary = await ledger.Importer.ImportAcledAsync(path);
        if (summary.LastPosition is { } last) await ledger.ProjectAsync(last);
        return summary;
    }

    private async Task<ControlInterval?> DernaAt(string date) =>
        Assert.Single((await Queries.AtAsync(DateOnly.Parse(date), null, "derna", null)).Landmarks).Interval;

    [Fact]
    public async Task a_non_state_actor_regaining_territory_as_a_government_is_flagged_and_never_moves_derna()
    {
        var before = await DernaAt("2016-03-01");
        var id = Id();

        // The real row of 2016-02-15: IS (INTER 2) coded as "Government regains territory".
        await ImportAsync($"gov-{id}.csv", OldHeader, OldRow(id, "15/02/2016", "Battle-Government regains territory"));

        var account = (await Queries.OccurrenceAsync("acled-" + id.ToLowerInvariant()))!.Accounts.Single().Account;
        Assert.Equal([Account.CodingInconsistent], account.Flags);
        Assert.DoesNotContain(account.Actors, a => a.Role is ActorRole.Gainer or ActorRole.Loser);
        var after = await DernaAt("2016-03-01");
        Assert.Equal((before?.Controller, before?.Status), (after?.Controller, after?.Status));
        Assert.NotEqual("islamic-state", after?.Controller);
        // On its day it is shown, with its flag, as evidence of fighting.
        var evidence = (await DernaAt("2016-02-15"))!.Evidence.Single(e => e.OccurrenceId == "acled-" + id.ToLowerInvariant());
        Assert.Equal([Account.CodingInconsistent], evidence.Flags);
    }

    [Fact]
    public async Task a_take_over_at_a_city_point_contests_the_city_and_only_the_whole_changes_its_holder()
    {
        var before = await DernaAt("2016-04-20");
        var part = Id();
        await ImportAsync($"part-{part}.csv", OldHeader,
            OldRow(part, "10/04/2016", "Battle-Non-state actor overtakes territory", notes: "IS took over the 400 neighbourhood of Derna."));

        var during = (await DernaAt("2016-04-10"))!;
        Assert.Equal(ControlStatus.Contested, during.Status);
        Assert.Equal(before?.Controller, during.Controller);
        Assert.Contains("islamic-state", during.Candidates);
        Assert.Contains(during.Evidence, e => e.OccurrenceId == "acled-" + part.ToLowerInvariant() && e.Extent == Extent.Part);
        Assert.Equal(before?.Controller, (await DernaAt("2016-04-20"))?.Controller);

        var whole = Id();
        await ImportAsync($"whole-{whole}.csv", OldHeader,
            OldRow(whole, "12/04/2016", "Battle-Non-state actor overtakes territory", notes: "IS took full control of Derna."));
        Assert.Equal(("islamic-state", ControlStatus.Held), ((await DernaAt("2016-04-20"))!.Controller, (await DernaAt("2016-04-20"))!.Status));
    }

    [Fact]
    public async Task an_account_is_known_from_its_acled_timestamp_so_as_known_on_works()
    {
        var id = Id();
        // 1458000000 is 2016-03-15 00:00 UTC.
        var summary = await ImportAsync($"stamped-{id}.csv", CurrentHeader,
            $"{id},2016-03-10,2016,1,Political violence,Battles,Armed clash,Islamic State (Cyrenaica Province),,Rebel group,Shura Council of Darnah Mujahidin,,Political militia," +
            "Rebel group-Political militia,,434,Northern Africa,Libya,Darnah,Darnah,,Darna,32.7670,22.6367,1,Libya Herald,National,Clashes.,0,,1458000000");

        Assert.Contains("1 row(s) known from their ACLED timestamp", summary.KnownFrom, StringComparison.Ordinal);
        var occurrence = "acled-" + id.ToLowerInvariant();
        Assert.Equal(new DateOnly(2016, 3, 15), (await Queries.OccurrenceAsync(occurrence))!.Accounts.Single().Account.Source.Published);
        Assert.DoesNotContain(await Queries.OccurrencesAsync(new DateOnly(2016, 3, 14)), o => o.Id == occurrence);
        Assert.Contains(await Queries.OccurrencesAsync(new DateOnly(2016, 3, 15)), o => o.Id == occurrence);
    }

    [Fact]
    public async Task without_a_timestamp_the_release_date_in_the_file_name_or_the_date_given_or_the_import_day_is_used()
    {
        var (named, told, neither) = (Id(), Id(), Id());

        var fromName = await ImportAsync($"ACLED All Africa File_20160101 to 20160528_{named}.csv", OldHeader, OldRow(named, "18/01/2016", "Battle-No change of territory"));
        var toldPath = Path.Combine(folder, $"told-{told}.csv");
        await File.WriteAllTextAsync(toldPath, OldHeader + "\n" + OldRow(told, "18/01/2016", "Battle-No change of territory") + "\n");
        var fromOption = await ledger.Importer.ImportAcledAsync(toldPath, new DateOnly(2016, 6, 1));
        await ledger.ProjectAsync(fromOption.LastPosition!.Value);
        var fromImportDay = await ImportAsync($"plain-{neither}.csv", OldHeader, OldRow(neither, "18/01/2016", "Battle-No change of territory"));

        Assert.Equal("1 row(s) known from 2016-05-28 (the release date in the file name)", fromName.KnownFrom);
        Assert.Equal("1 row(s) known from 2016-06-01 (as told)", fromOption.KnownFrom);
        Assert.Equal("1 row(s) known from the import day", fromImportDay.KnownFrom);
        async Task<DateOnly?> Published(string id) => (await Queries.OccurrenceAsync("acled-" + id.ToLowerInvariant()))!.Accounts.Single().Account.Source.Published;
        Assert.Equal(new DateOnly(2016, 5, 28), await Published(named));
        Assert.Equal(new DateOnly(2016, 6, 1), await Published(told));
        Assert.Null(await Published(neither));
    }

    [Fact]
    public async Task the_same_rows_in_a_later_release_append_nothing_and_stay_known_from_the_first()
    {
        var id = Id();
        var row = OldRow(id, "18/01/2016", "Battle-No change of territory");
        await ImportAsync($"release_20160528_{id}.csv", OldHeader, row);

        var later = await ImportAsync($"release_20160730_{id}.csv", OldHeader, row);

        Assert.Equal(0, later.EventsAppended);
        Assert.Equal(new DateOnly(2016, 5, 28), (await Queries.OccurrenceAsync("acled-" + id.ToLowerInvariant()))!.Accounts.Single().Account.Source.Published);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
