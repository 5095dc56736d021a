using System.Security.Claims;
using Microsoft.Net.Http.Headers;

namespace ConflictLedger.Server.Access;

/// <summary>
/// Decides by path and method, not per endpoint, so every API mapped later is covered
/// without remembering to opt in: writes under /api and everything under /api/webhooks
/// need a key; reads of /api and /feed need one only when RequireKeyForReads is set.
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, ApiKeys keys, ConflictLedgerOptions options, IProblemDetailsService problems)
{
    public const string KeyHeader = "X-Api-Key";
    public const string AuthenticationType = "ApiKey";

    public async Task InvokeAsync(HttpContext http)
    {
        if (!RequiresKey(http.Request, options))
        {
            await next(http);
            return;
        }
        var presented = PresentedKey(http.Request);
        var identity = presented is null ? null : await keys.FindAsync(presented, http.RequestAborted);
        if (identity is null)
        {
            await ChallengeAsync(http, presented is null);
            return;
        }
        http.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, identity.Name), new Claim(ClaimTypes.NameIdentifier, identity.Hash)], AuthenticationType));
        await next(http);
    }

    public static bool IsWrite(HttpRequest request) =>
        request.Path.StartsWithSegments("/api")
        && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method)
            || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method));

    public static bool RequiresKey(HttpRequest request, ConflictLedgerOptions options) =>
        IsWrite(request)
        || request.Path.StartsWithSegments("/api/webhooks")
        || options.RequireKeyForReads && (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/feed"));

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer ? bearer : null;
        return request.Headers[KeyHeader].ToString() is { Length: > 0 } key ? key : null;
    }

    private Task ChallengeAsync(HttpContext http, bool missing)
    {
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers[HeaderNames.WWWAuthenticate] = missing
            ? "Bearer realm=\"conflictledger\""
            : "Bearer realm=\"conflictledger\", error=\"invalid_token\"";
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = missing ? "An API key is required." : "The API key is not valid.",
                Detail = missing
                    ? $"Send a key as 'Authorization: Bearer <key>' or in the {KeyHeader} header. Make one with: scripts/run.sh create-api-key NAME (or start the service with ConflictLedger__ApiKeys__0=SECRET)."
                    : "The key is unknown. Check for a copy-paste error, or make a new key with: scripts/run.sh create-api-key NAME",
            },
        }).AsTask();
    }
}
