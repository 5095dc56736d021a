using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Net.Http.Headers;
using Npgsql;

namespace ConflictLedger.Server.Operations;

/// <summary>
/// While PostgreSQL is down (restarting, failing over, unreachable) every request that needs
/// it answers 503 with <c>Retry-After</c> and a problem body, instead of a bare 500: clients
/// and proxies know to come back, and nothing looks like a bug in the request.
/// </summary>
public sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, ConflictLedgerOptions options, ILogger<DatabaseUnavailableHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception) || http.Response.HasStarted) return false;
        logger.LogWarning("{Method} {Path}: the database is unavailable ({Error}); answered 503", http.Request.Method, http.Request.Path, exception.Message);
        var seconds = (int)Math.Ceiling(options.DatabaseRetryAfter.TotalSeconds);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is unavailable.",
                Detail = $"The ledger's database cannot be reached right now. Try again in {seconds} s; " +
                         "a write may or may not have been recorded, so send it again with the same Idempotency-Key.",
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
            },
        });
    }

    /// <summary>
    /// True for failures that mean "PostgreSQL is not there right now" rather than "this request
    /// is wrong": refused or broken connections, a server shutting down or starting up, an
    /// exhausted pool. Npgsql marks exactly these as transient.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is NpgsqlException { IsTransient: true } or SocketException) return true;
        return false;
    }
}
