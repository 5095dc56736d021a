using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace ConflictLedger.Server.ApiDescription;

/// <summary>
/// Turns the framework's own refusals (a body that is not JSON, a value of the wrong type,
/// a query value that does not parse) into RFC 9457 problems that name the field and where
/// in the body it went wrong, instead of a bare 400. Endpoints see only bodies that bound.
/// </summary>
public sealed partial class BadRequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad) return false;
        // The handler runs with the endpoint cleared; the feature keeps the one that failed.
        var bodyType = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
        var (title, errors) = bad.InnerException is JsonException json ? FromJson(json, bodyType) : FromBinding(bad);
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new HttpValidationProblemDetails(errors) { Status = bad.StatusCode, Title = title },
        });
    }

    /// <summary>"$.account.when.earliest" names the field "account.when.earliest", as the domain's own checks do.</summary>
    public static (string Title, Dictionary<string, string[]> Errors) FromJson(JsonException json, Type? bodyType)
    {
        var field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "(body)";
        var where = json.LineNumber is { } line ? $" (line {line + 1}, position {(json.BytePositionInLine ?? 0) + 1})" : "";
        // The message names the type being built, which for records is the parent, not the
        // field: the field's type is found by walking the path through the body's type.
        if (TypeMismatch().IsMatch(json.Message))
            return ("A value has the wrong type.", new() { [field] = [$"expected {Describe(TypeAt(bodyType, field))}{where}"] });
        var reason = json.Message.Split(" Path: ", 2)[0].Split(" LineNumber: ", 2)[0].TrimEnd();
        return ("The body is not valid JSON.", new() { [field] = [$"not valid JSON{where}: {reason}"] });
    }

    /// <summary>A query or route value that did not parse: the framework's message names the parameter.</summary>
    private static (string Title, Dictionary<string, string[]> Errors) FromBinding(BadHttpRequestException bad)
    {
        if (BindFailure().Match(bad.Message) is { Success: true } m)
            return ("A parameter has the wrong type.", new() { [m.Groups["name"].Value] = [$"'{m.Groups["value"].Value}' is not {Expected(m.Groups["type"].Value)}"] });
        if (RequiredMissing().Match(bad.Message) is { Success: true } r)
            return ("A parameter is missing.", new() { [r.Groups["name"].Value] = [$"{r.Groups["name"].Value} is required"] });
        return (bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => "The body is too large.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON (Content-Type: application/json).",
            _ => "The request could not be read.",
        }, new() { ["(request)"] = [bad.Message] });
    }

    /// <summary>The framework names query parameter types in C# ("Nullable&lt;long&gt;", "int?").</summary>
    private static string Expected(string type) => type.ToLowerInvariant() switch
    {
        var t when t.Contains("int", StringComparison.Ordinal) || t.Contains("long", StringComparison.Ordinal) => "a whole number",
        var t when t.Contains("double", StringComparison.Ordinal) || t.Contains("decimal", StringComparison.Ordinal) => "a number",
        var t when t.Contains("bool", StringComparison.Ordinal) => "true or false",
        var t when t.Contains("date", StringComparison.Ordinal) => "an ISO 8601 date such as 2015-06-12",
        _ => "a " + type,
    };

    /// <summary>The type at a JSON path ("account.actors[0].role") inside <paramref name="type"/>; null when it cannot be followed.</summary>
    private static Type? TypeAt(Type? type, string path)
    {
        foreach (var segment in path.Split('.'))
        {
            if (type is null) return null;
            var name = segment.Split('[')[0];
            type = type.GetProperty(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase)?.PropertyType;
            for (var i = segment.Count(c => c == '['); i > 0 && type is not null; i--) type = ElementOf(type);
        }
        return type;
    }

    private static Type? ElementOf(Type type) => type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string Describe(Type? type)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            null => "a value of another type (see /openapi/v1.json)",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateOnly) => "an ISO 8601 date such as 2015-06-12",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "an ISO 8601 date-time such as 2015-06-12T08:00:00Z",
            { IsEnum: true } => "one of: " + string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.KebabCaseLower.ConvertName)),
            _ when ElementOf(type) is not null => "an array",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"could not be converted to (?<type>\S+?)\. Path:")]
    private static partial Regex TypeMismatch();

    [GeneratedRegex("""Failed to bind parameter "(?<type>.+) (?<name>\w+)" from "(?<value>.*)"\.""")]
    private static partial Regex BindFailure();

    [GeneratedRegex("""Required parameter "(?<type>.+) (?<name>\w+)" was not provided""")]
    private static partial Regex RequiredMissing();
}
