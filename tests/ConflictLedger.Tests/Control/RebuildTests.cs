using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using ConflictLedger.Testing;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// A rebuild's bulk pass (<see cref="BulkRebuild"/>): it folds the log in memory and writes
/// each row once by COPY into tables whose indexes it builds after. The generation it fills
/// must equal what incremental projection leaves, indexes and keys included.
/// </summary>
public sealed class RebuildTests : LedgerFixture
{
    [Fact]
    public async Task a_rebuilt_generation_has_every_index_and_key_the_scripts_define()
    {
        await ImportSeedAsync();
        var first = await ReadModels.ActiveSchemaAsync();

        var result = await ReadModels.RebuildAsync();

        var expected = await IndexesAndKeysAsync(first);
        Assert.Contains("occurrences_by_place", expected, StringComparison.Ordinal);
        Assert.Contains("control_claims_pkey", expected, StringComparison.Ordinal);
        Assert.Equal(expected, await IndexesAndKeysAsync(result.To));
    }

    [Fact]
    public async Task a_rebuild_reading_the_log_in_small_pages_equals_incremental_projection_with_corrections_and_retractions()
    {
        long last = 0;
        foreach (var stream in OutOfOrderTests.Streams(seed: 5))
        foreach (var (id, e) in stream)
            last = (await Store.AppendAsync(id, ExpectedVersion.Any, [e])).Position.Value;
        await ProjectAsync(last);
        var incremental = await ReadModelDump.ActiveAsync(this);
        Assert.Contains("\"revisions\":1", incremental, StringComparison.Ordinal);
        Assert.Contains("\"retracted\":true", incremental, StringComparison.Ordinal);

        // Pages of two events: a correction lands pages after the report it replaces.
        await new ReadModelStore(Store) { RebuildPageSize = 2 }.RebuildAsync();

        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
    }

