using ConflictLedger.Control;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// How the read model stores what it derives: intervals name the claims behind them
/// (005_interval_evidence.sql), the projection writes the occurrence summary columns
/// the 004 trigger used to fill (answers are the same either way), and long documents are
/// compressed with lz4 (007_lz4_documents.sql).
/// </summary>
public sealed class ReadModelStorageTests : LedgerFixture
{
    private static readonly DateOnly[] Days = Enumerable.Range(0, 24).Select(i => new DateOnly(2015, 5, 1).AddDays(7 * i)).ToArray();

    [Fact]
    public async Task a_generation_whose_intervals_copy_their_evidence_answers_the_same_once_the_new_script_has_run()
    {
        await ImportSeedAsync();
        var control = new ControlQueries(ReadModels);
        var expected = await AnswersAsync(control);
        Assert.Contains("\"outlet\"", expected, StringComparison.Ordinal);

        // The generation as the version before wrote it: whole copies of the evidence, no id column.
        var generation = await ReadModels.ActiveSchemaAsync();
        var copies = await CopiesAsync(generation);
        await ExecuteAsync($"""
            update "{generation}".control_intervals i set interval = c.interval
              from unnest($1::text[], $2::date[], $3::text[]) as c(landmark, valid_to, interval)
             where i.landmark = c.landmark and i.valid_to is not distinct from c.valid_to
            """, copies);
        await ExecuteAsync($"alter table \"{generation}\".control_intervals drop column evidence");
        await ExecuteAsync($"delete from \"{generation}\".migrations where script = '005_interval_evidence.sql'");

        await ReadModels.EnsureAsync();

        Assert.Equal(expected, await AnswersAsync(control));
    }

    [Fact]
    public async Task an_interval_row_with_copied_evidence_and_no_ids_as_a_node_of_the_version_before_writes_it_answers_the_same()
    {
        await ImportSeedAsync();
        var control = new ControlQueries(ReadModels);
        var expected = await AnswersAsync(control);
        var generation = await ReadModels.ActiveSchemaAsync();
        var copies = await CopiesAsync(generation);

        await ExecuteAsync($"""
            update "{generation}".control_intervals i set interval = c.interval, evidence = array[]::uuid[]
              from unnest($1::text[], $2::date[], $3::text[]) as c(landmark, valid_to, interval)
             where i.landmark = c.landmark and i.valid_to is not distinct from c.valid_to
            """, copies);

        Assert.Equal(expected, await AnswersAsync(control));
    }

    [Fact]
    public async Task the_projection_writes_the_summary_columns_of_each_documents_view()
    {
        await ImportSeedAsync();
        var generation = await ReadModels.ActiveSchemaAsync();

        // What the dropped trigger (004_occurrence_summary.sql) derived from each document,
        // now derived from the view the stored document reads as, on every row.
        await using var command = DataSource.CreateCommand($"select id, places, kinds, actors, earliest, latest, doc from \"{generation}\".occurrences");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        var withActors = 0;
        while (await reader.ReadAsync())
        {
            var view = StoredOccurrence.Read(reader.GetString(6));
            var summary = OccurrenceSummary.Of(view);
            Assert.Equal(view.Id, reader.GetString(0));
            Assert.Equal(view.Places, reader.GetFieldValue<string[]>(1));
            Assert.Equal(summary.Kinds, reader.GetFieldValue<string[]>(2));
            Assert.Equal(summary.Actors, reader.GetFieldValue<string[]>(3));
            Assert.Equal(summary.Earliest, reader.GetFieldValue<DateOnly>(4));
            Assert.Equal(summary.Latest, reader.GetFieldValue<DateOnly>(5));
            rows++;
            if (summary.Actors.Count > 0) withActors++;
        }
        Assert.True(rows > 10);
        Assert.True(withActors > 10);
    }

    [Fact]
    public async Task long_documents_are_compressed_with_lz4_by_the_projection_and_by_a_rebuild()
    {
        await ImportSeedAsync();
        Assert.Equal(["lz4"], await CompressionsAsync(await ReadModels.ActiveSchemaAsync()));

        await ReadModels.RebuildAsync();

        Assert.Equal(["lz4"], await CompressionsAsync(await ReadModels.ActiveSchemaAsync()));
    }

