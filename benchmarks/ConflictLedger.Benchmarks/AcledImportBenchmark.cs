using System.Diagnostics;
using System.Globalization;
using System.Text;
using ConflictLedger.Importing;
using Npgsql;

namespace ConflictLedger.Benchmarks;

/// <summary>Seconds for a first import of a generated ACLED file and for importing it again (which appends nothing).</summary>
internal sealed record AcledImport(int Rows, int Events, double FirstSeconds, double AgainSeconds, int AppendedAgain, double CopySeconds);

/// <summary>
/// An ACLED export the size of the All-Africa file for January to May 2016 (6,831 rows,
/// 10,706 events with the catalog entries for the actors and places it names), generated
/// in the pre-2019 layout, imported by <see cref="LedgerImporter.ImportAcledAsync"/> into an
/// empty ledger, then imported again. Next to it, a raw binary COPY of as many rows of the
/// same size, as a floor.
/// </summary>
internal static class AcledImportBenchmark
{
    private static readonly string[] Types =
    [
        "Battle-No change of territory", "Battle-Government regains territory", "Battle-Non-state actor overtakes territory",
        "Remote violence", "Violence against civilians", "Riots/Protests", "Strategic development",
    ];

    private static readonly string[] Words =
    [
        "fighters", "clashed", "with", "near", "the", "town", "on", "Monday", "killing", "two", "civilians", "according", "to",
        "local", "sources", "forces", "shelled", "positions", "of", "militants", "protesters", "gathered", "in", "front", "hall",
    ];

    public static async Task<AcledImport> RunAsync(NpgsqlDataSource dataSource, int rows, CancellationToken ct)
    {
        var file = Path.Combine(Path.GetTempPath(), $"acled-bench-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, Generate(rows, seed: 2016), new UTF8Encoding(false), ct);
        var warmUp = Path.Combine(Path.GetTempPath(), $"acled-bench-warm-up-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(warmUp, Generate(300, seed: 1), new UTF8Encoding(false), ct);
        try
        {
            // A small file first, into a schema of its own: the figures are the import's, not
            // the JIT's or Marten's first-use set-up (a server or a long import pays those once).
            await using (var warm = await BenchSchema.CreateAsync(dataSource, ct))
            {
                await new LedgerImporter(warm.Store).ImportAcledAsync(warmUp, ct: ct);
                await new LedgerImporter(warm.Store).ImportAcledAsync(warmUp, ct: ct);
            }
            await using var schema = await BenchSchema.CreateAsync(dataSource, ct);
            var importer = new LedgerImporter(schema.Store);
            var clock = Stopwatch.StartNew();
            var first = await importer.ImportAcledAsync(file, ct: ct);
            var firstSeconds = clock.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"  ACLED import of {rows:N0} rows: {first.EventsAppended:N0} events in {firstSeconds:F1} s");
            clock.Restart();
            var again = await importer.ImportAcledAsync(file, ct: ct);
            var againSeconds = clock.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"  ACLED re-import: {again.EventsAppended:N0} appended, {again.EventsAlreadyPresent:N0} present, in {againSeconds:F1} s");

            await PhasesAsync(schema, file, "re-import", ct);
            await using (var fresh = await BenchSchema.CreateAsync(schema.DataSource, ct))
                await PhasesAsync(fresh, file, "first import", ct);

            var copy = await CopySecondsAsync(schema, first.EventsAppended, ct);
            return new AcledImport(rows, first.EventsAppended, firstSeconds, againSeconds, again.EventsAppended, copy);
        }
        finally
        {
            File.Delete(file);
            File.Delete(warmUp);
        }
    }

