using System.Diagnostics;
using System.Globalization;
using System.Text;
using ConflictLedger.Importing;
using ConflictLedger.Importing.Acled;
using Npgsql;
using NpgsqlTypes;

namespace ConflictLedger.Benchmarks;

/// <summary>What one ACLED import took: the first import, the re-import of the same file, and a raw COPY of the events the first wrote.</summary>
/// <param name="MapSeconds">Reading and mapping the file alone (no database), the part of an import that is the importer's own.</param>
internal sealed record AcledImportResult(int Rows, int Events, int Actors, int Landmarks, double ImportSeconds, double ReimportSeconds, double RawCopySeconds, double MapSeconds)
{
    public string Table() => new StringBuilder()
        .AppendLine("| ACLED file | Import | Re-import (no-op) | of each, read + map in memory | Raw COPY of the same events | Import ratio (COPY ÷ import) |")
        .AppendLine("|---|---:|---:|---:|---:|---:|")
        .AppendLine(CultureInfo.InvariantCulture,
            $"| synthetic, {Rows:N0} rows ({Events:N0} events, {Actors:N0} new actors, {Landmarks:N0} new places) | {ImportSeconds:F2} s | {ReimportSeconds:F2} s | {MapSeconds:F2} s | {RawCopySeconds:F2} s | {RawCopySeconds / ImportSeconds:F3} |")
        .ToString();
}