    [Fact]
    public async Task claims_and_occurrences_stored_whole_as_the_version_before_wrote_them_answer_the_same()
    {
        await ImportSeedAsync();
        var control = new ControlQueries(ReadModels);
        var expected = await AnswersAsync(control, known: true);
        var generation = await ReadModels.ActiveSchemaAsync();

        // Every claim and occurrence document whole, as the version before wrote them.
        await WholeDocuments.RewriteClaimsAsync(DataSource, generation);
        await WholeDocuments.RewriteOccurrencesAsync(DataSource, generation);

        Assert.Equal(expected, await AnswersAsync(control, known: true));
    }

    [Fact]
    public async Task a_claim_whose_ids_are_not_plain_ascii_reads_back_whole()
    {
        await ImportSeedAsync();
        var generation = await ReadModels.ActiveSchemaAsync();
        var sql = new ReadModelSql(generation);
        var account = new Occurrences.Account(Occurrences.OccurrenceKind.TerritoryTaken,
            new Occurrences.WorldTime(new DateOnly(2015, 6, 12), new DateOnly(2015, 6, 14), Occurrences.DatePrecision.Unknown), "درنة \"old\" town\\",
            [new Occurrences.ActorInRole("islamic-state", Occurrences.ActorRole.Gainer)], null, Occurrences.Firmness.Reported,
            new Occurrences.Source("Wire", "Taken", new DateOnly(2015, 6, 15), Occurrences.DatePrecision.Day, null, "q"));
        var claim = ControlClaim.From(Guid.NewGuid(), 41, "o-\"1\"\n", "o-\"1\"\n/\u00e9", account, new DateOnly(2015, 6, 15))!;

        await ExecuteAsync(sql.InsertClaims, new[] { claim.EventId }, new[] { claim.Landmark }, new[] { claim.Position }, new[] { claim.OccurrenceId },
            new[] { claim.AccountId }, new[] { StoredClaim.Document(claim) }, new[] { claim.KnownFrom }, new DateOnly?[] { null }, new[] { claim.Earliest }, new[] { claim.Latest });

        await using var read = DataSource.CreateCommand(sql.StandingClaims);
        read.Parameters.Add(new Npgsql.NpgsqlParameter<string[]> { TypedValue = [claim.Landmark] });
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(Json.Serialize(claim), Json.Serialize(StoredClaim.Row.Of(reader).ToClaim()));
    }

    /// <summary>How PostgreSQL compressed the generation's documents it compressed (those past its 2 KB threshold).</summary>
    private async Task<List<string>> CompressionsAsync(string generation)
    {
        await using var command = DataSource.CreateCommand($"""
            select distinct c from (
              select pg_column_compression(doc) from "{generation}".occurrences
              union all select pg_column_compression(claim) from "{generation}".control_claims
              union all select pg_column_compression(interval) from "{generation}".control_intervals) compressed(c)
             where c is not null
            """);
        var methods = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) methods.Add(reader.GetString(0));
        return methods;
    }

    /// <summary>Every stored interval (by its landmark and end) as the version before stored it: whole, with a copy of its evidence.</summary>
    private async Task<object[]> CopiesAsync(string generation)
    {
        var copies = await ReadModelDump.IntervalsAsync(DataSource, generation);
        Assert.NotEmpty(copies);
        var documents = copies.Select(Json.Serialize).ToArray();
        Assert.Contains(documents, c => c.Contains("\"outlet\"", StringComparison.Ordinal));
        return [copies.Select(c => c.Landmark).ToArray(), copies.Select(c => c.To).ToArray(), documents];
    }

    /// <summary>Every landmark at every seventh day (with <paramref name="known"/>, also as known then, and every occurrence), and the bulk timeline, as text.</summary>
    private static async Task<string> AnswersAsync(ControlQueries control, bool known = false)
    {
        var answers = new List<string>();
        foreach (var day in Days)
            answers.Add(Json.Serialize((await control.AtAsync(day, null, null, null)).Landmarks.Select(l => new { l.Landmark.Id, l.Interval })));
        // As known on each day too (the claims read back, not the stored intervals), and every occurrence.
        if (known)
        {
            foreach (var day in Days)
                answers.Add(Json.Serialize((await control.AtAsync(day, day, null, null)).Landmarks.Select(l => new { l.Landmark.Id, l.Interval })));
            answers.Add(Json.Serialize(await control.OccurrencesAsync(null)));
        }
        answers.Add(Json.Serialize((await control.TimelinesAsync(new TimelineFilter())).Items));
        return string.Join('\n', answers);
    }

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = p });
        await command.ExecuteNonQueryAsync();
    }
}
