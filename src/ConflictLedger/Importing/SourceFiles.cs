using System.Globalization;
using System.Text.Json;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Importing;

/// <summary>An account read from a file, ready to record on its occurrence's stream.</summary>
public sealed record ImportedAccount(string OccurrenceId, string AccountId, Account Account, string Location);

/// <summary>
/// Reads an <c>events/sources/*.json</c> file (one news report, every occurrence it tells
/// of): first against <c>events/schema.json</c>, then the checks a schema cannot make
/// (names that must be in the catalog, dates that must exist, windows that must not run
/// backwards). Every problem is reported with its JSON path; a file with any problem
/// yields no accounts at all.
/// </summary>
public static class SourceFiles
{
    public const string SchemaDefinition = "#/$defs/sourceFile";

    public static IReadOnlyList<ImportedAccount> Read(string fileName, string json, JsonDocument schema, Catalog.Catalog catalog)
    {
        var errors = new List<ImportError>();
        void Fail(string path, string field, string message) => errors.Add(new ImportError(fileName, path, field, message));

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new ImportException([new ImportError(fileName, $"line {ex.LineNumber + 1}", "(file)", "not valid JSON: " + ex.Message)]);
        }
        using (document)
        {
            foreach (var error in JsonSchemaValidator.Validate(schema.RootElement, SchemaDefinition, document.RootElement))
                Fail(error.Path, FieldOf(error.Path), error.Message);
            if (errors.Count > 0) throw new ImportException(errors);

            var root = document.RootElement;
            var source = ReadSource(root.GetProperty("source"), Fail);
            var stem = Path.GetFileNameWithoutExtension(fileName);
            var accounts = new List<ImportedAccount>();
            var accountKeys = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in root.GetProperty("occurrences").EnumerateArray())
            {
                var path = $"$.occurrences[{index++}]";
                var account = ReadAccount(item, path, source, catalog, Fail);
                var accountKey = item.GetProperty("account").GetString()!;
                if (!accountKeys.Add(accountKey))
                    Fail(path + ".account", "account", $"the account name '{accountKey}' is used twice in this file; each account needs its own");
                if (account is not null)
                    accounts.Add(new ImportedAccount(item.GetProperty("key").GetString()!, $"{stem}/{accountKey}", account, path));
            }
            if (errors.Count > 0) throw new ImportException(errors);
            return accounts;
        }
    }

    private static Source ReadSource(JsonElement source, Action<string, string, string> fail)
    {
        var published = OptionalString(source, "published") is { } text ? ParseDate(text, "$.source.published", "published", fail) : null;
        return new Source(
            source.GetProperty("outlet").GetString()!,
            OptionalString(source, "headline"),
            published,
            OptionalString(source, "publishedPrecision") is { } p ? Enum.Parse<DatePrecision>(p, ignoreCase: true) : null,
            source.GetProperty("file").GetString(),
            Quote: null);
    }

    private static Account? ReadAccount(JsonElement item, string path, Source source, Catalog.Catalog catalog, Action<string, string, string> fail)
    {
        var failed = false;
        void Fail(string p, string field, string message)
        {
            failed = true;
            fail(p, field, message);
        }

        var when = item.GetProperty("when");
        var earliest = ParseDate(when.GetProperty("earliest").GetString()!, path + ".when.earliest", "earliest", Fail);
        var latest = ParseDate(when.GetProperty("latest").GetString()!, path + ".when.latest", "latest", Fail);
        if (earliest is { } e && latest is { } l && l < e)
            Fail(path + ".when.latest", "latest", $"latest ({l:yyyy-MM-dd}) is before earliest ({e:yyyy-MM-dd}); swap them or widen the window");

        var placeName = item.GetProperty("place").GetString()!;
        var place = catalog.FindLandmark(placeName);
        if (place is null)
            Fail(path + ".place", "place", $"no landmark in the catalog is called '{placeName}': add it (or this alias) to events/catalog/landmarks.json");

        var actors = new List<ActorInRole>();
        var a = 0;
        foreach (var actor in item.GetProperty("actors").EnumerateArray())
        {
            var name = actor.GetProperty("actor").GetString()!;
            var found = catalog.FindActor(name);
            if (found is null)
                Fail($"{path}.actors[{a}].actor", "actor", $"no actor in the catalog is called '{name}': add it (or this alias) to events/catalog/actors.json");
            else
                actors.Add(new ActorInRole(found.Id, Enum.Parse<ActorRole>(actor.GetProperty("role").GetString()!, ignoreCase: true)));
            a++;
        }

        string? claimant = null;
        if (OptionalString(item, "claimant") is { } claimantName)
        {
            claimant = catalog.FindActor(claimantName)?.Id;
            if (claimant is null)
                Fail(path + ".claimant", "claimant", $"no actor in the catalog is called '{claimantName}': add it (or this alias) to events/catalog/actors.json");
        }

        Fatalities? fatalities = null;
        if (item.TryGetProperty("fatalities", out var f) && f.ValueKind == JsonValueKind.Object)
        {
            fatalities = new Fatalities(
                f.TryGetProperty("exact", out var exact) ? exact.GetInt32() : null,
                f.TryGetProperty("atLeast", out var atLeast) ? atLeast.GetInt32() : null);
            if (fatalities.Low < 0) Fail(path + ".fatalities", "fatalities", "fatalities cannot be negative");
        }

        if (failed) return null;
        var kind = ParseKebab<OccurrenceKind>(item.GetProperty("kind").GetString()!);
        return new Account(
            kind,
            new WorldTime(earliest!.Value, latest!.Value, ParseKebab<DatePrecision>(when.GetProperty("precision").GetString()!), OptionalString(when, "derivation")),
            place!.Id,
            actors,
            fatalities,
            ParseKebab<Firmness>(item.GetProperty("firmness").GetString()!),
            source with { Quote = item.GetProperty("quote").GetString() },
            claimant,
            OptionalString(item, "extent") is { } extent ? ParseKebab<Extent>(extent) : null,
            OptionalString(item, "note"));
    }

    private static DateOnly? ParseDate(string text, string path, string field, Action<string, string, string> fail)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        fail(path, field, $"'{text}' is not a date: write it as YYYY-MM-DD (a real day)");
        return null;
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Enum values appear in files in kebab case ("armed-clash").</summary>
    internal static T ParseKebab<T>(string text) where T : struct, Enum =>
        Enum.Parse<T>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);

    private static string FieldOf(string path)
    {
        var last = path.Split('.').Last();
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        return bracket >= 0 ? last[..bracket] : last;
    }
}
