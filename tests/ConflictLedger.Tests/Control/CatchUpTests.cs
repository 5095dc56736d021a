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
