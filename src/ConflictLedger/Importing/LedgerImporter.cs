using System.Text.Json;
using ConflictLedger.Catalog;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Importing;

/// <summary>
/// Writes imported accounts and catalog entries to the log. Each file is one transaction:
/// every event from it commits or none does. Re-importing an unchanged file appends
/// nothing; an account that changed since the last import becomes a correction.
/// </summary>
public sealed partial class LedgerImporter(LedgerLog store)
{
    public const string CatalogFolder = "catalog";
    public const string SourcesFolder = "sources";
    public const string SchemaFile = "schema.json";

    /// <summary>Imports an <c>events/</c> folder: the catalog first, then every report file in name order.</summary>
    public async Task<ImportSummary> ImportEventsFolderAsync(string folder, CancellationToken ct = default)
    {
        using var schema = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, SchemaFile), ct));
        var (summary, fromFiles) = await ImportCatalogAsync(Path.Combine(folder, CatalogFolder), schema, ct);
        // The log may not show the entries just committed yet (an older transaction
        // elsewhere can hold readers back), so the files' entries go over what it shows.
        var catalog = (await CatalogLedger.LoadAsync(store, ct)).Catalog.With(fromFiles);
        foreach (var file in Directory.GetFiles(Path.Combine(folder, SourcesFolder), "*.json").Order(StringComparer.Ordinal))
            summary = summary.Add(await ImportSourceFileAsync(file, schema, catalog, ct));
        return summary;
    }

    /// <returns>What was appended, and the catalog the files describe.</returns>
    public async Task<(ImportSummary Summary, Catalog.Catalog Catalog)> ImportCatalogAsync(
        string catalogFolder, JsonDocument schema, CancellationToken ct = default)
    {
        var actors = ReadCatalogFile<ActorsFile>(Path.Combine(catalogFolder, "actors.json"), "#/$defs/actorsFile", schema).Actors;
        var landmarks = ReadCatalogFile<LandmarksFile>(Path.Combine(catalogFolder, "landmarks.json"), "#/$defs/landmarksFile", schema).Landmarks;
        Catalog.Catalog catalog;
        try
        {
            catalog = new Catalog.Catalog(actors, landmarks);
        }
        catch (CatalogException ex)
        {
            throw new ImportException([new ImportError(catalogFolder, "$", "aliases", ex.Message)]);
        }
        var summary = await RecordAsync([], actors, landmarks, "catalog revised", ct);
        return (summary with { Files = 2 }, catalog);
    }

    public async Task<ImportSummary> ImportSourceFileAsync(string path, JsonDocument schema, Catalog.Catalog catalog, CancellationToken ct = default)
    {
        var accounts = SourceFiles.Read(Path.GetFileName(path), await File.ReadAllTextAsync(path, ct), schema, catalog);
        return await RecordAsync(accounts, [], [], $"{Path.GetFileName(path)} revised", ct) with { Files = 1 };
    }

    /// <summary>
    /// Imports an ACLED CSV export (either layout). Each row is an occurrence keyed by
    /// EVENT_ID_CNTY: an unchanged row appends nothing, a revised row a correction (ACLED
    /// overwrites its history; the ledger keeps it). Unknown actors and places join the
    /// catalog. The whole file commits or none of it does.
    /// </summary>
    /// <param name="knownFrom">
    /// When the file's rows were published, for rows without ACLED's own timestamp; null
    /// takes the release date in the file name ("..._20160528.csv", "2016-05-28"), else the
    /// import day. The summary says which.
    /// </param>
    public async Task<ImportSummary> ImportAcledAsync(string path, DateOnly? knownFrom = null, CancellationToken ct = default)
    {
        var name = Path.GetFileName(path);
        var rows = Acled.AcledCsv.Read(name, await File.ReadAllBytesAsync(path, ct));
        var released = ReleaseDateIn(name);
        var fileKnownFrom = knownFrom ?? released;
        var told = knownFrom is not null ? "as told" : "the release date in the file name";
        var catalog = (await CatalogLedger.LoadAsync(store, ct)).Catalog;
        var mapped = Acled.AcledMapping.ToAccounts(catalog, rows, name, fileKnownFrom);
        var stamped = rows.Count(r => r.TimestampDay is not null);
        var rest = rows.Count - stamped;
        var knowledge = string.Join("; ", new[]
        {
            stamped > 0 ? $"{stamped} row(s) known from their ACLED timestamp" : null,
            rest > 0 ? $"{rest} row(s) known from {(fileKnownFrom is { } day ? $"{day:yyyy-MM-dd} ({told})" : "the import day")}" : null,
        }.Where(t => t is not null));
        return await RecordAsync(mapped.Accounts, mapped.NewActors, mapped.NewLandmarks, $"ACLED row revised ({name})", ct) with { Files = 1, KnownFrom = knowledge };
    }

    /// <summary>The latest plausible date in a file name (ACLED names exports after the span or the release: "..._20160101 to 20160528_csv.csv").</summary>
    public static DateOnly? ReleaseDateIn(string fileName) =>
        ReleaseDate().Matches(fileName)
            .Select(m => DateOnly.TryParseExact(m.Groups[1].Value + m.Groups[2].Value + m.Groups[3].Value, "yyyyMMdd",
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day) ? day : (DateOnly?)null)
            .Where(d => d is { } day && WorldDates.Contains(day))
            .Max();

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<!\d)((?:18|19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")]
    private static partial System.Text.RegularExpressions.Regex ReleaseDate();

    /// <summary>
    /// Records accounts (and the catalog entries they need) in one transaction: streams that
    /// are new go through the COPY path (when there are many), the others are appended with
    /// their expected versions, replays counted as present.
    /// <paramref name="correctionReason"/> explains corrections made by re-importing.
    /// </summary>
    public async Task<ImportSummary> RecordAsync(
        IReadOnlyList<ImportedAccount> accounts, IReadOnlyList<Actor> actors, IReadOnlyList<Landmark> landmarks,
        string correctionReason, CancellationToken ct = default)
    {
        // Another process importing the same file at the same moment (two nodes starting
        // with the same seed) makes this decision stale: decide again on what it wrote.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RecordOnceAsync(accounts, actors, landmarks, correctionReason, ct);
            }
            catch (Exception ex) when (attempt < 3 && ex is ConcurrencyException or StreamsExistException)
            {
            }
        }
    }

    private async Task<ImportSummary> RecordOnceAsync(
        IReadOnlyList<ImportedAccount> accounts, IReadOnlyList<Actor> actors, IReadOnlyList<Landmark> landmarks,
        string correctionReason, CancellationToken ct)
    {
        var catalogChanges = actors.Count + landmarks.Count > 0
            ? CatalogLedger.Changes(await CatalogLedger.LoadAsync(store, ct), actors, landmarks)
            : [];
        // Catalog entries the log already holds as given count as present.
        var present = actors.Count + landmarks.Count - catalogChanges.Count;
        var appends = catalogChanges.Select(c => (c.Stream, c.Expected, Events: (IReadOnlyList<EventData>)[c.Event])).ToList();
        var occurrences = await OccurrenceLedger.LoadManyAsync(store, accounts.Select(a => a.OccurrenceId).ToList(), ct);
        foreach (var occurrence in accounts.GroupBy(a => a.OccurrenceId))
        {
            var (state, version) = occurrences[occurrence.Key];
            var events = new List<EventData>();
            foreach (var account in occurrence)
            {
                var decided = state.Record(account.AccountId, account.Account, correctionReason);
                if (decided.Count == 0) present++;
                foreach (var e in decided)
                {
                    state = state.Evolve(e);
                    events.Add(OccurrenceEvents.ToEventData(e, version + events.Count, Metadata(account)));
                }
            }
            if (events.Count > 0) appends.Add((OccurrenceEvents.StreamId(occurrence.Key), ExpectedVersion.Exact(version), events));
        }
        if (appends.Count == 0) return new ImportSummary(0, 0, present, null);

        await using var transaction = await store.BeginAsync(ct);
        int appended = 0;
        LogPosition? last = null;
        var fresh = appends.Where(a => a.Expected == ExpectedVersion.NoStream).ToList();
        if (fresh.Count >= BulkThreshold)
        {
            last = (await transaction.BulkStartStreamsAsync(fresh.Select(a => (a.Stream, a.Events)).ToList(), ct)).Position;
            appended = fresh.Sum(a => a.Events.Count);
            appends = appends.Where(a => a.Expected != ExpectedVersion.NoStream).ToList();
        }
        foreach (var (stream, expected, events) in appends)
        {
            var result = await transaction.AppendAsync(stream, expected, events, ct);
            (appended, present) = result.AlreadyAppended ? (appended, present + events.Count) : (appended + events.Count, present);
            last = result.Position;
        }
        await transaction.CommitAsync(ct);
        return new ImportSummary(0, appended, present, last?.Value);
    }

    /// <summary>From how many new streams an import starts them through COPY rather than one append per stream.</summary>
    private const int BulkThreshold = 50;

    private static string Metadata(ImportedAccount account) =>
        Json.Serialize(new { appendedBy = "import", importedFrom = account.Account.Source.File, location = account.Location });

    private static T ReadCatalogFile<T>(string path, string definition, JsonDocument schema)
    {
        var name = Path.GetFileName(path);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var errors = JsonSchemaValidator.Validate(schema.RootElement, definition, document.RootElement)
            .Select(e => new ImportError(name, e.Path, e.Path.Split('.').Last(), e.Message)).ToList();
        if (errors.Count > 0) throw new ImportException(errors);
        return document.RootElement.Deserialize<T>(Json.Options)!;
    }

    private sealed record ActorsFile(IReadOnlyList<Actor> Actors);
    private sealed record LandmarksFile(IReadOnlyList<Landmark> Landmarks);
}
