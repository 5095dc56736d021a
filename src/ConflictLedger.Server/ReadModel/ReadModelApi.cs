using ConflictLedger.ReadModel;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConflictLedger.Server.ReadModel;

/// <summary>What operators ask of the read model: which events it set aside, and why.</summary>
public static class ReadModelApi
{
    public static IEndpointRouteBuilder MapReadModelApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/read-model/dead-letters", GetDeadLetters).WithTags("Operations")
            .WithSummary("Events the read model could not project: set aside with the reason, while everything after them was projected.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<DeadLetter>>> GetDeadLetters(ReadModelStore readModels, CancellationToken ct) =>
        TypedResults.Ok(await readModels.DeadLettersAsync(ct: ct));
}
