using ConflictLedger.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConflictLedger.Server.Catalog;

public sealed record LookupResult(string Name, Actor? Actor, Landmark? Landmark);

public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/catalog").WithTags("Catalog");
        api.MapGet("/actors", GetActors);
        api.MapGet("/landmarks", GetLandmarks);
        api.MapGet("/lookup", Lookup);
        return app;
    }

    private static async Task<Ok<IReadOnlyCollection<Actor>>> GetActors(CatalogCache catalog, CancellationToken ct) =>
        TypedResults.Ok((await catalog.GetAsync(ct)).Actors);

    private static async Task<Ok<IReadOnlyCollection<Landmark>>> GetLandmarks(CatalogCache catalog, CancellationToken ct) =>
        TypedResults.Ok((await catalog.GetAsync(ct)).Landmarks);

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
