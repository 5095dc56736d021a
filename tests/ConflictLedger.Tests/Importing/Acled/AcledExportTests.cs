using System.Text;
using ConflictLedger.Importing.Acled;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Importing.Acled;

public class AcledExportTests
{
    private static AcledMappedFile Import(string fileName, byte[] content, ConflictLedger.Catalog.Catalog? catalog = null) =>
        AcledMapping.ToAccounts(catalog ?? AcledTestData.Catalog, AcledCsv.Read(fileName, content), fileName);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void writes_the_current_31_column_header()
    {
        var csv = AcledExport.ToCsv([], AcledTestData.Catalog);

        Assert.Equal(
            "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2," +
            "assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude," +
            "geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n",
            csv);
    }

    [Fact]
    public void a_current_layout_file_survives_export_and_reimport_unchanged()
    {
        var first = Import(AcledTestData.CurrentLayout, AcledTestData.Bytes(AcledTestData.CurrentLayout));

        var csv = AcledExport.ToCsv(first.Accounts.Select(a => a.Account), first.Catalog);
        var again = Import(AcledTestData.CurrentLayout, Utf8(csv));

        Assert.Equal(first.Accounts.Select(a => (a.OccurrenceId, a.AccountId)), again.Accounts.Select(a => (a.OccurrenceId, a.AccountId)));
        Assert.Equal(first.Accounts.Select(a => Json.Serialize(a.Account)), again.Accounts.Select(a => Json.Serialize(a.Account)));
        Assert.Equal(
            [OccurrenceKind.ArmedClash, OccurrenceKind.Shelling, OccurrenceKind.Protest, OccurrenceKind.Looting],
            again.Accounts.Select(a => a.Account.Kind));
        Assert.Equal(csv, AcledExport.ToCsv(again.Accounts.Select(a => a.Account), again.Catalog));
    }

    [Fact]
    public void a_pre_2019_row_is_exported_with_the_current_event_and_sub_event_type()
    {
        var sample = Import(AcledTestData.Sample, AcledTestData.Bytes(AcledTestData.Sample));

        var rows = AcledCsv.Read("export.csv", Utf8(AcledExport.ToCsv(sample.Accounts.Select(a => a.Account), sample.Catalog)))
            .ToDictionary(r => r.EventIdCnty);

        Assert.All(rows.Values, r => Assert.Equal(AcledLayout.Current, r.Layout));
        Assert.Equal(("Strategic developments", "Arrests", "Strategic developments"), Types(rows["459RTA"]));
        Assert.Equal(("Battles", "Armed clash", "Political violence"), Types(rows["768RTA"]));
        Assert.Equal(("Explosions/Remote violence", "Air/drone strike", "Political violence"), Types(rows["1792RTA"]));
        Assert.Equal(("Violence against civilians", "Attack", "Political violence"), Types(rows["5124RTA"]));
        Assert.Equal(("Protests", "Peaceful protest", "Demonstrations"), Types(rows["5437RTA"]));
        Assert.Equal(new DateOnly(2016, 1, 18), rows["768RTA"].EventDate);
        Assert.Equal("Muslim Group (Libya)", rows["5124RTA"].AssocActor2);
        Assert.Equal("23", rows["768RTA"].Interaction);

        static (string, string?, string?) Types(AcledRow row) => (row.EventType, row.SubEventType, row.DisorderType);
    }

    [Fact]
    public void a_pre_2019_file_reads_back_as_the_same_accounts()
    {
        var sample = Import(AcledTestData.Sample, AcledTestData.Bytes(AcledTestData.Sample));

        var again = Import("export.csv", Utf8(AcledExport.ToCsv(sample.Accounts.Select(a => a.Account), sample.Catalog)), sample.Catalog);

        Assert.Empty(again.NewActors);
        Assert.Empty(again.NewLandmarks);
        foreach (var (before, after) in sample.Accounts.Zip(again.Accounts, (b, a) => (b.Account, a.Account)))
        {
            Assert.Equal(before.Kind, after.Kind);
            Assert.Equal(before.When, after.When);
            Assert.Equal(before.Fatalities, after.Fatalities);
            Assert.Equal(before.Actors, after.Actors);
            Assert.Equal(before.Place, after.Place);
            Assert.Equal(before.Source.Outlet, after.Source.Outlet);
            Assert.Equal(before.Acled!.Notes, after.Acled!.Notes);
            Assert.Equal(before.Acled.EventIdCnty, after.Acled.EventIdCnty);
        }
        Assert.Equal(sample.Accounts.Select(a => a.AccountId), again.Accounts.Select(a => a.AccountId));
    }

