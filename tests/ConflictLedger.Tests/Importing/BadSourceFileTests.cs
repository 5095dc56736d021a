using System.Text.Json.Nodes;
using ConflictLedger.Importing;

namespace ConflictLedger.Tests.Importing;

/// <summary>Each bad input is refused with a message naming file, path and field, and appends nothing from the file.</summary>
public sealed class BadSourceFileTests(LedgerFixture ledger) : IClassFixture<LedgerFixture>, IDisposable
{
    private const string Report = "003_316552248265ceb0.json";
    private readonly string folder = CopyOfEventsFolder();

    private static string CopyOfEventsFolder()
    {
        var target = Path.Combine(Path.GetTempPath(), "cl-events-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var file in Directory.GetFiles(LedgerFixture.EventsFolder, "*.json", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(LedgerFixture.EventsFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return target;
    }

    private async Task<ImportException> ImportWithBrokenReport(Action<JsonObject> breakIt)
    {
        var path = Path.Combine(folder, "sources", Report);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        breakIt(json);
        await File.WriteAllTextAsync(path, json.ToJsonString());
        // Only the broken report: the other reports may import, this one must not.
        foreach (var other in Directory.GetFiles(Path.Combine(folder, "sources")).Where(f => !f.EndsWith(Report, StringComparison.Ordinal)))
            File.Delete(other);

        var ex = await Assert.ThrowsAsync<ImportException>(() => ledger.Importer.ImportEventsFolderAsync(folder));
        Assert.All(ex.Errors, e => Assert.Equal(Report, e.File));
        Assert.Equal(0, await ledger.Store.StreamVersionAsync("incident-bab-tobruk-cleared-of-is"));
        Assert.Equal(0, await ledger.Store.StreamVersionAsync("incident-police-headquarters-taken-by-msc"));
        return ex;
    }

    private static JsonObject Occurrence(JsonObject file, int index) => file["occurrences"]![index]!.AsObject();

    [Fact]
    public async Task an_unknown_alias_asks_for_a_catalog_entry()
    {
        var ex = await ImportWithBrokenReport(f => Occurrence(f, 2)["place"] = "Atlantis Plaza");
        var error = Assert.Single(ex.Errors);
        Assert.Equal("$.occurrences[2].place", error.Location);
        Assert.Equal("place", error.Field);
        Assert.Contains("add it (or this alias) to events/catalog/landmarks.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_unknown_actor_names_its_path()
    {
        var ex = await ImportWithBrokenReport(f => Occurrence(f, 1)["actors"]![0]!["actor"] = "The Phantom Brigade");
        Assert.Equal("$.occurrences[1].actors[0].actor", Assert.Single(ex.Errors).Location);
    }

    [Fact]
    public async Task a_date_that_does_not_parse_is_refused()
    {
        var ex = await ImportWithBrokenReport(f => Occurrence(f, 0)["when"]!["earliest"] = "2015-02-30");
        var error = Assert.Single(ex.Errors);
        Assert.Equal(("$.occurrences[0].when.earliest", "earliest"), (error.Location, error.Field));
        Assert.Contains("not a date", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("earliest", "1799-12-31")]
    [InlineData("earliest", "9999-12-31")]
    [InlineData("latest", "9999-12-31")]
    public async Task a_world_date_outside_the_accepted_range_is_refused(string field, string date)
    {
        var ex = await ImportWithBrokenReport(f => Occurrence(f, 0)["when"]![field] = date);
        var error = Assert.Single(ex.Errors, e => e.Location == $"$.occurrences[0].when.{field}");
        Assert.Equal(field, error.Field);
        Assert.Contains("outside the dates the ledger accepts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_publication_date_outside_the_accepted_range_is_refused_once()
    {
        var ex = await ImportWithBrokenReport(f => f["source"]!["published"] = "9999-01-01");
        var error = Assert.Single(ex.Errors);
        Assert.Equal(("$.source.published", "published"), (error.Location, error.Field));
    }

    [Fact]
    public async Task a_nul_in_any_text_is_refused_at_its_path()
    {
        var ex = await ImportWithBrokenReport(f => Occurrence(f, 1)["quote"] = "shot\u0000dead");
        var error = Assert.Single(ex.Errors);
        Assert.Equal(("$.occurrences[1].quote", "quote"), (error.Location, error.Field));
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task latest_before_earliest_is_refused()
    {
        var ex = await ImportWithBrokenReport(f => Occurrence(f, 0)["when"]!["latest"] = "2014-01-01");
        Assert.Contains("before earliest", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task negative_fatalities_are_refused()
    {
        var ex = await ImportWithBrokenReport(f => Occurrence(f, 0)["fatalities"] = new JsonObject { ["exact"] = -3 });
        Assert.Contains(ex.Errors, e => e.Location.StartsWith("$.occurrences[0].fatalities", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_missing_source_is_refused()
    {
        var ex = await ImportWithBrokenReport(f => f.Remove("source"));
        Assert.Contains(ex.Errors, e => e.Location == "$.source" && e.Message.Contains("required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_file_that_is_not_json_is_refused_with_its_line()
    {
        var path = Path.Combine(folder, "sources", Report);
        await File.WriteAllTextAsync(path, "{\n  \"source\": {\n    oops\n");
        foreach (var other in Directory.GetFiles(Path.Combine(folder, "sources")).Where(f => f != path)) File.Delete(other);
        var ex = await Assert.ThrowsAsync<ImportException>(() => ledger.Importer.ImportEventsFolderAsync(folder));
        Assert.Equal("line 3", Assert.Single(ex.Errors).Location);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
