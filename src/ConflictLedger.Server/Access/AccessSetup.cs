using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Net.Http.Headers;

namespace ConflictLedger.Server.Access;

public static class AccessSetup
{
    /// <summary>API keys and a fixed-window limit on writes per key (the body size limit is Kestrel's, set in the server).</summary>
    public static IServiceCollection AddAccess(this IServiceCollection services, ConflictLedgerOptions options)
    {
        services.AddSingleton<ApiKeys>();
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                ApiKeyAuthentication.IsWrite(http.Request)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous",
                        _ => new FixedWindowRateLimiterOptions
                        {
                            PermitLimit = options.WriteRateLimit.PermitLimit,
                            Window = options.WriteRateLimit.Window,
                            QueueLimit = 0,
                        })
                    : RateLimitPartition.GetNoLimiter("reads"));
            limiter.OnRejected = (context, ct) => RejectAsync(context, options.WriteRateLimit.Window);
        });
        return services;
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, TimeSpan window)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many writes.",
                Detail = $"This API key has used its writes for the current window. Try again in {seconds} s.",
            },
        });
    }
}
