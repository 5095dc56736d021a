using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.Server.Cli;
using ConflictLedger.Testing;

namespace ConflictLedger.Server.Tests.Cli;

/// <summary>The command-line verbs against a ledger of their own: import, control, timeline, rebuild, export.</summary>
public sealed class LedgerCommandsTests : IAsyncLifetime
{
    private readonly string schema = TestDatabase.NewSchemaName("cli");
    private WebApplication app = null!;
    private Ledger ledger = null!;

    public async Task InitializeAsync()
    {
        app = ConflictLedgerServer.Build([], RunningServer.Configure(RunningServer.Defaults(schema)));
        ledger = await Ledger.OpenAsync(app.Services, CancellationToken.None);
    }

    private async Task<string> Run(string verb, params string[] args)
    {
        var output = new StringWriter();
        Assert.Equal(0, await LedgerCommands.RunAsync(verb, args, ledger, output, CancellationToken.None));
        return output.ToString();
    }

    [Fact]
    public async Task an_account_no_date_arithmetic_can_handle_is_set_aside_and_control_timeline_and_rebuild_still_answer()
    {
        await Run("import", ledger.EventsFolder);
        // Written straight to the log, past the API's date checks, as an older version or
        // another writer could have.
        var poison = new AccountReported("far-future", "far/1", new Account(OccurrenceKind.TerritoryTaken,
            new WorldTime(DateOnly.MaxValue, DateOnly.MaxValue, DatePrecision.Day), "derna",
            [new ActorInRole("islamic-state", ActorRole.Gainer)], null, Firmness.Reported, new Source("Wire", null, null, null, null, "q")));
        await ledger.Store.AppendAsync(OccurrenceEvents.StreamId("far-future"), ExpectedVersion.NoStream, [OccurrenceEvents.ToEventData(poison, 0)]);

        Assert.Matches(@"derna\s+held by mujahideen-shura-council", await Run("control", "--at", "2015-08-01", "--landmark", "derna"));
        Assert.Contains("mujahideen-shura-council", await Run("timeline", "derna"), StringComparison.Ordinal);
        Assert.Contains($"into {schema}_rm2", await Run("rebuild"), StringComparison.Ordinal);
        Assert.Matches(@"derna\s+held by mujahideen-shura-council", await Run("control", "--at", "2015-08-01", "--landmark", "derna"));
        var letter = Assert.Single(await ledger.ReadModels.DeadLettersAsync());
        Assert.Contains("territory-taken-reported.v1", letter.Reason, StringComparison.Ordinal);
        Assert.Contains("out of range", letter.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task import_then_control_timeline_rebuild_and_export_answer_from_the_seed()
    {
        var imported = await Run("import", ledger.EventsFolder);
        Assert.Contains("7 file(s)", imported, StringComparison.Ordinal);
        Assert.Contains("0 already present", imported, StringComparison.Ordinal);
        Assert.Contains("0 event(s) appended", await Run("import", ledger.EventsFolder), StringComparison.Ordinal);

        var control = await Run("control", "--at", "2015-08-01", "--within", "derna");
        Assert.Contains("bab-tobruk", control, StringComparison.Ordinal);
        Assert.Matches(@"derna\s+held by mujahideen-shura-council", control);

        var known = await Run("control", "--at", "2015-08-01", "--known", "2015-06-12", "--landmark", "derna");
        Assert.Contains("as known on 2015-06-12", known, StringComparison.Ordinal);
        Assert.Contains("no information", known, StringComparison.Ordinal);

        var byAlias = await Run("control", "--at", "2015-08-01", "--landmark", "Darna");
        Assert.Contains("'Darna' is the landmark derna", byAlias, StringComparison.Ordinal);
        Assert.Matches(@"derna\s+held by mujahideen-shura-council", byAlias);
        await Assert.ThrowsAsync<UsageException>(() => LedgerCommands.RunAsync("timeline", ["Atlantis"], ledger, new StringWriter(), CancellationToken.None));

        var timeline = await Run("timeline", "Harish Hospital");
        Assert.Contains("unknown", timeline, StringComparison.Ordinal);
        Assert.Contains("002_0a61e9e5d431c7b6.txt", timeline, StringComparison.Ordinal);

        Assert.Contains($"into {schema}_rm2", await Run("rebuild"), StringComparison.Ordinal);
        Assert.Matches(@"derna\s+held by mujahideen-shura-council", await Run("control", "--at", "2015-08-01", "--landmark", "derna"));

        var csv = Path.Combine(Path.GetTempPath(), schema + ".csv");
        try
        {
            Assert.Contains("accounts to", await Run("export-acled", csv), StringComparison.Ordinal);
            var header = (await File.ReadAllLinesAsync(csv))[0];
            Assert.StartsWith("event_id_cnty,event_date,year,time_precision", header, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public async Task an_acled_export_imports_through_the_same_verb()
    {
        var sample = Path.Combine(TestDatabase.RepositoryRoot(), "tests", "ConflictLedger.Tests", "Importing", "Acled", "Data", "acled-2016-darnah-sample.csv");
        var first = await Run("import", "--known-from", "2016-05-28", sample);
        Assert.Contains("1 file(s)", first, StringComparison.Ordinal);
        Assert.Contains("8 row(s) known from 2016-05-28 (as told)", first, StringComparison.Ordinal);
        Assert.Contains("0 event(s) appended", await Run("import", sample), StringComparison.Ordinal);

        // As known on the release day the rows are there; the day before, they are not.
        await ledger.ProjectAsync(CancellationToken.None);
        Assert.Contains("acled-768rta", Json.Serialize(await ledger.Queries.OccurrencesAsync(new DateOnly(2016, 5, 28), CancellationToken.None)), StringComparison.Ordinal);
        Assert.DoesNotContain("acled-768rta", Json.Serialize(await ledger.Queries.OccurrencesAsync(new DateOnly(2016, 5, 27), CancellationToken.None)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_bad_invocation_says_what_is_wrong()
    {
        var output = new StringWriter();
        var ex = await Assert.ThrowsAsync<UsageException>(() => LedgerCommands.RunAsync("control", ["--at", "someday"], ledger, output, CancellationToken.None));
        Assert.Contains("--at 'someday' is not a date", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UsageException>(() => LedgerCommands.RunAsync("timeline", [], ledger, output, CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await using var dataSource = TestDatabase.CreateDataSource("cli-cleanup");
        foreach (var s in new[] { schema + "_rm1", schema + "_rm2", schema }) await TestDatabase.DropSchemaAsync(dataSource, s);
    }
}