    [Fact]
    public void a_government_regaining_territory_keeps_its_sub_event_type()
    {
        var mapped = AcledMapping.ToAccount(AcledTestData.Catalog, AcledTestData.Row("Battle-Government regains territory"), "f.csv");

        var row = Assert.Single(AcledCsv.Read("export.csv", Utf8(AcledExport.ToCsv([mapped.Account.Account], mapped.Catalog))));

        Assert.Equal(("Battles", "Government regains territory"), (row.EventType, row.SubEventType));
    }

    [Fact]
    public void a_kind_corrected_since_the_import_is_exported_as_corrected()
    {
        var mapped = AcledMapping.ToAccount(AcledTestData.Catalog, AcledTestData.Row("Battles", "Armed clash"), "f.csv");
        var corrected = mapped.Account.Account with { Kind = OccurrenceKind.Shelling };

        var row = Assert.Single(AcledCsv.Read("export.csv", Utf8(AcledExport.ToCsv([corrected], mapped.Catalog))));

        Assert.Equal(("Explosions/Remote violence", "Shelling/artillery/missile attack"), (row.EventType, row.SubEventType));
    }

    [Fact]
    public void an_account_from_a_news_report_is_described_in_acleds_terms()
    {
        var account = new Account(
            OccurrenceKind.AirStrike,
            new WorldTime(new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 12), DatePrecision.Day),
            "al-harish-hospital",
            [new ActorInRole("libyan-air-force", ActorRole.Perpetrator), new ActorInRole("islamic-state", ActorRole.Target)],
            new Fatalities(AtLeast: 4),
            Firmness.Claimed,
            new Source("Libya Herald", "Air strikes on Derna", new DateOnly(2015, 6, 13), DatePrecision.Day, "003_316552248265ceb0.json",
                "Jets struck IS positions near the hospital, \"killing at least four\"."));

        var row = Assert.Single(AcledCsv.Read("export.csv", Utf8(AcledExport.ToCsv([account], AcledTestData.Catalog))));

