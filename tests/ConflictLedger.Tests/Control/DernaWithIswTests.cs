using System.Text.Json;
using ConflictLedger.Catalog;
using ConflictLedger.Control;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// The seed plus ISW's account (published 16 June 2015): clashes from 9 June after the
/// assassination of the MSC leader; IS lost Derna on 12 June; the MSC took the IS
/// headquarters on 13 June. The answers get as precise as ISW where every source allows
/// it, and keep a dispute where they do not.
/// </summary>
public sealed class DernaWithIswTests(DernaWithIswTests.Fixture ledger) : IClassFixture<DernaWithIswTests.Fixture>
{
    public sealed class Fixture : LedgerFixture
    {
        public static string IswFile => Path.Combine(AppContext.BaseDirectory, "Control", "Data", "isw_2015-06-16.json");

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var seed = await ImportSeedAsync();
            using var schema = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(EventsFolder, "schema.json")));
            var catalog = (await CatalogLedger.LoadAsync(Store)).Catalog;
            var isw = await Importer.ImportSourceFileAsync(IswFile, schema, catalog);
            await ProjectAsync(isw.LastPosition ?? seed.LastPosition!.Value);
        }
    }

    private const string IS = "islamic-state";
    private const string MSC = "mujahideen-shura-council";
    private ControlQueries Queries => new(ledger.ReadModels);

    private async Task<ControlInterval> At(string landmark, string date, string? known = null) =>
        Assert.Single((await Queries.AtAsync(DateOnly.Parse(date), known is null ? null : DateOnly.Parse(known), landmark, null)).Landmarks).Interval
        ?? throw new Xunit.Sdk.XunitException($"no interval for {landmark} at {date}");

    [Fact]
    public async Task derna_on_20_june_is_no_longer_uncertain()
    {
        var interval = await At("derna", "2015-06-20");
        Assert.NotEqual(ControlStatus.Uncertain, interval.Status);
        Assert.Equal(MSC, interval.Controller);
    }

    [Fact]
    public async Task the_change_is_pinned_to_12_june_by_isw_and_each_source_says_its_own_window()
    {
        var interval = await At("derna", "2015-06-12");
        Assert.Equal((ControlStatus.Uncertain, new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 13)), (interval.Status, interval.From, interval.To));
        var pinned = Assert.Single(interval.Change!.PinnedBy);
        Assert.Equal("Institute for the Study of War (ISW)", pinned.Outlet);
        Assert.Equal("changed hands on 2015-06-12", Assert.Single(interval.Evidence, e => e.Source.File == "isw_2015-06-16.txt").Says);
        Assert.Equal("changed hands between 2015-06-10 and 2015-06-14", Assert.Single(interval.Evidence, e => e.Source.File == "002_0a61e9e5d431c7b6.txt").Says);
        Assert.Equal("changed hands between 2015-06-01 and 2015-06-30", Assert.Single(interval.Evidence, e => e.Source.File == "004_65c0e07898c2b48b.txt").Says);
        Assert.Equal((IS, ControlStatus.Contested), ((await At("derna", "2015-06-11")).Controller, (await At("derna", "2015-06-11")).Status));
    }

    [Fact]
    public async Task as_known_before_isw_published_the_week_of_the_other_reports_is_the_window()
    {
        var before = await At("derna", "2015-06-12", known: "2015-06-15");
        Assert.Equal((new DateOnly(2015, 6, 10), new DateOnly(2015, 6, 15)), (before.From, before.To));
        var after = await At("derna", "2015-06-20", known: "2015-06-17");
        Assert.Equal(MSC, after.Controller);
    }

    [Fact]
    public async Task the_assassination_keeps_9_and_10_june_as_a_dispute_between_named_sources()
    {
        var view = await Queries.OccurrenceAsync("nasr-akr-assassination") ?? throw new Xunit.Sdk.XunitException("no occurrence");
        Assert.True(view.When!.IsDisputed);
        Assert.Equal((new DateOnly(2015, 6, 9), new DateOnly(2015, 6, 10)), (view.Earliest, view.Latest));
        var ninth = Assert.Single(view.When.Disputed, o => o.Earliest == new DateOnly(2015, 6, 9));
        var tenth = Assert.Single(view.When.Disputed, o => o.Earliest == new DateOnly(2015, 6, 10));
        Assert.Contains(ninth.Sources, s => s.Outlet == "Institute for the Study of War (ISW)");
        Assert.Contains(tenth.Sources, s => s.Outlet.StartsWith("Libya Channel", StringComparison.Ordinal));
        Assert.DoesNotContain(ninth.Sources, s => s.Outlet.StartsWith("Libya Channel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_is_headquarters_passed_to_the_shura_council_on_13_june()
    {
        var after = await At("is-headquarters-prisons", "2015-06-14");
        Assert.Equal((MSC, ControlStatus.Held), (after.Controller, after.Status));
    }
}
