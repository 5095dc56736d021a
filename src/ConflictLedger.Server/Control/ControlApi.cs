using System.Text.Json;
using ConflictLedger.Log;
using ConflictLedger.Control;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using ConflictLedger.Server.Catalog;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ConflictLedger.Server.Control;

/// <summary>The bulk timeline: a page of landmarks with their intervals and occurrences; <paramref name="Next"/> is the next page's link.</summary>
public sealed record TimelinesAnswer(DateOnly? Known, long Position, IReadOnlyList<TimelineRow> Items, string? Next, IReadOnlyDictionary<string, ResolvedName>? Resolved);

/// <summary>
/// The analysts' questions: who held what at a date (and as known on a date), a landmark's
/// history, many landmarks' histories at once, an occurrence and its accounts. Every one
/// takes <c>known</c>; landmarks and actors may be given by id or by any alias, and the
/// answer's <c>resolved</c> says which id a name was taken for.
/// </summary>
public static class ControlApi
{
    public const int DefaultOccurrencePage = 500, MaxOccurrencePage = 5000;
    public const int DefaultTimelinePage = 500, MaxTimelinePage = 2000;

    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/control", GetControl).WithTags("Control").Produces<ControlAnswer>()
            .WithSummary("Who held each landmark on a date (at), as known on a date (known), and on whose word.");
        app.MapGet("/api/landmarks/{id}/timeline", GetTimeline).WithTags("Control").Produces<TimelineAnswer>()
            .WithSummary("One landmark's history (id or alias) with every change, the accounts behind it and every claim.");
        app.MapGet("/api/timelines", GetTimelines).WithTags("Control").Produces<TimelinesAnswer>()
            .WithSummary("Many landmarks' histories at once, paged: intervals without evidence and the occurrences at each. Filters: within, kind, actor, from, to, known.");
        app.MapGet("/api/landmarks.geojson", GetGeoJson).WithTags("Control").Produces(StatusCodes.Status200OK, contentType: "application/geo+json")
            .WithSummary("Landmarks with coordinates as GeoJSON; with at (and known) each carries its controller and status.");
        app.MapGet("/api/occurrences", GetOccurrences).WithTags("Occurrences").Produces<IReadOnlyList<OccurrenceView>>()
            .WithSummary("Occurrences in id order, paged (limit, after; the Link header holds the next page).");
        app.MapGet("/api/occurrences/{id}", GetOccurrence).WithTags("Occurrences").Produces<OccurrenceView>()
            .WithSummary("One occurrence with every account and the casualty range; with known, as a reader could know it that day.");
        return app;
    }

    private static async Task<IResult> GetControl(
        string? at, string? known, string? landmark, string? within, long? minPosition,
        ControlQueries queries, CatalogCache catalog, ReadModelDaemon daemon, LedgerLog store, HttpContext http, CancellationToken ct)
    {
        var query = new QueryParameters();
        var day = query.Date("at", at, required: true);
        var knownDay = query.Date("known", known, required: false);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        // Names are resolved after the wait: the write waited for may have added them.
        if (await QueryParameters.WaitForAsync(minPosition, store, daemon, ct) is { } refusal) return refusal;
        var names = await catalog.GetAsync(ct);
        var landmarkId = query.Landmark("landmark", landmark, names);
        var withinId = query.Landmark("within", within, names);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        try
        {
            return Answer(http, await queries.AtAsync(day!.Value, knownDay, landmarkId, withinId, ct), query);
        }
        catch (UnknownLandmarkException ex)
        {
            // Known to the catalog but not inside the area asked for.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [landmarkId == ex.Id ? "landmark" : "within"] = [$"'{ex.Id}' is not inside '{withinId}'."] });
        }
    }

    private static async Task<IResult> GetTimeline(string id, string? known, long? minPosition,
        ControlQueries queries, CatalogCache catalog, ReadModelDaemon daemon, LedgerLog store, HttpContext http, CancellationToken ct)
    {
        var query = new QueryParameters();
        var knownDay = query.Date("known", known, required: false);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        if (await QueryParameters.WaitForAsync(minPosition, store, daemon, ct) is { } refusal) return refusal;
        if (query.Landmark("id", id, await catalog.GetAsync(ct)) is not { } landmarkId)
            return TypedResults.Problem(query.Errors["id"][0], statusCode: StatusCodes.Status404NotFound, title: "Unknown landmark");
        return Answer(http, await queries.TimelineAsync(landmarkId, knownDay, ct), query);
    }

    private static async Task<IResult> GetTimelines(
        string? within, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "kind")] string[]? kind, string? actor, string? from, string? to, string? known,
        string? after, int? limit, long? minPosition,
        ControlQueries queries, CatalogCache catalog, ReadModelDaemon daemon, LedgerLog store, HttpContext http, CancellationToken ct)
    {
        var query = new QueryParameters();
        var names = await catalog.GetAsync(ct);
        var filter = new TimelineFilter(
            query.Landmark("within", within, names),
            query.Kinds("kind", kind),
            query.Actor("actor", actor, names),
            query.Date("from", from, required: false),
            query.Date("to", to, required: false),
            query.Date("known", known, required: false),
            after,
            query.Limit(limit, DefaultTimelinePage, MaxTimelinePage));
        if (filter is { From: { } f, To: { } t } && t <= f) query.Errors["to"] = ["to must be after from (the range is from..to, to excluded)"];
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        if (await QueryParameters.WaitForAsync(minPosition, store, daemon, ct) is { } refusal) return refusal;
        var page = await queries.TimelinesAsync(filter, ct);
        return TypedResults.Ok(new TimelinesAnswer(page.Known, page.Position, page.Items, QueryParameters.NextLink(http, page.NextAfter),
            query.Resolved.Count > 0 ? query.Resolved : null));
    }

    private static async Task<IResult> GetOccurrences(string? known, string? after, int? limit, ControlQueries queries, HttpContext http, CancellationToken ct)
    {
        var query = new QueryParameters();
        var knownDay = query.Date("known", known, required: false);
        var size = query.Limit(limit, DefaultOccurrencePage, MaxOccurrencePage);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        var (items, nextAfter) = await queries.OccurrencesPageAsync(knownDay, after, size, ct);
        QueryParameters.NextLink(http, nextAfter);
        return TypedResults.Ok(items);
    }

    private static async Task<IResult> GetOccurrence(string id, string? known, long? minPosition,
        ControlQueries queries, ReadModelDaemon daemon, LedgerLog store, HttpContext http, CancellationToken ct)
    {
        var query = new QueryParameters();
        var knownDay = query.Date("known", known, required: false);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        if (await QueryParameters.WaitForAsync(minPosition, store, daemon, ct) is { } refusal) return refusal;
        // The ETag is the stream version, for If-Match on the next write.
        var version = await store.StreamVersionAsync(OccurrenceEvents.StreamId(id), ct);
        if (version == 0 || await queries.OccurrenceAsync(id, null, ct) is not { } view)
            return TypedResults.Problem($"There is no occurrence '{id}' (or it is not projected yet: pass ?minPosition= from your write). GET /api/occurrences lists them.",
                statusCode: StatusCodes.Status404NotFound, title: "Unknown occurrence");
        if (knownDay is { } day)
        {
            if (await queries.OccurrenceAsync(id, day, ct) is not { } then)
                return TypedResults.Problem($"Nothing about occurrence '{id}' had been published (or recorded) by {day:yyyy-MM-dd}.",
                    statusCode: StatusCodes.Status404NotFound, title: "Not known yet");
            view = then;
        }
        http.Response.Headers.ETag = $"\"{version}\"";
        return TypedResults.Ok(view);
    }

    /// <summary>Landmarks with coordinates as a GeoJSON FeatureCollection; with ?at= each carries its controller on that day.</summary>
    private static async Task<IResult> GetGeoJson(string? at, string? known, ControlQueries queries, CancellationToken ct)
    {
        var query = new QueryParameters();
        var day = query.Date("at", at, required: false);
        var knownDay = query.Date("known", known, required: false);
        if (knownDay is not null && day is null) query.Errors["at"] = ["known needs at: the controllers on a date (at) as known on another (known)"];
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

    /// <summary>The answer, with <c>resolved</c> added when a name was taken for a catalog id.</summary>
    private static IResult Answer<T>(HttpContext http, T answer, QueryParameters query)
    {
        if (query.Resolved.Count == 0) return TypedResults.Ok(answer);
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var node = JsonSerializer.SerializeToNode(answer, options)!.AsObject();
        node["resolved"] = JsonSerializer.SerializeToNode(query.Resolved, options);
        return TypedResults.Json(node, options);
    }
}
