using System.Globalization;
using ConflictLedger.Benchmarks;
using Npgsql;

const string Usage = """
    usage: bench.sh [--quick] [--events N]                               the log against raw Npgsql, follower lag, an ACLED import
           bench.sh readmodel [--quick] [--landmarks N] [--events M]    the read model: rebuild against a raw read, queries against
                                                                          a full replay, catch-up on a short and a long log
           bench.sh rebuild [--quick] [--landmarks N] [--events M]      only the rebuild against a raw read (no queries, no catch-up)
           bench.sh acled [--quick] | catchup [--quick]                 one of those alone
    (CONFLICTLEDGER_DB names the database)
    """;

var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "log";
if (mode is not ("log" or "readmodel" or "rebuild" or "acled" or "catchup"))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var quick = false;
int? events = null, landmarks = null;
for (var i = mode == "log" ? 0 : 1; i < args.Length; i++)
{
    if (args[i] == "--quick") quick = true;
    else if (args[i] == "--events" && Count(args, ++i) is { } n) events = n;
    else if (mode is "readmodel" or "rebuild" && args[i] == "--landmarks" && Count(args, ++i) is { } m) landmarks = m;
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

// Tables go to stdout; everything else (progress, Marten's notices) to stderr.
var tables = Console.Out;
Console.SetOut(Console.Error);

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;

await using var dataSource = NpgsqlDataSource.Create(
    new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "conflictledger-bench" }.ConnectionString);
string server;
await using (var version = dataSource.CreateCommand("show server_version"))
    server = $"PostgreSQL {await version.ExecuteScalarAsync(ct)}, {Environment.ProcessorCount} cores";

// The catch-up benchmark: the same new events on a log and on one ten times as long.
var catchUpLandmarks = quick ? 500 : 1_000;
var catchUpLog = quick ? 5_000 : 20_000;
var catchUpEvents = quick ? 5_000 : 20_000;
var acledRows = quick ? 1_000 : 7_000;

switch (mode)
{
    case "readmodel" or "rebuild":
    {
        var landmarkCount = landmarks ?? (quick ? 1_000 : 10_000);
        var eventCount = events ?? (quick ? 20_000 : 1_000_000);
        var queries = mode == "rebuild" ? 0 : quick ? 100 : 500;
        var replays = quick ? 2 : 3;
        tables.WriteLine($"{server}, {landmarkCount:N0} landmarks, {eventCount:N0} events, {queries:N0} queries of each kind");
        var catchUp = mode == "rebuild" ? null : await CatchUpBenchmark.RunAsync(dataSource, catchUpLandmarks, catchUpLog, catchUpEvents, ct);
        var (rebuild, latencies) = await ReadModelBenchmark.RunAsync(dataSource, landmarkCount, eventCount, queries, replays, ct);
        tables.WriteLine();
        tables.Write(Measure.Table(rebuild, latencies));
        if (catchUp is not null)
        {
            tables.WriteLine();
            tables.Write(Measure.Table(catchUp));
        }
        break;
    }
    case "catchup":
    {
        tables.WriteLine($"{server}, {catchUpLandmarks:N0} landmarks");
        var catchUp = await CatchUpBenchmark.RunAsync(dataSource, catchUpLandmarks, catchUpLog, catchUpEvents, ct);
        tables.WriteLine();
        tables.Write(Measure.Table(catchUp));
        break;
    }
    case "acled":
    {
        tables.WriteLine(server);
        var acled = await AcledImportBenchmark.RunAsync(dataSource, acledRows, ct);
        tables.WriteLine();
        tables.Write(Measure.Table(acled));
        break;
    }
    default:
    {
        var eventCount = events ?? (quick ? 10_000 : 200_000);
        var appendCount = quick ? 500 : 4_000;
        var lagRounds = quick ? 5 : 15;
        tables.WriteLine($"{server}, {appendCount:N0} appends, {eventCount:N0} events");
        var results = new List<Comparison>
        {
            await AppendBenchmark.RunAsync(dataSource, appendCount, ct),
            await BulkImportBenchmark.RunAsync(dataSource, eventCount, ct),
            await ReadAllBenchmark.RunAsync(dataSource, eventCount, ct),
        };
        var lags = await LagBenchmark.RunAsync(dataSource, lagRounds, ct);
        var acled = await AcledImportBenchmark.RunAsync(dataSource, acledRows, ct);
        tables.WriteLine();
        tables.Write(Measure.Table(results));
        tables.WriteLine();
        tables.Write(Measure.Table(lags));
        tables.WriteLine();
        tables.Write(Measure.Table(acled));
        break;
    }
}
return 0;

static int? Count(string[] args, int i) =>
    i < args.Length && int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