    /// <summary>Where an import's time goes, phase by phase, the way the importer runs them (to stderr).</summary>
    private static async Task PhasesAsync(BenchSchema schema, string file, string what, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var rows = ConflictLedger.Importing.Acled.AcledCsv.Read(Path.GetFileName(file), await File.ReadAllBytesAsync(file, ct));
        var read = clock.Elapsed.TotalSeconds;
        var catalog = (await ConflictLedger.Catalog.CatalogLedger.LoadAsync(schema.Store, ct)).Catalog;
        var load = clock.Elapsed.TotalSeconds;
        var mapped = ConflictLedger.Importing.Acled.AcledMapping.ToAccounts(catalog, rows, Path.GetFileName(file));
        var map = clock.Elapsed.TotalSeconds;
        await ConflictLedger.Occurrences.OccurrenceLedger.LoadManyAsync(schema.Store, mapped.Accounts.Select(a => a.OccurrenceId).ToList(), ct);
        var streams = clock.Elapsed.TotalSeconds;
        var summary = await new LedgerImporter(schema.Store).RecordAsync(mapped.Accounts, mapped.NewActors, mapped.NewLandmarks, "bench", ct);
        var record = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"  ACLED {what} phases: read CSV {read:F2} s, load catalog {load - read:F2} s, map rows {map - load:F2} s, " +
            $"load the occurrences' streams {streams - map:F2} s, record (loads them again, decides, appends {summary.EventsAppended:N0}) {record - streams:F2} s");
    }

    /// <summary>The same number of events, as they lie in <c>mt_events</c>, copied into <c>raw_events</c>.</summary>
    private static async Task<double> CopySecondsAsync(BenchSchema schema, int events, CancellationToken ct)
    {
        var rows = new List<(Guid Id, string Stream, long Version, string Type, string Data)>(events);
        await using (var read = schema.DataSource.CreateCommand($"select id, stream_id, version, type, data::text from {schema.Events} order by seq_id"))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) rows.Add((reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4)));
        }
        var clock = Stopwatch.StartNew();
        await using var connection = await schema.DataSource.OpenConnectionAsync(ct);
        await using (var importer = await connection.BeginBinaryImportAsync($"copy {schema.RawEvents} (id, stream_id, version, type, data) from stdin (format binary)", ct))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(row.Id, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(row.Stream, NpgsqlTypes.NpgsqlDbType.Text, ct);
                await importer.WriteAsync(row.Version, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(row.Type, NpgsqlTypes.NpgsqlDbType.Text, ct);
                await importer.WriteAsync(row.Data, NpgsqlTypes.NpgsqlDbType.Jsonb, ct);
            }
            await importer.CompleteAsync(ct);
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// A pre-2019 export of Jan-May 2016: about one place in 2.6 rows and one actor in 6 is
    /// new to the catalog (as in the real file: 10,706 events from 6,831 rows), places in
    /// about 50 countries, every event type, notes of a sentence or three.
    /// </summary>
    public static string Generate(int rows, int seed)
    {
        var random = new Random(seed);
        var places = Math.Max(1, rows * 10 / 26);
        var actors = Math.Max(2, rows / 6);
        var csv = new StringBuilder("GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,ALLY_ACTOR_1,INTER1,ACTOR2,ALLY_ACTOR_2,INTER2,INTERACTION,COUNTRY,ADMIN1,ADMIN2,ADMIN3,LOCATION,LATITUDE,LONGITUDE,GEO_PRECISION,SOURCE,NOTES,FATALITIES\n");
        for (var i = 0; i < rows; i++)
        {
            // Each place and actor appears at least once, the rest drawn at random.
            var place = i < places ? i : random.Next(places);
            var country = place % 50;
            var actor1 = i < actors ? i : random.Next(actors);
            var actor2 = random.Next(actors);
            var day = new DateOnly(2016, 1, 1).AddDays(random.Next(152));
            var notes = string.Join(' ', Enumerable.Range(0, random.Next(12, 60)).Select(_ => Words[random.Next(Words.Length)])) + ".";
            csv.Append(CultureInfo.InvariantCulture,
                $"{600 + country},{i + 1}BEN,,{day:dd/MM/yyyy},2016,{random.Next(1, 4)},{Types[random.Next(Types.Length)]},")
                .Append(CultureInfo.InvariantCulture, $"Armed Group {actor1},,{random.Next(1, 9)},")
                .Append(actor2 == actor1 ? "" : $"Armed Group {actor2}").Append(CultureInfo.InvariantCulture, $",,{random.Next(0, 9)},{random.Next(10, 90)},")
                .Append(CultureInfo.InvariantCulture, $"Country {country},Province {place % 400},District {place % 1200},,Town {place},")
                .Append(CultureInfo.InvariantCulture, $"{-30 + 60 * random.NextDouble():F5},{-15 + 50 * random.NextDouble():F5},{random.Next(1, 4)},")
                .Append("Regional Newspaper,\"").Append(notes).Append(CultureInfo.InvariantCulture, $"\",{random.Next(0, 12)}\n");
        }
        return csv.ToString();
    }
}
