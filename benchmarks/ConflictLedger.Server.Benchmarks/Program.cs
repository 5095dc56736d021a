using ConflictLedger.Server.Benchmarks;

const string Usage = "usage: bench-server.sh [--quick] [live|webhooks|reports|broker]   (CONFLICTLEDGER_DB names the database; one part, or all)";

var quick = args.Contains("--quick");
var parts = args.Where(a => a != "--quick").ToList();
if (parts.Count > 1 || parts.Any(p => p is not ("live" or "webhooks" or "reports" or "broker")))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
bool Runs(string part) => parts.Count == 0 || parts[0] == part;
var connectionString = Environment.GetEnvironmentVariable("CONFLICTLEDGER_DB");
if (string.IsNullOrEmpty(connectionString))
{
    Console.Error.WriteLine("CONFLICTLEDGER_DB is not set: run through scripts/bench-server.sh, which starts the database.\n" + Usage);
    return 2;
}

// The table goes to stdout; everything else (progress, Marten's notices) to stderr.
var table = Console.Out;
Console.SetOut(Console.Error);

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;

// Everything in one run against one fresh schema, so the figures are comparable with each other.
await using var server = await BenchServer.StartAsync(connectionString, ct);
await using (var version = server.DataSource.CreateCommand("show server_version"))
    table.WriteLine($"PostgreSQL {await version.ExecuteScalarAsync(ct)}, {Environment.ProcessorCount} cores, schema {server.Schema}{(quick ? ", --quick" : "")}");

var figures = new List<Figure>();
if (Runs("live"))
{
    Console.Error.WriteLine("live feed...");
    figures.AddRange(await LiveFeedBenchmark.RunAsync(server, clients: quick ? 20 : 200, rate: quick ? 200 : 500, TimeSpan.FromSeconds(quick ? 2 : 10), ct));
}
if (Runs("webhooks"))
{
    Console.Error.WriteLine("webhooks...");
    figures.AddRange(await WebhookBenchmark.RunAsync(server, events: quick ? 200 : 2_000, ct));
}
if (Runs("reports"))
{
    Console.Error.WriteLine("reports...");
    figures.AddRange(await ReportAppendBenchmark.RunAsync(server, reports: quick ? 100 : 1_000, concurrency: 8, ct));
}
if (Runs("broker"))
{
    Console.Error.WriteLine("broker...");
    figures.AddRange(await BrokerBenchmark.RunAsync(connectionString, events: quick ? 500 : 5_000, ct));
}

table.WriteLine();
table.Write(Measure.Table(figures));
return figures.Any(f => f.Failed) ? 1 : 0;
