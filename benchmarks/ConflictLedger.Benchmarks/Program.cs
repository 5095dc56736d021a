using System.Globalization;
using ConflictLedger.Benchmarks;
using Npgsql;

const string Usage = """
    usage: bench.sh [--quick] [--events N]                               the event store against raw Npgsql, then an ACLED import
           bench.sh acled [--rows N]                                    only the ACLED import (default 7,000 rows) and its re-import
           bench.sh readmodel [--quick] [--landmarks N] [--events M]    the read model against a raw read and a full replay
    (CONFLICTLEDGER_DB names the database)
    """;

var readModel = args.Length > 0 && args[0] == "readmodel";
var acledOnly = args.Length > 0 && args[0] == "acled";
var quick = false;
int? events = null, landmarks = null, acledRows = null;
for (var i = readModel || acledOnly ? 1 : 0; i < args.Length; i++)
{
    if (args[i] == "--quick") quick = true;
    else if (acledOnly && args[i] == "--rows" && Count(args, ++i) is { } r) acledRows = r;
    else if (args[i] == "--events" && Count(args, ++i) is { } n) events = n;
    else if (readModel && args[i] == "--landmarks" && Count(args, ++i) is { } m) landmarks = m;
    else
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
var connectionString = Environment.GetEnvironmentVariable("CONFLICTLEDGER_DB");
if (string.IsNullOrEmpty(connectionString))
{
    Console.Error.WriteLine("CONFLICTLEDGER_DB is not set: run through scripts/bench.sh, which starts the database.\n" + Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;

await using var dataSource = NpgsqlDataSource.Create(
    new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "conflictledger-bench" }.ConnectionString);
string server;
await using (var version = dataSource.CreateCommand("show server_version"))
    server = $"PostgreSQL {await version.ExecuteScalarAsync(ct)}, {Environment.ProcessorCount} cores";

if (acledOnly)
{
    var rows = acledRows ?? 7_000;
    Console.WriteLine($"{server}, a synthetic ACLED file of {rows:N0} rows");
    Console.WriteLine();
    Console.Write((await AcledImportBenchmark.RunAsync(dataSource, rows, ct)).Table());
}
else if (readModel)
{
    var landmarkCount = landmarks ?? (quick ? 1_000 : 10_000);
    var eventCount = events ?? (quick ? 20_000 : 1_000_000);
    var queries = quick ? 100 : 500;
    var replays = quick ? 2 : 3;
    Console.WriteLine($"{server}, {landmarkCount:N0} landmarks, {eventCount:N0} events, {queries:N0} queries of each kind");
    var (rebuild, latencies) = await ReadModelBenchmark.RunAsync(dataSource, landmarkCount, eventCount, queries, replays, ct);
    Console.WriteLine();
    Console.Write(Measure.Table(rebuild, latencies));
}
else
{
    var eventCount = events ?? (quick ? 10_000 : 200_000);
    var appendCount = quick ? 500 : 4_000;
    Console.WriteLine($"{server}, {appendCount:N0} appends, {eventCount:N0} events");
    var results = new List<Comparison>
    {
        await AppendBenchmark.RunAsync(dataSource, appendCount, ct),
        await BulkImportBenchmark.RunAsync(dataSource, eventCount, ct),
        await ReadAllBenchmark.RunAsync(dataSource, eventCount, ct),
    };
    var acled = await AcledImportBenchmark.RunAsync(dataSource, quick ? 1_000 : 7_000, ct);
    Console.WriteLine();
    Console.Write(Measure.Table(results));
    Console.WriteLine();
    Console.Write(acled.Table());
}
return 0;

static int? Count(string[] args, int i) =>
    i < args.Length && int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
