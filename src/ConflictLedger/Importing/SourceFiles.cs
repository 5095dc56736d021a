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
            foreach (var (path, problem) in StorableText.InJson(document.RootElement, "$"))
                Fail(path, FieldOf(path), problem);
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

    /// <summary>The report's own fields, shared by its accounts; a bad publication date is reported once, here.</summary>
    private static SourceRequest ReadSource(JsonElement source, Action<string, string, string> fail)
    {
        var published = OptionalString(source, "published");
        if (published is not null && ParseDate(published, "$.source.published", "published", fail) is null) published = null;
        return new SourceRequest(
            source.GetProperty("outlet").GetString(),
            OptionalString(source, "headline"),
            published,
            OptionalString(source, "publishedPrecision"),
            source.GetProperty("file").GetString(),
            Quote: null);
    }

    /// <summary>
    /// One occurrence entry, checked by the same rules as an account sent to the API
    /// (<see cref="AccountRequest.ToAccount"/>); its field errors get the entry's JSON path.
    /// </summary>
    private static Account? ReadAccount(JsonElement item, string path, SourceRequest source, Catalog.Catalog catalog, Action<string, string, string> fail)
    {
        var when = item.GetProperty("when");
        var fatalities = item.TryGetProperty("fatalities", out var f) && f.ValueKind == JsonValueKind.Object
            ? new FatalitiesRequest(OptionalInt(f, "exact"), OptionalInt(f, "atLeast"))
            : null;
        var request = new AccountRequest(
            OptionalString(item, "kind"),
            new WhenRequest(OptionalString(when, "earliest"), OptionalString(when, "latest"), OptionalString(when, "precision"), OptionalString(when, "derivation")),
            OptionalString(item, "place"),
            item.GetProperty("actors").EnumerateArray().Select(a => new ActorRequest(OptionalString(a, "actor"), OptionalString(a, "role"))).ToList(),
            fatalities,
            OptionalString(item, "firmness"),
            OptionalString(item, "claimant"),
            OptionalString(item, "extent"),
            source with { Quote = OptionalString(item, "quote") },
            OptionalString(item, "note"));
        var (account, errors) = request.ToAccount(catalog);
        foreach (var (field, messages) in errors)
            foreach (var message in messages) fail($"{path}.{field}", FieldOf(field), message);
        return account;
    }

    private static DateOnly? ParseDate(string text, string path, string field, Action<string, string, string> fail)
    {
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            fail(path, field, $"'{text}' is not a date: write it as YYYY-MM-DD (a real day)");
            return null;
        }
        if (WorldDates.Problem(date) is { } outside)
        {
            fail(path, field, outside);
            return null;
        }
        return date;
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? OptionalInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    private static string FieldOf(string path)
    {
        var last = path.Split('.').Last();
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        return bracket >= 0 ? last[..bracket] : last;
    }
}
