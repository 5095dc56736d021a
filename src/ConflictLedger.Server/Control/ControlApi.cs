using ConflictLedger.Log;
using ConflictLedger.Control;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConflictLedger.Server.Control;

/// <summary>The analysts' questions: who held what at a date (and as known on a date), a landmark's history, an occurrence and its accounts.</summary>
public static class ControlApi
{
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/control", GetControl).WithTags("Control");
        app.MapGet("/api/landmarks/{id}/timeline", GetTimeline).WithTags("Control");
        app.MapGet("/api/landmarks.geojson", GetGeoJson).WithTags("Control");
        app.MapGet("/api/occurrences", GetOccurrences).WithTags("Occurrences");
        app.MapGet("/api/occurrences/{id}", GetOccurrence).WithTags("Occurrences");
        return app;
    }

    private static async Task<IResult> GetControl(
        string? at, string? known, string? landmark, string? within, long? minPosition,
        ControlQueries queries, ReadModelDaemon daemon, LedgerLog store, CancellationToken ct)
    {
        var query = new QueryParameters();
        var day = query.Date("at", at, required: true);
        var knownDay = query.Date("known", known, required: false);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        if (await QueryParameters.WaitForAsync(minPosition, store, daemon, ct) is { } refusal) return refusal;
        try
        {
            return TypedResults.Ok(await queries.AtAsync(day!.Value, knownDay, landmark, within, ct));
        }
        catch (UnknownLandmarkException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [landmark == ex.Id ? "landmark" : "within"] = [ex.Message] });
        }
    }

    private static async Task<IResult> GetTimeline(string id, string? known, long? minPosition,
        ControlQueries queries, ReadModelDaemon daemon, LedgerLog store, CancellationToken ct)
    {
        var query = new QueryParameters();
        var knownDay = query.Date("known", known, required: false);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        if (await QueryParameters.WaitForAsync(minPosition, store, daemon, ct) is { } refusal) return refusal;
        try
        {
            return TypedResults.Ok(await queries.TimelineAsync(id, knownDay, ct));
        }
        catch (UnknownLandmarkException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Unknown landmark");
        }
    }

    private static async Task<IResult> GetOccurrences(string? known, ControlQueries queries, CancellationToken ct)
    {
        var query = new QueryParameters();
        var knownDay = query.Date("known", known, required: false);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        return TypedResults.Ok(await queries.OccurrencesAsync(knownDay, ct));
    }

    private static async Task<IResult> GetOccurrence(string id, long? minPosition,
        ControlQueries queries, ReadModelDaemon daemon, LedgerLog store, HttpContext http, CancellationToken ct)
    {
        if (await QueryParameters.WaitForAsync(minPosition, store, daemon, ct) is { } refusal) return refusal;
        // The ETag is the stream version, for If-Match on the next write.
        var version = await store.StreamVersionAsync(OccurrenceEvents.StreamId(id), ct);
        if (version == 0 || await queries.OccurrenceAsync(id, ct) is not { } view)
            return TypedResults.Problem($"There is no occurrence '{id}' (or it is not projected yet: pass ?minPosition= from your write).", statusCode: StatusCodes.Status404NotFound, title: "Unknown occurrence");
        http.Response.Headers.ETag = $"\"{version}\"";
        return TypedResults.Ok(view);
    }

    /// <summary>Landmarks with coordinates as a GeoJSON FeatureCollection; with ?at= each carries its controller on that day.</summary>
    private static async Task<IResult> GetGeoJson(string? at, string? known, ControlQueries queries, CancellationToken ct)
    {
        var query = new QueryParameters();
        var day = query.Date("at", at, required: false);
        var knownDay = query.Date("known", known, required: false);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        var control = day is { } d ? (await queries.AtAsync(d, knownDay, null, null, ct)).Landmarks.ToDictionary(l => l.Landmark.Id, l => l.Interval) : [];
        var features = (await queries.LandmarksAsync(ct))
            .Where(l => l.Lat is not null && l.Lon is not null)
            .Select(l => new
            {
                type = "Feature",
                id = l.Id,
                geometry = new { type = "Point", coordinates = new[] { l.Lon!.Value, l.Lat!.Value } },
                properties = new
                {
                    l.Name,
                    l.Kind,
                    l.Parent,
                    controller = control.GetValueOrDefault(l.Id)?.Controller,
                    status = control.GetValueOrDefault(l.Id)?.Status,
                },
            });
        return Results.Json(new { type = "FeatureCollection", features }, contentType: "application/geo+json");
    }
}
