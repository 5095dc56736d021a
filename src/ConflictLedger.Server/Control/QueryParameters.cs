using System.Globalization;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using Microsoft.AspNetCore.Http.Extensions;

namespace ConflictLedger.Server.Control;

/// <summary>A name a query gave and the catalog id it was resolved to ("Darna" is derna).</summary>
public sealed record ResolvedName(string Asked, string Id);

/// <summary>Reads the query string parameters the read API shares, collecting field-level errors.</summary>
internal sealed class QueryParameters
{
    public Dictionary<string, string[]> Errors { get; } = [];

    /// <summary>Every name resolved through the catalog, by parameter: answers carry it as <c>resolved</c>.</summary>
    public Dictionary<string, ResolvedName> Resolved { get; } = [];

    /// <summary>An ISO 8601 day or instant ("2015-06-12", "2015-06-12T08:00:00Z"), as a UTC day.</summary>
    public DateOnly? Date(string name, string? text, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required) Errors[name] = [$"{name} is required: an ISO 8601 date such as 2015-06-12"];
            return null;
        }
        DateOnly? day = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) ? DateOnly.FromDateTime(instant.UtcDateTime)
            : null;
        if (day is null) Errors[name] = [$"'{text}' is not an ISO 8601 date (2015-06-12) or date-time (2015-06-12T08:00:00Z)"];
        // A question about a day no account can be on has no answer (and 9999-12-31 would overflow the date arithmetic).
        else if (WorldDates.Problem(day.Value) is { } outside) Errors[name] = [outside];
        else return day;
        return null;
    }

    /// <summary>A landmark id or any of its aliases ("Darna", "Derna city"); null when not given or unknown (then an error names it).</summary>
    public string? Landmark(string name, string? text, ConflictLedger.Catalog.Catalog catalog)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var id = catalog.Landmark(text)?.Id ?? catalog.FindLandmark(text)?.Id;
        if (id is null)
            Errors[name] = [$"There is no landmark '{text}' (by id or alias) in the catalog. GET /api/catalog/lookup?name=... finds one by name; GET /api/catalog/landmarks lists them."];
        else if (id != text)
            Resolved[name] = new ResolvedName(text, id);
        return id;
    }

    /// <summary>An actor id or any of its aliases ("IS", "Shura Council").</summary>
    public string? Actor(string name, string? text, ConflictLedger.Catalog.Catalog catalog)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var id = catalog.Actor(text)?.Id ?? catalog.FindActor(text)?.Id;
        if (id is null)
            Errors[name] = [$"There is no actor '{text}' (by id or alias) in the catalog. GET /api/catalog/lookup?name=... finds one by name; GET /api/catalog/actors lists them."];
        else if (id != text)
            Resolved[name] = new ResolvedName(text, id);
        return id;
    }

    /// <summary>Occurrence kinds from <c>kind=a,b</c> or repeated <c>kind=</c>, as JSON writes them ("territory-taken").</summary>
    public IReadOnlyList<OccurrenceKind> Kinds(string name, IEnumerable<string?>? values)
    {
        var kinds = new List<OccurrenceKind>();
        foreach (var text in (values ?? []).SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var kind = Enum.GetValues<OccurrenceKind>().Cast<OccurrenceKind?>().FirstOrDefault(k => Json.Name(k!.Value) == text);
            if (kind is null)
                Errors[name] = [$"'{text}' is not an occurrence kind; use one of: {string.Join(", ", Enum.GetValues<OccurrenceKind>().Select(k => Json.Name(k)))}"];
            else
                kinds.Add(kind.Value);
        }
        return kinds;
    }

    /// <summary>A page size between 1 and <paramref name="max"/>; <paramref name="fallback"/> when not given.</summary>
    public int Limit(int? limit, int fallback, int max)
    {
        if (limit is null) return fallback;
        if (limit is >= 1 && limit <= max) return limit.Value;
        Errors["limit"] = [$"limit must be between 1 and {max}"];
        return fallback;
    }

    /// <summary>
    /// Sets <c>Link: &lt;...&gt;; rel="next"</c> (RFC 8288) to the same request with
    /// <c>after=</c> moved on; returns that link, or null on the last page.
    /// </summary>
    public static string? NextLink(HttpContext http, string? nextAfter)
    {
        if (nextAfter is null) return null;
        var query = new QueryBuilder(http.Request.Query.Where(q => q.Key != "after").SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v ?? ""))))
        {
            { "after", nextAfter },
        };
        var link = http.Request.Path + query.ToQueryString().ToString();
        http.Response.Headers.Link = $"<{link}>; rel=\"next\"";
        return link;
    }

    /// <summary>
    /// "At least position P": waits (bounded) until the read model has projected P.
    /// Returns an error result to send instead of the answer, or null to go on.
    /// </summary>
    public static async Task<IResult?> WaitForAsync(long? minPosition, LedgerLog store, ReadModelDaemon daemon, CancellationToken ct)
    {
        if (minPosition is not { } p) return null;
        if (p < 0 || await store.ResolveAsync(p, ct) is not { } target)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["minPosition"] = [$"no event has position {p}: pass a position a write returned"] });
        try
        {
            await daemon.WaitForAsync(target, TimeSpan.FromSeconds(10), ct);
            return null;
        }
        catch (TimeoutException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The read model has not caught up yet",
                extensions: new Dictionary<string, object?> { ["minPosition"] = p, ["position"] = daemon.Position.Value });
        }
    }
}
