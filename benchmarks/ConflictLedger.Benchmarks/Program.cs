using System.Globalization;
using ConflictLedger.Benchmarks;
using Npgsql;

const string Usage = "usage: bench.sh [--quick] [--events N]   (CONFLICTLEDGER_DB names the database)";

var quick = false;
int? events = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") quick = true;
    else if (args[i] == "--events" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) events = n;
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

var eventCount = events ?? (quick ? 10_000 : 200_000);
var appendCount = quick ? 500 : 4_000;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;

await using var dataSource = NpgsqlDataSource.Create(
    new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "conflictledger-bench" }.ConnectionString);
await using (var version = dataSource.CreateCommand("show server_version"))
    Console.WriteLine($"PostgreSQL {await version.ExecuteScalarAsync(ct)}, {Environment.ProcessorCount} cores, {appendCount:N0} appends, {eventCount:N0} events");

var results = new List<Comparison>
{
    await AppendBenchmark.RunAsync(dataSource, appendCount, ct),
    await BulkImportBenchmark.RunAsync(dataSource, eventCount, ct),
    await ReadAllBenchmark.RunAsync(dataSource, eventCount, ct),
};
Console.WriteLine();
Console.Write(Measure.Table(results));
return 0;
