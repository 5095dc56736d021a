using System.Globalization;
using ConflictLedger.Control;
using ConflictLedger.Importing;
using ConflictLedger.Importing.Acled;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Server.Cli;

/// <summary>
/// The command-line verbs besides <c>serve</c>: import, control, timeline, rebuild.
/// Each opens the ledger, does one thing and prints a short, readable answer.
/// </summary>
public static class LedgerCommands
{
    public const string Usage = """
        usage: scripts/run.sh [verb] [options]   (a published build: ConflictLedger.Server [verb] [options])
          serve                                  run the service (default)
          import [--known-from DATE] [path ...]  import events/ folders, report files (*.json) or ACLED CSV files (*.csv);
                                                 --known-from: when rows without an ACLED timestamp were published
          export-acled <file.csv>                write every account in the current ACLED layout
          control --at DATE [--known DATE] [--landmark ID | --within ID]   (an alias works for an ID)
          timeline ID [--known DATE]
          rebuild                                rebuild the read model from position 0, then swap
          create-api-key NAME                    print a new API key (stored hashed)
        """;

    public static async Task<int> RunAsync(string verb, string[] args, Ledger ledger, TextWriter output, CancellationToken ct)
    {
        var options = Options.Parse(args);
        switch (verb)
        {
            case "import":
                var summary = ImportSummary.None;
                foreach (var path in options.Positional.DefaultIfEmpty(ledger.EventsFolder))
                    summary = summary.Add(await ImportAsync(ledger, path, options.Date("known-from"), ct));
                await output.WriteLineAsync($"imported {summary}");
                return 0;
            case "export-acled":
                var target = options.Positional.SingleOrDefault() ?? throw new UsageException("export-acled needs the file to write");
                await ledger.ProjectAsync(ct);
                var accounts = await ledger.AccountsAsync(ct);
                await File.WriteAllTextAsync(target, AcledExport.ToCsv(accounts, await ledger.CatalogAsync(ct)), ct);
                await output.WriteLineAsync($"wrote {accounts.Count} accounts to {target}");
                return 0;
            case "control":
                await ledger.ProjectAsync(ct);
                var at = options.Date("at") ?? throw new UsageException("control needs --at DATE");
                var answer = await ledger.Queries.AtAsync(at, options.Date("known"),
                    await LandmarkIdAsync(ledger, options.Value("landmark"), output, ct), await LandmarkIdAsync(ledger, options.Value("within"), output, ct), ct);
                await output.WriteLineAsync($"control at {answer.At:yyyy-MM-dd}{(answer.Known is { } k ? $" as known on {k:yyyy-MM-dd}" : "")} (log position {answer.Position})");
                foreach (var l in answer.Landmarks)
                    await output.WriteLineAsync($"  {l.Landmark.Id,-28} {Describe(l.Interval)}");
                return 0;
            case "timeline":
                await ledger.ProjectAsync(ct);
                var id = await LandmarkIdAsync(ledger, options.Positional.SingleOrDefault() ?? throw new UsageException("timeline needs a landmark id or alias"), output, ct);
                var timeline = await ledger.Queries.TimelineAsync(id!, options.Date("known"), ct);
                await output.WriteLineAsync($"{timeline.Landmark.Name} (log position {timeline.Position})");
                foreach (var interval in timeline.Intervals)
                {
                    await output.WriteLineAsync($"  {interval.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…",-10} – {interval.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…",-10} {Describe(interval)}");
                    foreach (var e in interval.Evidence)
                        await output.WriteLineAsync($"      {e.Says}: {e.Source.Outlet} ({e.Source.File}), {Json.Name(e.Firmness)}");
                }
                return 0;
            case "rebuild":
                var result = await ledger.ReadModels.RebuildAsync(ct);
                await output.WriteLineAsync($"rebuilt {result.Events} events into {result.To} in {result.Elapsed.TotalSeconds:0.0} s; {result.From} kept until the next rebuild");
                return 0;
            default:
                throw new UsageException($"unknown verb '{verb}'");
        }
    }

    /// <summary>A landmark id or alias ("Darna") as its id; says so when it was an alias.</summary>
    private static async Task<string?> LandmarkIdAsync(Ledger ledger, string? name, TextWriter output, CancellationToken ct)
    {
        if (name is null) return null;
        var catalog = await ledger.CatalogAsync(ct);
        var id = catalog.Landmark(name)?.Id ?? catalog.FindLandmark(name)?.Id
            ?? throw new UsageException($"There is no landmark '{name}' (by id or alias) in the catalog.");
        if (id != name) await output.WriteLineAsync($"'{name}' is the landmark {id}");
        return id;
    }

    private static async Task<ImportSummary> ImportAsync(Ledger ledger, string path, DateOnly? knownFrom, CancellationToken ct)
    {
        if (Directory.Exists(path)) return await ledger.Importer.ImportEventsFolderAsync(path, ct);
        if (!File.Exists(path)) throw new UsageException($"'{path}' is neither a folder nor a file");
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return await ledger.ImportAcledAsync(path, knownFrom, ct);
        return await ledger.ImportSourceFileAsync(path, ct);
    }

    private static string Describe(ControlInterval? interval) => interval switch
    {
        null => "no information",
        { Controller: { } controller } => $"{Json.Name(interval.Status)} by {controller}",
        _ => $"{Json.Name(interval.Status)} ({string.Join(", ", interval.Candidates)})",
    };

    /// <summary>--name value pairs and positional arguments.</summary>
    private sealed record Options(Dictionary<string, string> Named, List<string> Positional)
    {
        public static Options Parse(string[] args)
        {
            var named = new Dictionary<string, string>(StringComparer.Ordinal);
            var positional = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal)) positional.Add(args[i]);
                else if (i + 1 < args.Length) named[args[i][2..]] = args[++i];
                else throw new UsageException($"{args[i]} needs a value");
            }
            return new Options(named, positional);
        }

        public string? Value(string name) => Named.GetValueOrDefault(name);

        public DateOnly? Date(string name) => Value(name) is not { } text ? null
            : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
            : throw new UsageException($"--{name} '{text}' is not a date (YYYY-MM-DD)");
    }
}

public sealed class UsageException(string message) : Exception(message);
