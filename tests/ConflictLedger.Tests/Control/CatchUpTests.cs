using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// A daemon catching up lists the landmarks it touched as stale instead of deriving their
/// intervals per batch (ReadModelWriter, IntervalDerivation.Deferred). Here the seed is
/// projected, then every landmark is made stale with its stored intervals gone, as a long
/// catch-up would leave them mid-way: answers must not change, and the batch that reaches
/// the head must derive them all.
/// </summary>
public sealed class CatchUpTests : LedgerFixture
{
    private static readonly DateOnly[] Days = Enumerable.Range(0, 30).Select(i => new DateOnly(2015, 5, 1).AddDays(5 * i)).ToArray();

    [Fact]
    public async Task a_landmark_whose_intervals_are_not_derived_yet_is_answered_from_its_claims()
    {
        await ImportSeedAsync();
        var control = new ControlQueries(ReadModels);
        var expected = await AnswersAsync(control);
        Assert.Contains("\"controller\":\"mujahideen-shura-council\"", expected, StringComparison.Ordinal);

        await LeaveEveryLandmarkStaleAsync();

        Assert.Equal(expected, await AnswersAsync(control));
    }

    [Fact]
    public async Task the_batch_that_reaches_the_head_derives_every_stale_landmark()
    {
        var seed = await ImportSeedAsync();
        await LeaveEveryLandmarkStaleAsync();

        var day = new DateOnly(2015, 9, 20);
        var report = new AccountReported("catch-up-test", "test/1", new Account(
            OccurrenceKind.TerritoryTaken, new WorldTime(day, day, DatePrecision.Day), "derna",
            [new ActorInRole("mujahideen-shura-council", ActorRole.Gainer)], null, Firmness.Reported,
            new Source("Test Wire", null, day, DatePrecision.Day, "test.json", "Taken again.")));
        var appended = await Store.AppendAsync(OccurrenceEvents.StreamId("catch-up-test"), ExpectedVersion.NoStream, [OccurrenceEvents.ToEventData(report, 0)]);
        await ProjectAsync(appended.Position.Value);

        Assert.Equal(0L, await ScalarAsync($"select count(*) from \"{await ReadModels.ActiveSchemaAsync()}\".stale_landmarks"));
        var incremental = await ReadModelDump.ActiveAsync(this);
        await ReadModels.RebuildAsync();
        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
        Assert.True(seed.EventsAppended > 0);
    }

    /// <summary>
    /// A landmark with a long history is updated from the last change before what changed
    /// (IntervalUpdate): a new take-over at the end, a correction that moves an old account
    /// months later (its old window must count too), a retraction and a second source with
    /// another date, through the daemon's batches of three. The result equals a rebuild.
    /// </summary>
    [Fact]
    public async Task a_long_history_updated_from_where_it_changed_equals_a_rebuild()
    {
        await ImportSeedAsync();
        var first = new DateOnly(2015, 7, 1);
        string[] sides = ["islamic-state", "mujahideen-shura-council"];
        var last = 0L;
        for (var i = 0; i < 40; i++)
            last = await ReportAsync($"long-{i}", "a", first.AddDays(10 * i), 1 + i % 3, sides[i % 2], sides[(i + 1) % 2], ExpectedVersion.NoStream);
        await ProjectAsync(last);
        var generation = await ReadModels.ActiveSchemaAsync();
        var untouched = await ScalarAsync($"select count(*) from \"{generation}\".control_intervals where landmark = 'pearl-hotel' and valid_to <= '2015-08-01'");

        await ReportAsync("long-40", "a", first.AddDays(400), 1, sides[0], sides[1], ExpectedVersion.NoStream);
        var moved = new AccountCorrected("long-20", "long-20/a", Account(first.AddDays(330), 1, sides[0], sides[1]), "Wrong month.");
        await Store.AppendAsync(OccurrenceEvents.StreamId("long-20"), ExpectedVersion.Exact(1), [OccurrenceEvents.ToEventData(moved, 1)]);
        var retracted = new AccountRetracted("long-35", "long-35/a", "Withdrawn.");
        await Store.AppendAsync(OccurrenceEvents.StreamId("long-35"), ExpectedVersion.Exact(1), [OccurrenceEvents.ToEventData(retracted, 1)]);
        last = await ReportAsync("long-38", "b", first.AddDays(376), 2, sides[0], sides[1], ExpectedVersion.Exact(1));
        await ProjectAsync(last);

        Assert.Equal(0L, await ScalarAsync($"select count(*) from \"{generation}\".stale_landmarks"));
        Assert.True(untouched > 0);
        var incremental = await ReadModelDump.ActiveAsync(this);
        await ReadModels.RebuildAsync();
        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
    }