/// <summary>
/// Imports a synthetic ACLED export (the current layout, every sub-event type, national
/// generic actors, four admin levels) into an empty ledger, imports it again (nothing to
/// append), and copies the events the first import wrote into <c>raw_events</c> with a
/// binary COPY as the baseline. One round: an import is seconds long, so load on the
/// shared machine shows as a spread between runs, not within one.
/// </summary>
internal static class AcledImportBenchmark
{
    public static async Task<AcledImportResult> RunAsync(NpgsqlDataSource dataSource, int rows, CancellationToken ct)
    {
        await using var schema = await BenchSchema.CreateAsync(dataSource, ct);
        var file = Path.Combine(Path.GetTempPath(), $"acled-synthetic-{rows}-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, SyntheticAcled.Csv(rows, seed: 11), new UTF8Encoding(false), ct);
        try
        {
            var importer = new LedgerImporter(schema.Store);
            var clock = Stopwatch.StartNew();
            var first = await importer.ImportAcledAsync(file, ct: ct);
            var import = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var again = await importer.ImportAcledAsync(file, ct: ct);
            var reimport = clock.Elapsed.TotalSeconds;
            if (again.EventsAppended != 0) throw new InvalidOperationException($"the re-import appended {again.EventsAppended} events");
            Console.Error.WriteLine($"  ACLED import: {first}; again: {again}");

            var copy = await RawCopyAsync(schema, ct);
            var bytes = await File.ReadAllBytesAsync(file, ct);
            clock.Restart();
            var mapped = AcledMapping.ToAccounts(Catalog.Catalog.Empty, AcledCsv.Read("f.csv", bytes), "f.csv");
            var map = clock.Elapsed.TotalSeconds;
            return new AcledImportResult(rows, first.EventsAppended, mapped.NewActors.Count, mapped.NewLandmarks.Count, import, reimport, copy, map);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Seconds to binary-COPY the rows of the store's events table into raw_events.</summary>
    private static async Task<double> RawCopyAsync(BenchSchema schema, CancellationToken ct)
    {
        var rows = new List<(Guid Id, string Stream, long Version, string Type, string Data, string Metadata)>();
        await using (var read = schema.DataSource.CreateCommand($"select id, stream_id, version, type, data::text, metadata::text from {schema.Events}"))
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                rows.Add((reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));

        var clock = Stopwatch.StartNew();
        await using var connection = await schema.DataSource.OpenConnectionAsync(ct);
        await using (var importer = await connection.BeginBinaryImportAsync(
            $"copy {schema.RawEvents} (id, stream_id, version, type, data, metadata) from stdin (format binary)", ct))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(row.Id, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(row.Stream, NpgsqlDbType.Text, ct);
                await importer.WriteAsync(row.Version, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(row.Type, NpgsqlDbType.Text, ct);
                await importer.WriteAsync(row.Data, NpgsqlDbType.Jsonb, ct);
                await importer.WriteAsync(row.Metadata, NpgsqlDbType.Jsonb, ct);
            }
            await importer.CompleteAsync(ct);
        }
        return clock.Elapsed.TotalSeconds;
    }
}

/// <summary>A synthetic ACLED export in the current 31-column layout, the same for the same seed.</summary>
internal static class SyntheticAcled
{
    private const string Header =
        "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2," +
        "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

    private static readonly (string Type, string Sub, string Inter1, string Inter2)[] Types =
    [
        ("Battles", "Armed clash", "State forces", "Rebel group"), ("Battles", "Government regains territory", "State forces", "Rebel group"),
        ("Battles", "Non-state actor overtakes territory", "Political militia", "State forces"),
        ("Explosions/Remote violence", "Air/drone strike", "State forces", "Rebel group"), ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Rebel group", "Civilians"),
        ("Explosions/Remote violence", "Remote explosive/landmine/IED", "Political militia", "Civilians"), ("Explosions/Remote violence", "Suicide bomb", "Rebel group", "State forces"),
        ("Violence against civilians", "Attack", "Political militia", "Civilians"), ("Violence against civilians", "Abduction/forced disappearance", "Rebel group", "Civilians"),
        ("Protests", "Peaceful protest", "Protesters", ""), ("Protests", "Protest with intervention", "Protesters", "State forces"),
        ("Riots", "Violent demonstration", "Rioters", ""), ("Riots", "Mob violence", "Rioters", "Civilians"),
        ("Strategic developments", "Arrests", "State forces", "Civilians"), ("Strategic developments", "Agreement", "Political militia", "State forces"),
        ("Strategic developments", "Headquarters or base established", "Rebel group", ""), ("Strategic developments", "Other", "Political militia", ""),
    ];

    private static readonly string[] Countries = ["Libya", "Nigeria", "Somalia", "Mali", "Sudan", "Egypt"];

    public static string Csv(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder(rows * 420).Append(Header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var (type, sub, inter1, inter2) = Types[random.Next(Types.Length)];
            var country = Countries[random.Next(Countries.Length)];
            var admin1 = random.Next(8);
            var admin2 = random.Next(3);
            var town = random.Next(5);
            string Actor(string inter) => inter switch
            {
                "State forces" => $"Military Forces of {country} ({2010 + random.Next(3)}-)",
                "Rebel group" => $"Rebel Front {random.Next(20)} ({country})",
                "Political militia" => random.Next(3) == 0 ? $"Unidentified Armed Group ({country})" : $"Militia {random.Next(30)} ({country})",
                "Protesters" => $"Protesters ({country})",
                "Rioters" => $"Rioters ({country})",
                "Civilians" => $"Civilians ({country})",
                _ => "",
            };
            var day = new DateOnly(2016, 1, 1).AddDays(random.Next(366));
            var notes = $"On {day:d MMMM yyyy}, {sub.ToLowerInvariant()} reported near town {town} of district {admin2}; \"{random.Next(1000)}\" people were involved, sources said. " +
                        new string('x', random.Next(40, 200));
            csv.Append(CultureInfo.InvariantCulture,
                $"SYN{i + 1},{day:yyyy-MM-dd},{day.Year},{1 + random.Next(3)},Political violence,{type},{sub},{Actor(inter1)},,{inter1},{Actor(inter2)},,{inter2},{inter1}-{inter2},,0,Africa,{country}," +
                $"{country} Province {admin1},District {admin1}-{admin2},,Town {admin1}-{admin2}-{town} ({country}),{10 + admin1 + town * 0.01:F4},{20 + admin2 + town * 0.01:F4},{1 + random.Next(3)}," +
                $"Wire {random.Next(12)},National,\"{notes.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{random.Next(10)},,{1_460_000_000 + i * 60}\n");
        }
        return csv.ToString();
    }
}