    [Fact]
    public async Task an_event_that_fails_the_check_is_set_aside_again_by_a_rebuild_and_everything_else_is_rebuilt()
    {
        var bad = new EventData(Guid.NewGuid(), "armed-clash-reported.v1", """{"occurrenceId": "half", "accountId": "half/1", "account": {"kind": "armed-clash"}}""");
        var badAt = (await Store.AppendAsync("incident-half", ExpectedVersion.NoStream, [bad])).Position.Value;
        await ImportSeedAsync();
        var incremental = await ReadModelDump.ActiveAsync(this);
        Assert.Equal(1, await DeadLetterRowsAsync(badAt));

        await ReadModels.RebuildAsync();

        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
        Assert.Equal(2, await DeadLetterRowsAsync(badAt));
        Assert.Contains(bad.Id.ToString(), Assert.Single(await ReadModels.DeadLettersAsync()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_row_postgresql_refuses_sends_the_rebuild_page_by_page_which_sets_only_its_event_aside()
    {
        // A place of 8,000 characters passes every pure function; PostgreSQL refuses it in an
        // index entry (at most 2,704 bytes). In the bulk pass that is the index build after
        // the COPY, which cannot say which event it was.
        var place = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6_000));
        var refused = LedgerTestEvents.Report(place, kind: Occurrences.OccurrenceKind.TerritoryTaken);
        var refusedAt = (await Store.AppendAsync(LedgerTestEvents.NewStream(), ExpectedVersion.NoStream, [refused])).Position.Value;
        await ImportSeedAsync();
        var incremental = await ReadModelDump.ActiveAsync(this);
        Assert.DoesNotContain(place, incremental, StringComparison.Ordinal);

        var result = await ReadModels.RebuildAsync();

        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
        Assert.Equal(2, await DeadLetterRowsAsync(refusedAt));
        Assert.Equal(await IndexesAndKeysAsync(result.From), await IndexesAndKeysAsync(result.To));
        var answer = await new ControlQueries(ReadModels).AtAsync(new DateOnly(2015, 8, 1), null, "derna", null);
        Assert.Equal("mujahideen-shura-council", answer.Landmarks[0].Interval!.Controller);
    }

    [Fact]
    public async Task events_appended_during_the_bulk_pass_are_written_into_the_new_generation_before_the_swap()
    {
        await ImportSeedAsync();
        var first = (await new ControlQueries(ReadModels).OccurrenceAsync("derna-clashes-first-day"))!.Accounts[0];
        var stream = OccurrenceEvents.StreamId("derna-clashes-first-day");
        var appending = new ReadModelStore(Store)
        {
            // After the bulk pass wrote the occurrence: a correction of it, and a new occurrence.
            AfterBulkPass = async ct =>
            {
                var version = await Store.StreamVersionAsync(stream, ct);
                var corrected = new AccountCorrected("derna-clashes-first-day", first.AccountId, first.Account with { Place = "pearl-hotel" }, "revised");
                await Store.AppendAsync(stream, ExpectedVersion.Any, [OccurrenceEvents.ToEventData(corrected, version)], ct: ct);
                var late = Report("appended-during-rebuild", "2015-06-22");
                await Store.AppendAsync(OccurrenceEvents.StreamId(late.OccurrenceId), ExpectedVersion.NoStream, [OccurrenceEvents.ToEventData(late, 0)], ct: ct);
            },
        };

        var result = await appending.RebuildAsync();

        var rebuilt = await ReadModelDump.ActiveAsync(this);
        Assert.Equal(result.To, await ReadModels.ActiveSchemaAsync());
        Assert.Contains("appended-during-rebuild", rebuilt, StringComparison.Ordinal);
        Assert.Contains("\"revisions\":1", rebuilt, StringComparison.Ordinal);
        Assert.Equal(await Store.HeadAsync(), await ReadModels.PositionAsync());
        // The same log rebuilt in one bulk pass (which equals incremental projection, above).
        await ReadModels.RebuildAsync();
        Assert.Equal(rebuilt, await ReadModelDump.ActiveAsync(this));
    }

    [Fact]
    public async Task events_written_into_another_occurrences_stream_are_rebuilt_as_the_daemon_projects_them()
    {
        // Past the API, an event may name an occurrence other than its stream's. The bulk pass
        // writes an occurrence once its own stream has had its last event: one that strays in
        // before that keeps it open, one that strays in after sends the rebuild page by page.
        var seed = await Importer.ImportEventsFolderAsync(EventsFolder);
        var early = Report("stray-early", "2015-06-20");
        var late = Report("stray-late", "2015-06-21");
        await Store.AppendAsync("incident-elsewhere", ExpectedVersion.Any, [OccurrenceEvents.ToEventData(early with { AccountId = "stray-early/elsewhere" }, 0)]);
        await Store.AppendAsync(OccurrenceEvents.StreamId("stray-early"), ExpectedVersion.NoStream, [OccurrenceEvents.ToEventData(early, 0)]);
        await Store.AppendAsync(OccurrenceEvents.StreamId("stray-late"), ExpectedVersion.NoStream, [OccurrenceEvents.ToEventData(late, 0)]);
        var last = await Store.AppendAsync("incident-elsewhere", ExpectedVersion.Any, [OccurrenceEvents.ToEventData(late with { AccountId = "stray-late/elsewhere" }, 1)]);
        await ProjectAsync(last.Position.Value);
        var incremental = await ReadModelDump.ActiveAsync(this);
        Assert.Contains("stray-late/elsewhere", incremental, StringComparison.Ordinal);
        Assert.True(seed.EventsAppended > 0);

        await ReadModels.RebuildAsync();

        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
    }

    private static Occurrences.AccountReported Report(string occurrence, string day)
    {
        var date = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        return new Occurrences.AccountReported(occurrence, occurrence + "/wire", new Occurrences.Account(
            Occurrences.OccurrenceKind.TerritoryTaken, new Occurrences.WorldTime(date, date, Occurrences.DatePrecision.Day), "derna",
            [new Occurrences.ActorInRole("islamic-state", Occurrences.ActorRole.Gainer)], null, Occurrences.Firmness.Reported,
            new Occurrences.Source("Wire", null, date, Occurrences.DatePrecision.Day, "test.json", "Taken.")));
    }

    /// <summary>The generation's indexes and constraints as PostgreSQL defines them, its schema name left out.</summary>
    private async Task<string> IndexesAndKeysAsync(string generation)
    {
        await using var command = DataSource.CreateCommand("""
            select string_agg(d, E'\n' order by d) from (
              select replace(indexdef, $1, 'generation') as d from pg_indexes where schemaname = $1
              union all
              select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint where connamespace = $1::text::regnamespace
            ) defs
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = generation });
        return ((string)(await command.ExecuteScalarAsync())!).Replace(generation, "generation", StringComparison.Ordinal);
    }

    /// <summary>Marten's dead-letter records of the read model for one event: one per time it was set aside.</summary>
    private async Task<int> DeadLetterRowsAsync(long position)
    {
        await using var session = Store.Store.QuerySession();
        return await session.Query<DeadLetterEvent>().CountAsync(d => d.ProjectionName == ReadModelProjection.Name && d.EventSequence == position);
    }
}
