using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using ConflictLedger.Log;
using ConflictLedger.Server.Operations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ConflictLedger.Server.Feed;

/// <summary>The integrators' feeds: catch-up pages and the live server-sent-event stream.</summary>
public static class FeedApi
{
    public const int MaxLimit = 1000;
    public const int DefaultLimit = 100;

    public static IServiceCollection AddFeed(this IServiceCollection services) => services
        .AddSingleton<LiveFeed>()
        .AddSingleton<LiveTail>()
        .AddHostedService(sp => sp.GetRequiredService<LiveTail>());

    public static IEndpointRouteBuilder MapFeedApi(this IEndpointRouteBuilder app)
    {
        var feed = app.MapGroup("/feed").WithTags("Feed");
        feed.MapGet("", GetPage)
            .WithName("GetFeedPage")
            .WithSummary("Committed events after a position, in log order, as CloudEvents; filter with type= and landmark=.")
            .Produces<FeedPage>(StatusCodes.Status200OK, "application/json");
        feed.MapGet("/live", Live)
            .WithName("GetLiveFeed")
            .WithSummary("Server-sent events: id = position, event = type, data = the CloudEvent. Resume with Last-Event-ID.");
        return app;
    }

    /// <summary>
    /// A full page can never change (the log below the visibility horizon is final), so it is
    /// cacheable forever under a strong ETag; a page that reached the head will grow.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ValidationProblem>> GetPage(
        HttpContext http, LedgerLog store, string? after, string? limit, [FromQuery] string[]? type, string? landmark, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var size = ParseLimit(limit, errors);
        var from = await ResolvePositionAsync(store, after, "after", errors, ct);
        if (FeedFilter.TypesProblem(FeedFilter.ParseTypes(type)) is { } typeProblem) errors["type"] = [typeProblem];
        if (from is null || errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The feed request is not valid.");

        // The store narrows by type (follow-ups included); the filter decides the rest, so a
        // filtered page may hold fewer than 'limit' events: 'next' and 'complete' follow what was read.
        var filter = new FeedFilter(FeedFilter.ParseTypes(type), string.IsNullOrEmpty(landmark) ? null : landmark);
        var read = await store.ReadAllAsync(from.Value, new ReadAllOptions { Types = filter.StoreTypes, Limit = size }, ct).ToListAsync(ct);
        var events = filter.IsAll ? read : await filter.PassingAsync(read, store, ct);
        var page = new FeedPage(
            events.Select(e => JsonElement.Parse(LedgerCloudEvents.Encode(e, store.Options.Schema))).ToList(),
            read.Count > 0 ? read[^1].Position.Value : from.Value.Value,
            Complete: read.Count < size);
        var body = JsonSerializer.SerializeToUtf8Bytes(page, JsonSerializerOptions.Web);

        if (page.Complete)
        {
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Bytes(body, "application/json");
        }
        var etag = new EntityTagHeaderValue($"\"{WebEncoders.Base64UrlEncode(SHA256.HashData(body))}\"");
        http.Response.Headers.ETag = etag.ToString();
        http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        var ifNoneMatch = http.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false)))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(body, "application/json");
    }

    private static async Task<Results<LiveFeedResult, ValidationProblem>> Live(
        LedgerLog store, string? after, [FromQuery] string[]? type, string? landmark,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId, Catalog.CatalogCache catalog, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var types = FeedFilter.ParseTypes(type);
        if (FeedFilter.TypesProblem(types) is { } typeProblem) errors["type"] = [typeProblem];
        // A reconnecting EventSource sends Last-Event-ID; it wins over the URL it was first opened with.
        var (text, parameter) = string.IsNullOrEmpty(lastEventId) ? (after, "after") : (lastEventId, "Last-Event-ID");
        var filter = new FeedFilter(types, string.IsNullOrEmpty(landmark) ? null : landmark);
        LogPosition? from;
        try
        {
            if (filter.Landmark is { } name)
            {
                filter = filter with { Landmark = await catalog.IdOfLandmarkAsync(name, ct) };
                if (await FeedFilter.LandmarkProblemAsync(filter.Landmark, catalog, store, ct) is { } landmarkProblem) errors["landmark"] = [landmarkProblem];
            }
            from = await ResolvePositionAsync(store, text, parameter, errors, ct);
        }
        catch (Exception ex) when (DatabaseUnavailableHandler.IsUnavailable(ex) && errors.Count == 0
                                   && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            // Answer 200 and hold the stream: the position (and a landmark alias) is resolved once the database is back.
            return new LiveFeedResult(new LiveStart(position, null), filter);
        }
        if (from is null || errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The live feed request is not valid.");
        return new LiveFeedResult(new LiveStart(long.Parse(string.IsNullOrEmpty(text) ? "0" : text, CultureInfo.InvariantCulture), from), filter);
    }

    private static int ParseLimit(string? text, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text)) return DefaultLimit;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit) return limit;
        errors["limit"] = [$"'{text}' is not a page size: give a whole number from 1 to {MaxLimit}."];
        return DefaultLimit;
    }

    /// <summary>
    /// Turns a public position into the log's (transaction, sequence) pair; 0 or nothing is the
    /// start. Null, with the reason in <paramref name="errors"/>, when the text names no event.
    /// </summary>
    public static async Task<LogPosition?> ResolvePositionAsync(
        LedgerLog store, string? text, string parameter, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(text)) return LogPosition.Start;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            errors[parameter] = [$"'{text}' is not a position: give 0 for the start, or the position of an event (a whole number, as 'next' or an event's 'position' shows)."];
            return null;
        }
        if (await store.ResolveAsync(position, ct) is { } resolved) return resolved;
        errors[parameter] = [$"No event has the position {position}: continue from 'next' of a page or from an event's 'position'."];
        return null;
    }
}
