using System.Text.Json;

namespace ConflictLedger.Server.Operations;

/// <summary>
/// Refuses, before any endpoint runs, text PostgreSQL cannot store (a NUL, an unpaired
/// surrogate) anywhere in a request: the path, a query parameter, a JSON body. One place
/// for every route, present and future, so none of them can reach the database with it
/// and come back as a 500. The problem names the parameter or the body's field path
/// ("account.source.quote").
/// </summary>
public sealed class UnstorableTextGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var errors = new Dictionary<string, string[]>();
        var request = http.Request;
        foreach (var (name, value) in request.RouteValues)
            if (StorableText.Problem(value as string) is { } problem) errors[name] = [problem];
        if (request.RouteValues.Count == 0 && StorableText.Problem(request.Path.Value) is { } pathProblem) errors["path"] = [pathProblem];
        foreach (var (name, values) in request.Query)
        {
            if (StorableText.Problem(name) is { } nameProblem) errors[name] = ["a parameter name: " + nameProblem];
            foreach (var value in values)
                if (StorableText.Problem(value) is { } problem) errors[name] = [problem];
        }
        if (request.HasJsonContentType() && request.ContentLength is not 0)
        {
            request.EnableBuffering();
            try
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: http.RequestAborted);
                foreach (var (path, problem) in StorableText.InJson(body.RootElement, "$"))
                    errors[path == "$" ? "body" : path[2..]] = [problem];
            }
            catch (BadHttpRequestException ex)
            {
                // Reading the body here is where Kestrel's limits (413) now surface; answer as binding would have.
                await TypedResults.Problem(ex.Message, statusCode: ex.StatusCode,
                    title: ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request body could not be read.").ExecuteAsync(http);
                return;
            }
            catch (JsonException)
            {
                // Not JSON: the endpoint's binding reports that in its own words.
            }
            catch (InvalidOperationException)
            {
                // A string the reader cannot even decode (an escaped lone surrogate): refused as such.
                errors["body"] = ["the body holds an escaped character that is not Unicode text (a lone \\uD800-\\uDFFF surrogate)"];
            }
            request.Body.Position = 0;
        }
        if (errors.Count > 0)
        {
            await TypedResults.ValidationProblem(errors, title: "The request holds text that cannot be stored.").ExecuteAsync(http);
            return;
        }
        await next(http);
    }
}
