using ConflictLedger.Catalog;
using ConflictLedger.Control;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Importing;

public sealed class SeedImportTests(SeededLedgerFixture ledger) : IClassFixture<SeededLedgerFixture>
{
    [Fact]
    public void the_seed_imports_cleanly()
    {
        Assert.Equal(7, ledger.FirstImport.Files);
        Assert.True(ledger.FirstImport.EventsAppended > 60, ledger.FirstImport.ToString());
        Assert.Equal(0, ledger.FirstImport.EventsAlreadyPresent);
    }

    [Fact]
    public async Task importing_the_seed_again_appends_nothing()
    {
        var head = await ledger.Store.HeadAsync();
        var again = await ledger.Importer.ImportEventsFolderAsync(LedgerFixture.EventsFolder);

        Assert.Equal(0, again.EventsAppended);
        Assert.Equal(ledger.FirstImport.EventsAppended, again.EventsAlreadyPresent);
        Assert.Equal(head, await ledger.Store.HeadAsync());
    }

    [Fact]
    public async Task the_first_days_dead_are_kept_as_two_accounts_with_their_sources()
    {
        var view = await new ControlQueries(ledger.ReadModels).OccurrenceAsync("derna-clashes-first-day");

        Assert.NotNull(view);
        var figures = view.Casualties.Figures.ToDictionary(f => f.File!);
        Assert.Equal(new Fatalities(Exact: 11), figures["000_826cc1e8d54c4f38.txt"].Fatalities);
        Assert.Equal(new Fatalities(AtLeast: 20), figures["001_e1a42581cbd39812.txt"].Fatalities);
        Assert.Equal((11, 20, 2), (view.Casualties.Low, view.Casualties.High, view.Casualties.Sources));
        Assert.Equal(3, view.Accounts.Count);
        Assert.All(view.Accounts, a => Assert.False(string.IsNullOrWhiteSpace(a.Account.Source.Quote)));
    }

    [Theory]
    [InlineData("Nasr Akr", "nasr-akr")]
    [InlineData("Nasser al-Aker", "nasr-akr")]
    [InlineData("Nasr al-Akar", "nasr-akr")]
    [InlineData("Nasir Atiyah al Akar", "nasr-akr")]
    [InlineData("IS", "islamic-state")]
    [InlineData("ISIS", "islamic-state")]
    [InlineData("Isis", "islamic-state")]
    [InlineData("Islamic State", "islamic-state")]
    [InlineData("province of Barqa", "islamic-state")]
    [InlineData("Mujahideen Shura Council", "mujahideen-shura-council")]
    [InlineData("Shura Council of Darna's Jihadists", "mujahideen-shura-council")]
    [InlineData("MSC", "mujahideen-shura-council")]
    [InlineData("the Mujahideen Shura Council", "mujahideen-shura-council")]
    [InlineData("Abu Salim Martyrs Brigade", "abu-salim-martyrs-brigade")]
    [InlineData("Abu-slim Martyr's Brigade", "abu-salim-martyrs-brigade")]
    [InlineData("ABU SALIM MARTYRS BRIGADE", "abu-salim-martyrs-brigade")]
    public async Task each_actor_alias_resolves_to_its_catalog_entry(string alias, string id)
    {
        var catalog = (await CatalogLedger.LoadAsync(ledger.Store)).Catalog;
        Assert.Equal(id, catalog.FindActor(alias)?.Id);
    }

    [Theory]
    [InlineData("Derna", "derna")]
    [InlineData("Darna", "derna")]
    [InlineData("Darnah", "derna")]
    [InlineData("Dérna", "derna")]
    [InlineData("al-Harish Hospital", "al-harish-hospital")]
    [InlineData("Harish hospital", "al-harish-hospital")]
    [InlineData("the Pearl Hotel", "pearl-hotel")]
    [InlineData("Bab Tobruk", "bab-tobruk")]
    public async Task each_landmark_alias_resolves_to_its_catalog_entry(string alias, string id)
    {
        var catalog = (await CatalogLedger.LoadAsync(ledger.Store)).Catalog;
        Assert.Equal(id, catalog.FindLandmark(alias)?.Id);
    }

    [Fact]
    public async Task landmarks_have_their_parents_and_only_sourced_coordinates()
    {
        var catalog = (await CatalogLedger.LoadAsync(ledger.Store)).Catalog;
        Assert.Equal(["derna", "libya"], catalog.AncestorsOf("al-harish-hospital").Select(l => l.Id));
        var derna = catalog.Landmark("derna")!;
        Assert.Equal((32.767, 22.637), (derna.Lat!.Value, derna.Lon!.Value));
        Assert.Null(catalog.Landmark("pearl-hotel")!.Lat);
    }
}