    /// <summary>Claims an older node wrote without their window columns (during an upgrade) still count in an update.</summary>
    [Fact]
    public async Task claims_stored_without_their_window_still_count_in_an_update()
    {
        await ImportSeedAsync();
        var first = new DateOnly(2015, 7, 1);
        string[] sides = ["islamic-state", "mujahideen-shura-council"];
        var last = 0L;
        for (var i = 0; i < 12; i++)
            last = await ReportAsync($"old-{i}", "a", first.AddDays(10 * i), 1, sides[i % 2], sides[(i + 1) % 2], ExpectedVersion.NoStream);
        await ProjectAsync(last);
        var generation = await ReadModels.ActiveSchemaAsync();
        // All but one, as a node of the version before wrote them (whole documents): that one alone would show a cut before the change the others hold.
        await WholeDocuments.RewriteClaimsAsync(DataSource, generation, "occurrence_id <> 'old-10'", "earliest = null, latest = null");

        last = await ReportAsync("old-12", "a", first.AddDays(115), 1, sides[0], sides[1], ExpectedVersion.NoStream);
        await ProjectAsync(last);

        var incremental = await IntervalsAsync(generation);
        await ReadModels.RebuildAsync();
        Assert.Equal(incremental, await IntervalsAsync(await ReadModels.ActiveSchemaAsync()));
    }

    private async Task<string> IntervalsAsync(string generation)
    {
        await using var command = DataSource.CreateCommand($"select string_agg(interval, E'\\n' order by landmark, valid_from nulls first) from \"{generation}\".control_intervals");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> ReportAsync(string occurrence, string source, DateOnly day, int days, string gainer, string loser, ExpectedVersion expected)
    {
        var report = new AccountReported(occurrence, $"{occurrence}/{source}", Account(day, days, gainer, loser));
        var version = expected == ExpectedVersion.NoStream ? 0 : 1;
        return (await Store.AppendAsync(OccurrenceEvents.StreamId(occurrence), expected, [OccurrenceEvents.ToEventData(report, version)])).Position.Value;
    }

    private static Account Account(DateOnly day, int days, string gainer, string loser) => new(
        OccurrenceKind.TerritoryTaken, new WorldTime(day, day.AddDays(days - 1), days == 1 ? DatePrecision.Day : DatePrecision.Week), "pearl-hotel",
        [new ActorInRole(gainer, ActorRole.Gainer), new ActorInRole(loser, ActorRole.Loser)], null, Firmness.Reported,
        new Source("Test Wire", null, day.AddDays(days), DatePrecision.Day, "test.json", "Taken."));

    /// <summary>Every landmark's intervals, at every fifth day of the fight, as text.</summary>
    private static async Task<string> AnswersAsync(ControlQueries control)
    {
        var answers = new List<string>();
        foreach (var day in Days)
        {
            var answer = await control.AtAsync(day, null, null, null);
            answers.Add(Json.Serialize(answer.Landmarks.Select(l => new { l.Landmark.Id, l.Interval })));
        }
        return string.Join('\n', answers);
    }

    /// <summary>What a catch-up leaves mid-way at worst: every landmark listed as stale, no interval stored.</summary>
    private async Task LeaveEveryLandmarkStaleAsync()
    {
        var generation = await ReadModels.ActiveSchemaAsync();
        await ScalarAsync($"""
            insert into "{generation}".stale_landmarks select id from "{generation}".landmarks;
            delete from "{generation}".control_intervals
            """);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync() is long n ? n : 0;
    }
}
