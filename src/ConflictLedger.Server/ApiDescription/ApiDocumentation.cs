using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace ConflictLedger.Server.ApiDescription;

/// <summary>
/// The API explains itself: the OpenAPI document names the API-key scheme and, for every
/// operation, the problems it can answer with (decided here by route and method, the same
/// way <see cref="Access.ApiKeyAuthentication"/> decides, so no endpoint is forgotten);
/// an interactive reference is served at <c>/docs</c> from the Scalar package (no CDN);
/// binding failures become problems naming the field (<see cref="BadRequestProblems"/>).
/// </summary>
public static class ApiDocumentation
{
    public const string ApiKeyScheme = "ApiKey", BearerScheme = "Bearer", ProblemSchema = "ProblemDetails";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        // Binding failures throw, so the handler below can say which field and where.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestProblems>();
        services.Configure<OpenApiOptions>("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            Describe(document);
            return Task.CompletedTask;
        }));
        return services;
    }

    public static IEndpointRouteBuilder MapApiDocumentation(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("ConflictLedger API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddPreferredSecuritySchemes([ApiKeyScheme]));
        return app;
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info.Title = "ConflictLedger";
        document.Info.Description = """
            An event-sourced conflict tracker: reports are appended as events, answers are derived on two clocks
            (world time `at`, knowledge time `known`). Reads are open unless the server sets
            ConflictLedger:RequireKeyForReads; writes and /api/webhooks need an API key, made with
            `scripts/run.sh create-api-key NAME` or configured as ConflictLedger:ApiKeys. Errors are RFC 9457
            problem details; `errors` names each field. Landmarks and actors may be given by id or alias.
            """;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = Access.ApiKeyAuthentication.KeyHeader,
            Description = "An API key: `scripts/run.sh create-api-key NAME` prints one (stored hashed), or set ConflictLedger:ApiKeys.",
        };
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The same API key as `Authorization: Bearer KEY`.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details; `errors` maps each field (a JSON path into the body, or a query parameter) to what is wrong with it.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            },
        };

        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var write = path.StartsWith("/api", StringComparison.Ordinal) && method != HttpMethod.Get && method != HttpMethod.Head;
                var keyed = write || path.StartsWith("/api/webhooks", StringComparison.Ordinal);
                var parameters = operation.Parameters?.Select(p => p.Name).ToHashSet() ?? [];
                operation.Responses ??= [];
                if (parameters.Count > 0 || operation.RequestBody is not null)
                    Problem(document, operation, "400", "A parameter or the body is malformed or refused; `errors` names the field (and, for JSON, the line and position).");
                if (keyed)
                {
                    Problem(document, operation, "401", "No API key, or an unknown one. Make one with `scripts/run.sh create-api-key NAME`.");
                    operation.Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
                    ];
                }
                else if (path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/feed", StringComparison.Ordinal))
                {
                    Problem(document, operation, "401", "Only when the server sets ConflictLedger:RequireKeyForReads: send an API key.");
                }
                if (write)
                {
                    Problem(document, operation, "429", "Too many writes for this key in the window (ConflictLedger:WriteRateLimit); see Retry-After.");
                    if (operation.RequestBody is not null)
                    {
                        Problem(document, operation, "413", "The body is larger than ConflictLedger:MaxRequestBodyBytes.");
                        Problem(document, operation, "415", "The body must be JSON (Content-Type: application/json).");
                    }
                }
                if (path.Contains('{', StringComparison.Ordinal)) Problem(document, operation, "404", "No such resource (the problem says which id, and where to list them).");
                if (write && path.StartsWith("/api/occurrences", StringComparison.Ordinal))
                {
                    Problem(document, operation, "409", "Refused by the domain (the occurrence exists, or the account is already retracted).");
                    Problem(document, operation, "412", "If-Match named a stream version that is no longer current.");
                    Problem(document, operation, "422", "The Idempotency-Key was used before for a different request.");
                }
                if (parameters.Contains("minPosition")) Problem(document, operation, "503", "The read model has not reached minPosition within 10 s.");
                Problem(document, operation, "500", "An unexpected error; the problem carries a trace id to quote.");
            }
        }
    }

    private static void Problem(OpenApiDocument document, OpenApiOperation operation, string status, string description) =>
        operation.Responses!.TryAdd(status, new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        });
}