        Assert.Equal(("Explosions/Remote violence", "Air/drone strike", "Political violence"), (row.EventType, row.SubEventType, row.DisorderType));
        Assert.Equal((new DateOnly(2015, 6, 12), 1), (row.EventDate, row.TimePrecision));
        Assert.Equal(("Military Forces of Libya (2014-)", "State forces"), (row.Actor1, row.Inter1));
        Assert.Equal("Islamic State (Cyrenaica Province)", row.Actor2);
        Assert.Equal(("al-Harish Hospital", "Libya"), (row.Location, row.Country));
        // The hospital has no coordinates of its own; Derna's stand in, at geo precision 2.
        Assert.Equal((32.767, 22.637, 2), (row.Latitude!.Value, row.Longitude!.Value, row.GeoPrecision!.Value));
        Assert.Equal(4, row.Fatalities);
        Assert.Equal("Libya Herald", row.Source);
        Assert.Equal("Jets struck IS positions near the hospital, \"killing at least four\".", row.Notes);
        Assert.StartsWith("ledger-", row.EventIdCnty);
    }

    [Fact]
    public void territory_taken_by_state_forces_is_a_government_regaining_it()
    {
        var account = new Account(
            OccurrenceKind.TerritoryTaken,
            new WorldTime(new DateOnly(2018, 6, 1), new DateOnly(2018, 6, 30), DatePrecision.Month),
            "derna",
            [new ActorInRole("libyan-air-force", ActorRole.Gainer), new ActorInRole("mujahideen-shura-council", ActorRole.Loser)],
            null, Firmness.Reported, new Source("Libya Herald", null, null, null, null, null));

        var row = Assert.Single(AcledCsv.Read("export.csv", Utf8(AcledExport.ToCsv([account], AcledTestData.Catalog))));

        Assert.Equal(("Government regains territory", 3, 0), (row.SubEventType, row.TimePrecision, row.Fatalities!.Value));
    }

    private static Account Reported(OccurrenceKind kind, string place, int? fatalities, params (string Actor, ActorRole Role)[] actors) => new(
        kind,
        new WorldTime(new DateOnly(2015, 6, 8), new DateOnly(2015, 6, 14), DatePrecision.Week),
        place,
        actors.Select(a => new ActorInRole(a.Actor, a.Role)).ToList(),
        fatalities is { } n ? new Fatalities(AtLeast: n) : null,
        Firmness.Reported,
        new Source("Reuters", null, null, null, "002_0a61e9e5d431c7b6.json", $"A report of {kind} in {place}."));

    [Fact]
    public void accounts_from_reports_export_and_read_back_to_the_same_places_actors_dates_and_tolls()
    {
        // The shapes the seed reports take: a victim with no named killer, a loss with no
        // named gainer, a declarer beside a gainer, three sides, a surrender.
        Account[] accounts =
        [
            Reported(OccurrenceKind.Assassination, "derna", 1, ("salem-derbi", ActorRole.Target)),
            Reported(OccurrenceKind.TerritoryLost, "pearl-hotel", null, ("islamic-state", ActorRole.Loser)),
            Reported(OccurrenceKind.TerritoryTransferred, "derna", null, ("islamic-youth-shura-council", ActorRole.Declarer), ("islamic-state", ActorRole.Gainer)),
            Reported(OccurrenceKind.ArmedClash, "is-checkpoints-east", 20,
                ("derna-residents", ActorRole.Side), ("abu-salim-martyrs-brigade", ActorRole.Side), ("islamic-state", ActorRole.Side)),
            Reported(OccurrenceKind.Surrender, "derna-downtown", null, ("islamic-state", ActorRole.Surrendering), ("mujahideen-shura-council", ActorRole.Receiving)),
            Reported(OccurrenceKind.PrisonersReleased, "is-headquarters-prisons", null, ("islamic-state", ActorRole.Loser)),
            Reported(OccurrenceKind.DeclarationOfWar, "derna", null, ("mujahideen-shura-council", ActorRole.Declarer), ("islamic-state", ActorRole.Target)),
        ];

        var again = Import("export.csv", Utf8(AcledExport.ToCsv(accounts, AcledTestData.Catalog)));

        Assert.Empty(again.NewActors);
        Assert.Empty(again.NewLandmarks);
        foreach (var (before, after) in accounts.Zip(again.Accounts, (b, a) => (b, a.Account)))
        {
            // Kinds ACLED has no type for (an assassination, a surrender) come back as the kind of their ACLED type.
            Assert.Equal(before.Kind.Acled(), after.Kind.Acled());
            Assert.Equal(before.Place, after.Place);
            Assert.Equal(before.When.Earliest, after.Acled!.EventDate);
            Assert.Equal(DatePrecision.Week, after.When.Precision);
            Assert.Equal(before.Fatalities?.Low ?? 0, after.Fatalities!.Low);
            Assert.Equal(before.Actors.Select(a => a.Actor).ToHashSet(), after.Actors.Select(a => a.Actor).ToHashSet());
            Assert.Equal(before.Source.Outlet, after.Source.Outlet);
        }
        // A victim stays a victim and a loser a loser: actor1 is left empty rather than filled with them.
        Assert.Equal([new ActorInRole("salem-derbi", ActorRole.Target)], again.Accounts[0].Account.Actors);
        Assert.Equal([new ActorInRole("islamic-state", ActorRole.Loser)], again.Accounts[1].Account.Actors);
    }
}
