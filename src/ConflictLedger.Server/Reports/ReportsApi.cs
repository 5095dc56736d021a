using System.Globalization;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using ConflictLedger.Server.Catalog;
using ConflictLedger.Server.Operations;

namespace ConflictLedger.Server.Reports;

public sealed record ReportRequest(string? OccurrenceId, AccountRequest? Account);

public sealed record CorrectionRequest(AccountRequest? Account, string? Reason);

public sealed record RetractionRequest(string? Reason);

/// <summary>
/// Reporters' writes. Every response carries the global position, so a client can read
/// its own write (<c>?minPosition=</c> on the read API); <c>If-Match</c> takes the stream
/// version from an occurrence's ETag; <c>Idempotency-Key</c> makes a retried POST
/// return the first result.
/// </summary>
public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/occurrences").WithTags("Occurrences");
        api.MapPost("/", Report);
        api.MapPost("/{id}/accounts", AddAccount);
        api.MapPost("/{id}/accounts/{accountId}/corrections", Correct);
        api.MapPost("/{id}/accounts/{accountId}/retraction", Retract);
        return app;
    }

    private static async Task<IResult> Report(ReportRequest? body, HttpContext http, CatalogCache catalog, OccurrenceService service, ConflictLedgerMetrics metrics, CancellationToken ct)
    {
        if (body?.Account is null) return Invalid("account", "the body needs an \"account\" object");
        if (body.OccurrenceId is { } id && !IsOccurrenceId(id)) return Invalid("occurrenceId", "use lower-case letters, digits and '-' (at most 100)");
        var (account, errors) = body.Account.ToAccount(await catalog.GetAsync(ct));
        if (account is null) return TypedResults.ValidationProblem(Prefixed(errors, "account."));
        return await Write(http, metrics, () => service.ReportAsync(body.OccurrenceId, account, IdempotencyKey(http), Caller(http), ct), created: true);
    }

    private static async Task<IResult> AddAccount(string id, AccountRequest? body, HttpContext http, CatalogCache catalog, OccurrenceService service, ConflictLedgerMetrics metrics, CancellationToken ct)
    {
        if (body is null) return Invalid("account", "the body is the account to add");
        if (ExpectedFrom(http) is not { } expected) return BadIfMatch();
        var (account, errors) = body.ToAccount(await catalog.GetAsync(ct));
        if (account is null) return TypedResults.ValidationProblem(errors.ToDictionary());
        return await Write(http, metrics, () => service.AddAccountAsync(id, account, expected, IdempotencyKey(http), Caller(http), ct), created: true);
    }

    private static async Task<IResult> Correct(string id, string accountId, CorrectionRequest? body, HttpContext http, CatalogCache catalog, OccurrenceService service, ConflictLedgerMetrics metrics, CancellationToken ct)
    {
        accountId = Uri.UnescapeDataString(accountId);
        if (body?.Account is null) return Invalid("account", "the body needs the corrected \"account\"");
        if (string.IsNullOrWhiteSpace(body.Reason)) return Invalid("reason", "say why the account is corrected");
        if (ExpectedFrom(http) is not { } expected) return BadIfMatch();
        var (account, errors) = body.Account.ToAccount(await catalog.GetAsync(ct));
        if (account is null) return TypedResults.ValidationProblem(Prefixed(errors, "account."));
        return await Write(http, metrics, () => service.CorrectAsync(id, accountId, account, body.Reason, expected, IdempotencyKey(http), Caller(http), ct), created: false);
    }

    private static async Task<IResult> Retract(string id, string accountId, RetractionRequest? body, HttpContext http, OccurrenceService service, ConflictLedgerMetrics metrics, CancellationToken ct)
    {
        // Routing leaves %2F encoded; seed account ids ("000_.../akr-shot") contain a '/'.
        accountId = Uri.UnescapeDataString(accountId);
        if (string.IsNullOrWhiteSpace(body?.Reason)) return Invalid("reason", "say why the account is retracted");
        if (ExpectedFrom(http) is not { } expected) return BadIfMatch();
        return await Write(http, metrics, () => service.RetractAsync(id, accountId, body.Reason, expected, IdempotencyKey(http), Caller(http), ct), created: false);
    }

    /// <summary>Runs a write and maps the domain's refusals onto problem details.</summary>
    private static async Task<IResult> Write(HttpContext http, ConflictLedgerMetrics metrics, Func<Task<Recorded>> write, bool created)
    {
        try
        {
            var recorded = await write();
            if (!recorded.Replayed) metrics.EventsAppended(1);
            http.Response.Headers.ETag = $"\"{recorded.Version}\"";
            if (recorded.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
            var location = $"/api/occurrences/{recorded.OccurrenceId}";
            return created ? TypedResults.Created(location, recorded) : TypedResults.Ok(recorded);
        }
        catch (ConcurrencyException ex) when (ex.Expected == ExpectedVersion.NoStream)
        {
            return TypedResults.Problem($"{ex.Message} To add a source's account to an existing occurrence, POST it to /api/occurrences/{{id}}/accounts.",
                statusCode: StatusCodes.Status409Conflict, title: "The occurrence already exists");
        }
        catch (ConcurrencyException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status412PreconditionFailed, title: "The occurrence has changed",
                extensions: new Dictionary<string, object?> { ["expected"] = ex.Expected.ToString(), ["actual"] = ex.ActualVersion });
        }
        catch (OccurrenceNotFoundException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Unknown occurrence");
        }
        catch (IdempotencyKeyReusedException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused");
        }
        catch (DuplicateEventIdException)
        {
            // The key's event already stands in another occurrence: the key was reused for a different request.
            return TypedResults.Problem("This Idempotency-Key was used before for a different request. Use a new key for a new request.",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused");
        }
        catch (AccountNotFoundException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Unknown account");
        }
        catch (DuplicateAccountException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "The account is already recorded",
                extensions: new Dictionary<string, object?> { ["occurrenceId"] = ex.OccurrenceId, ["accountId"] = ex.AccountId, ["location"] = $"/api/occurrences/{ex.OccurrenceId}" });
        }
        catch (DomainException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Refused");
        }
    }

    /// <summary>If-Match: "7" (or 7) is the stream version the client last read; absent means no check. Null when unreadable.</summary>
    private static ExpectedVersion? ExpectedFrom(HttpContext http)
    {
        var header = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header) || header == "*") return ExpectedVersion.Any;
        var text = header.Trim().TrimStart('W', '/').Trim('"');
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0 ? ExpectedVersion.Exact(version) : null;
    }

    private static IResult BadIfMatch() =>
        Invalid("If-Match", "If-Match takes the occurrence's ETag: its stream version in quotes, e.g. \"3\"");

    private static string? IdempotencyKey(HttpContext http) =>
        http.Request.Headers.TryGetValue("Idempotency-Key", out var key) && !string.IsNullOrWhiteSpace(key) ? key.ToString() : null;

    /// <summary>Who writes: the API key's name for the metadata, its hash to scope idempotency keys and derived ids.</summary>
    private static Writer Caller(HttpContext http)
    {
        var name = http.User.Identity?.Name ?? "api";
        return new Writer(name, http.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value ?? name);
    }

    private static bool IsOccurrenceId(string id) => id.Length is > 0 and <= 100 && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');

    private static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static Dictionary<string, string[]> Prefixed(IReadOnlyDictionary<string, string[]> errors, string prefix) =>
        errors.ToDictionary(e => prefix + e.Key, e => e.Value);
}
