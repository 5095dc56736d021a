using System.Text;
using ConflictLedger.Control;
using ConflictLedger.Importing;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Importing.Acled;

/// <summary>The ACLED importer against the real log: idempotent, corrections for revised rows, nothing from a bad file.</summary>
public sealed class AcledImportTests(SeededLedgerFixture ledger) : IClassFixture<SeededLedgerFixture>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("cl-acled-").FullName;

    private static string Sample => Path.Combine(AppContext.BaseDirectory, "Importing", "Acled", "Data", "acled-2016-darnah-sample.csv");

    private async Task<string> Copy(Func<string, string>? change = null)
    {
        var path = Path.Combine(folder, "acled-" + Guid.NewGuid().ToString("N")[..6] + ".csv");
        var text = await File.ReadAllTextAsync(Sample);
        await File.WriteAllTextAsync(path, change is null ? text : change(text), Encoding.UTF8);
        return path;
    }

    [Fact]
    public async Task the_sample_imports_then_reimports_as_a_no_op_and_a_revised_row_becomes_a_correction()
    {
        var first = await ledger.Importer.ImportAcledAsync(await Copy());
        foreach (var id in new[] { "459rta", "768rta", "1784rta", "1786rta" })
            Assert.Equal(1, await ledger.Store.StreamVersionAsync(OccurrenceEvents.StreamId("acled-" + id)));
        Assert.True(first.EventsAppended >= 8, first.ToString());

        var again = await ledger.Importer.ImportAcledAsync(await Copy());
        Assert.Equal(0, again.EventsAppended);

        // ACLED revised the death toll of 768RTA from 2 to 3.
        var revised = await ledger.Importer.ImportAcledAsync(await Copy(text => text.Replace(
            "planning to carry out a suicide attack inside Derna.\",2,", "planning to carry out a suicide attack inside Derna.\",3,", StringComparison.Ordinal)));
        Assert.Equal(1, revised.EventsAppended);

        var stream = await ledger.Store.ReadStreamAsync(OccurrenceEvents.StreamId("acled-768rta")).ToListAsync();
        Assert.Equal(["armed-clash-reported.v1", OccurrenceEvents.Corrected], stream.Select(e => e.Type));
        await ledger.ProjectAsync(revised.LastPosition!.Value);
        var view = await new ControlQueries(ledger.ReadModels).OccurrenceAsync("acled-768rta");
        Assert.Equal(3, Assert.Single(view!.Accounts).Account.Fatalities!.Exact);
        Assert.Equal(1, view.Accounts[0].Revisions);
    }

    [Fact]
    public async Task a_csv_with_no_recognisable_header_is_refused_and_appends_nothing()
    {
        var path = Path.Combine(folder, "nonsense.csv");
        await File.WriteAllTextAsync(path, "name,age\nbob,3\n");
        var head = await ledger.Store.HeadAsync();

        var ex = await Assert.ThrowsAsync<ImportException>(() => ledger.Importer.ImportAcledAsync(path));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(("nonsense.csv", "line 1"), (error.File, error.Location));
        Assert.Equal(head, await ledger.Store.HeadAsync());
    }

    [Fact]
    public async Task a_file_with_one_bad_row_appends_none_of_its_rows()
    {
        var path = await Copy(text => text.Replace("21/01/2016", "31/02/2016", StringComparison.Ordinal));
        var ex = await Assert.ThrowsAsync<ImportException>(() => ledger.Importer.ImportAcledAsync(path));
        Assert.Contains(ex.Errors, e => e.Field == "EVENT_DATE");
        Assert.Equal(0, await ledger.Store.StreamVersionAsync(OccurrenceEvents.StreamId("acled-1784rta")));
    }

    [Fact]
    public async Task a_file_of_many_new_and_some_known_rows_imports_the_new_by_copy_and_corrects_the_known_in_one_transaction()
    {
        // Row 768RTA of the sample, under ids of its own: 60 rows, then those 60 (one revised) and 60 more.
        var lines = (await File.ReadAllLinesAsync(Sample)).ToList();
        var row = lines.First(l => l.StartsWith("620,768RTA,", StringComparison.Ordinal));
        var tag = Random.Shared.Next(100_000, 999_999);
        string Rows(int from, int to, int? revised = null) => string.Join("\n", Enumerable.Range(from, to - from).Select(i =>
        {
            var copy = row.Replace("768RTA", $"{tag}{i:D3}RTA", StringComparison.Ordinal);
            return i == revised ? copy.Replace("inside Derna.\",2,", "inside Derna.\",3,", StringComparison.Ordinal) : copy;
        }));
        async Task<string> FileOf(string rows)
        {
            var path = Path.Combine(folder, $"acled-{Guid.NewGuid():N}.csv");
            await File.WriteAllTextAsync(path, lines[0] + "\n" + rows + "\n", Encoding.UTF8);
            return path;
        }

        var first = await ledger.Importer.ImportAcledAsync(await FileOf(Rows(0, 60)));
        Assert.Equal(60, first.EventsAppended);

        var second = await ledger.Importer.ImportAcledAsync(await FileOf(Rows(0, 120, revised: 7)));
        Assert.Equal(61, second.EventsAppended);
        Assert.Equal(2, await ledger.Store.StreamVersionAsync(OccurrenceEvents.StreamId($"acled-{tag}007rta")));
        Assert.Equal(1, await ledger.Store.StreamVersionAsync(OccurrenceEvents.StreamId($"acled-{tag}119rta")));
        Assert.Equal(1, await ledger.Store.StreamVersionAsync(OccurrenceEvents.StreamId($"acled-{tag}008rta")));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
