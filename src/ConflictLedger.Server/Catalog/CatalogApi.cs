using ConflictLedger.Catalog;
using ConflictLedger.Server.Control;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConflictLedger.Server.Catalog;

public sealed record LookupResult(string Name, Actor? Actor, Landmark? Landmark);

/// <summary>The catalog: actors and landmarks in id order, paged (the Link header holds the next page), and alias lookup.</summary>
public static class CatalogApi
{
    public const int DefaultPage = 1000, MaxPage = 10000;

    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/catalog").WithTags("Catalog");
        api.MapGet("/actors", GetActors).WithSummary("Actors in id order, paged (limit, after).");
        api.MapGet("/landmarks", GetLandmarks).WithSummary("Landmarks in id order, paged (limit, after).");
        api.MapGet("/lookup", Lookup).WithSummary("What a name as written in a report refers to.");
        return app;
    }

    private static async Task<Results<Ok<List<Actor>>, ValidationProblem>> GetActors(string? after, int? limit, CatalogCache catalog, HttpContext http, CancellationToken ct) =>
        Page((await catalog.GetAsync(ct)).Actors, a => a.Id, after, limit, http);

    private static async Task<Results<Ok<List<Landmark>>, ValidationProblem>> GetLandmarks(string? after, int? limit, CatalogCache catalog, HttpContext http, CancellationToken ct) =>
        Page((await catalog.GetAsync(ct)).Landmarks, l => l.Id, after, limit, http);

    private static Results<Ok<List<T>>, ValidationProblem> Page<T>(IEnumerable<T> all, Func<T, string> id, string? after, int? limit, HttpContext http)
    {
        var query = new QueryParameters();
        var size = query.Limit(limit, DefaultPage, MaxPage);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        var rest = all.Where(x => after is null || string.CompareOrdinal(id(x), after) > 0).OrderBy(id, StringComparer.Ordinal).Take(size + 1).ToList();
        var page = rest.Take(size).ToList();
        QueryParameters.NextLink(http, rest.Count > size ? id(page[^1]) : null);
        return TypedResults.Ok(page);
    }

    /// <summary>What a name as written in a report refers to: "Darna", "Abu-slim Martyr's Brigade"...</summary>
    private static async Task<Results<Ok<LookupResult>, NotFound<LookupResult>, ValidationProblem>> Lookup(string? name, CatalogCache catalog, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["give the name to look up, e.g. ?name=Darna"] });
        var current = await catalog.GetAsync(ct);
        var result = new LookupResult(name, current.FindActor(name), current.FindLandmark(name));
        return result.Actor is null && result.Landmark is null ? TypedResults.NotFound(result) : TypedResults.Ok(result);
    }
}
