using System.Globalization;
using ConflictLedger.Log;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Server.Control;

/// <summary>Reads the query string parameters the read API shares, collecting field-level errors.</summary>
internal sealed class QueryParameters
{
    public Dictionary<string, string[]> Errors { get; } = [];

    /// <summary>An ISO 8601 day or instant ("2015-06-12", "2015-06-12T08:00:00Z"), as a UTC day.</summary>
    public DateOnly? Date(string name, string? text, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required) Errors[name] = [$"{name} is required: an ISO 8601 date such as 2015-06-12"];
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            return DateOnly.FromDateTime(instant.UtcDateTime);
        Errors[name] = [$"'{text}' is not an ISO 8601 date (2015-06-12) or date-time (2015-06-12T08:00:00Z)"];
        return null;
    }

    /// <summary>
    /// "At least position P": waits (bounded) until the read model has projected P.
    /// Returns an error result to send instead of the answer, or null to go on.
    /// </summary>
    public static async Task<IResult?> WaitForAsync(long? minPosition, LedgerLog store, ReadModelDaemon daemon, CancellationToken ct)
    {
        if (minPosition is not { } p) return null;
        if (p < 0 || await store.ResolveAsync(p, ct) is not { } target)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["minPosition"] = [$"no event has position {p}: pass a position a write returned"] });
        try
        {
            await daemon.WaitForAsync(target, TimeSpan.FromSeconds(10), ct);
            return null;
        }
        catch (TimeoutException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The read model has not caught up yet",
                extensions: new Dictionary<string, object?> { ["minPosition"] = p, ["position"] = daemon.Position.Value });
        }
    }
}
