using System.ComponentModel;
using ConflictLedger.Log;
using ConflictLedger.Server.Control;
using ConflictLedger.Server.Feed;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ConflictLedger.Server.Webhooks;

/// <param name="Batch">Opt in to CloudEvents batch bodies (application/cloudevents-batch+json) of up to <paramref name="BatchSize"/> events.</param>
/// <param name="BatchSize">1 to 1000; 100 when left out.</param>
public sealed record CreateWebhookRequest(string? Url, string[]? Types, string? Landmark, string? Secret, string? Description, bool? Batch = null, int? BatchSize = null);

/// <param name="Position">The position of the last event delivered (or skipped by the filter).</param>
/// <param name="Secret">Only in the answer to the create request: it cannot be read back.</param>
public sealed record WebhookView(
    Guid Id,
    string Url,
    IReadOnlyList<string>? Types,
    string? Landmark,
    string? Description,
    WebhookStatus Status,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? DisabledAt,
    DateTimeOffset CreatedAt,
    long Position,
    bool Batch,
    int? BatchSize,
    string? Secret = null);

/// <summary>Webhook subscriptions: create, list, pause, resume, replay, delete, and their delivery record. All need an API key.</summary>
public static class WebhooksApi
{
    public const int DefaultPage = 1000, MaxPage = 10000;
    public const int DefaultDeliveryPage = 50, MaxDeliveryPage = 1000;

    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookDispatcher>();
        // Not a hosted service: the dispatcher runs where Wolverine places it (Cluster/LedgerAgents).
        services.AddHostedService<DeliveryRecordCleanup>();
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/webhooks").WithTags("Webhooks");
        hooks.MapPost("", Create).WithName("CreateWebhook").WithSummary("Subscribe a URL to the log; the answer holds the signing secret, once.");
        hooks.MapGet("", List).WithName("ListWebhooks").Paged()
            .WithSummary("Webhooks in creation order, paged (limit, after; the Link header holds the next page).");
        hooks.MapGet("/{id:guid}", Get).WithName("GetWebhook");
        hooks.MapDelete("/{id:guid}", Delete).WithName("DeleteWebhook");
        hooks.MapPost("/{id:guid}/pause", Pause).WithName("PauseWebhook");
        hooks.MapPost("/{id:guid}/resume", Resume).WithName("ResumeWebhook").WithSummary("Re-enable a paused or disabled webhook where it stopped.");
        hooks.MapPost("/{id:guid}/replay", Replay).WithName("ReplayWebhook").WithSummary("Deliver again everything after the position 'from' (0 for the whole log).");
        hooks.MapGet("/{id:guid}/deliveries", Deliveries).WithName("ListWebhookDeliveries").Paged()
            .WithSummary("Delivery attempts, latest first, paged (limit, after; the Link header holds the next page).");
        return app;
    }

    private static async Task<Results<Created<WebhookView>, ValidationProblem>> Create(
        CreateWebhookRequest request, WebhookStore webhooks, LedgerLog store, WebhookDispatcher dispatcher,
        ConflictLedgerOptions options, Catalog.CatalogCache catalog, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (await WebhookTargets.CheckAsync(request.Url, options.AllowPrivateWebhookTargets, ct) is { } urlProblem)
            errors["url"] = [urlProblem];
        if (request.Types is { } types && types.Any(string.IsNullOrWhiteSpace))
            errors["types"] = ["Event types must not be empty: list names such as \"clash-reported.v1\", or leave 'types' out for every type."];
        else if (FeedFilter.TypesProblem(request.Types) is { } typeProblem)
            errors["types"] = [typeProblem];
        if (request.Landmark is { } landmark && string.IsNullOrWhiteSpace(landmark))
            errors["landmark"] = ["Give a landmark id such as \"derna\", or leave 'landmark' out."];
        else if (await FeedFilter.LandmarkProblemAsync(request.Landmark, catalog, store, ct) is { } landmarkProblem)
            errors["landmark"] = [landmarkProblem];
        if (request.Secret is { } secret && WebhookSignature.KeyOf(secret) is null)
            errors["secret"] = ["A secret is \"whsec_\" followed by base64 of 24 to 64 random bytes; leave it out to have one made."];
        if (request.BatchSize is not null && request.Batch != true)
            errors["batchSize"] = ["A batch size needs \"batch\": true; leave it out for one event per request."];
        else if (request.BatchSize is < 1 or > Webhook.MaxBatchSize)
            errors["batchSize"] = [$"Give a batch size from 1 to {Webhook.MaxBatchSize} events, or leave it out for {Webhook.DefaultBatchSize}."];
        if (request.Description is { Length: > 500 })
            errors["description"] = ["Keep the description to 500 characters."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The webhook is not valid.");

        var hook = new Webhook(
            Guid.NewGuid(), request.Url!, request.Types is { Length: > 0 } t ? t.Distinct(StringComparer.Ordinal).ToArray() : null,
            request.Landmark is { } place ? await catalog.IdOfLandmarkAsync(place, ct) : null, request.Secret ?? WebhookSignature.NewSecret(), request.Description,
            WebhookStatus.Active, 0, null, null, DateTimeOffset.UtcNow,
            request.Batch == true ? request.BatchSize ?? Webhook.DefaultBatchSize : null);
        // A new webhook receives what becomes readable from now on; replay reaches further back.
        var head = await store.HeadAsync(ct);
        await store.Checkpoints.ResetAsync(Webhook.CheckpointName(hook.Id), head, ct);
        await webhooks.CreateAsync(hook, ct);
        dispatcher.Changed(hook.Id);
        return TypedResults.Created($"/api/webhooks/{hook.Id}", View(hook, head) with { Secret = hook.Secret });
    }

    private static async Task<Results<Ok<IReadOnlyList<WebhookView>>, ValidationProblem>> List(
        [Description("The cursor from the Link header of the page before (the last webhook's creation time and id); leave it out for the first page.")] string? after,
        [Description("Webhooks per page: 1 to 10000, 1000 when left out.")] int? limit,
        WebhookStore webhooks, LedgerLog store, HttpContext http, CancellationToken ct)
    {
        var query = new QueryParameters();
        var size = query.Limit(limit, DefaultPage, MaxPage);
        WebhookCursor? cursor = null;
        if (!string.IsNullOrEmpty(after) && (cursor = WebhookCursor.Parse(after)) is null)
            query.Errors["after"] = [$"'{after}' is not a cursor of this list: follow the Link header of the page before, or leave 'after' out for the first page."];
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);

        var positions = (await store.Checkpoints.ListAsync(ct)).ToDictionary(c => c.Name, c => c.Position, StringComparer.Ordinal);
        // One more than the page: whether it exists decides the Link.
        var read = await webhooks.ListAsync(cursor, size + 1, ct);
        var page = read.Take(size).ToList();
        QueryParameters.NextLink(http, read.Count > size ? WebhookCursor.Of(page[^1]).ToString() : null);
        return TypedResults.Ok<IReadOnlyList<WebhookView>>(
            page.Select(h => View(h, positions.GetValueOrDefault(Webhook.CheckpointName(h.Id)))).ToList());
    }

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> Get(
        Guid id, WebhookStore webhooks, LedgerLog store, CancellationToken ct) =>
        await ViewAsync(id, webhooks, store, ct) is { } view ? TypedResults.Ok(view) : NotFound(id);

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, WebhookStore webhooks, WebhookDispatcher dispatcher, CancellationToken ct)
    {
        if (!await webhooks.DeleteAsync(id, ct)) return NotFound(id);
        dispatcher.Changed(id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> Pause(
        Guid id, WebhookStore webhooks, LedgerLog store, WebhookDispatcher dispatcher, CancellationToken ct) =>
        await SetStatusAsync(id, WebhookStatus.Paused, webhooks, store, dispatcher, ct) is { } view ? TypedResults.Ok(view) : NotFound(id);

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> Resume(
        Guid id, WebhookStore webhooks, LedgerLog store, WebhookDispatcher dispatcher, CancellationToken ct) =>
        await SetStatusAsync(id, WebhookStatus.Active, webhooks, store, dispatcher, ct) is { } view ? TypedResults.Ok(view) : NotFound(id);

    /// <summary>Moves the checkpoint back (or forward) and re-enables the webhook: delivery restarts after <paramref name="from"/>.</summary>
    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult, ValidationProblem>> Replay(
        Guid id, string? from, WebhookStore webhooks, LedgerLog store, WebhookDispatcher dispatcher, CancellationToken ct)
    {
        if (await webhooks.FindAsync(id, ct) is null) return NotFound(id);
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(from))
            errors["from"] = ["Give the position to replay after: 0 delivers the whole log again, an event's position everything after it."];
        var position = errors.Count == 0 ? await FeedApi.ResolvePositionAsync(store, from, "from", errors, ct) : null;
        if (position is null)
            return TypedResults.ValidationProblem(errors, title: "The replay request is not valid.");

        await store.Checkpoints.ResetAsync(Webhook.CheckpointName(id), position.Value, ct);
        return await SetStatusAsync(id, WebhookStatus.Active, webhooks, store, dispatcher, ct) is { } view ? TypedResults.Ok(view) : NotFound(id);
    }

    private static async Task<Results<Ok<IReadOnlyList<DeliveryAttempt>>, ProblemHttpResult, ValidationProblem>> Deliveries(
        Guid id,
        [Description("The id of the last record of the page before (the Link header holds it); leave it out for the latest.")] string? after,
        [Description("Records per page: 1 to 1000, 50 when left out.")] int? limit,
        WebhookStore webhooks, HttpContext http, CancellationToken ct)
    {
        var query = new QueryParameters();
        var size = query.Limit(limit, DefaultDeliveryPage, MaxDeliveryPage);
        long? before = null;
        if (!string.IsNullOrEmpty(after) && (before = DeliveryCursor.Parse(after)) is null)
            query.Errors["after"] = [$"'{after}' is not a delivery record id: pass the 'id' of the last record of the page before (the Link header holds the next page), or leave 'after' out for the latest."];
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        if (await webhooks.FindAsync(id, ct) is null) return NotFound(id);

        var read = await webhooks.DeliveriesAsync(id, before, size + 1, ct);
        var page = read.Take(size).ToList();
        QueryParameters.NextLink(http, read.Count > size ? page[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        return TypedResults.Ok<IReadOnlyList<DeliveryAttempt>>(page);
    }

    /// <summary>The webhook as it is after the change; null when there is no such webhook.</summary>
    private static async Task<WebhookView?> SetStatusAsync(
        Guid id, WebhookStatus status, WebhookStore webhooks, LedgerLog store, WebhookDispatcher dispatcher, CancellationToken ct)
    {
        if (!await webhooks.SetStatusAsync(id, status, ct)) return null;
        dispatcher.Changed(id);
        return await ViewAsync(id, webhooks, store, ct);
    }

    private static async Task<WebhookView?> ViewAsync(Guid id, WebhookStore webhooks, LedgerLog store, CancellationToken ct) =>
        await webhooks.FindAsync(id, ct) is { } hook
            ? View(hook, await store.Checkpoints.LoadAsync(Webhook.CheckpointName(id), ct))
            : null;

    /// <summary>OpenAPI: the answer of a paged list carries the next page's URL in its Link header.</summary>
    private static RouteHandlerBuilder Paged(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse ok)
            {
                ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
                ok.Headers["Link"] = new OpenApiHeader
                {
                    Description = "`<URL>; rel=\"next\"` (RFC 8288): the same request with `after` moved on; absent on the last page.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
            return Task.CompletedTask;
        });

    private static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "No such webhook.", detail: $"No webhook has the id {id}; GET /api/webhooks lists them.");

    private static WebhookView View(Webhook h, LogPosition position) => new(
        h.Id, h.Url, h.Types, h.Landmark, h.Description, h.Status, h.ConsecutiveFailures, h.LastError, h.DisabledAt, h.CreatedAt, position.Value,
        h.BatchSize is not null, h.BatchSize);
}
