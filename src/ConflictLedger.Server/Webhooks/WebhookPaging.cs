using System.Globalization;

namespace ConflictLedger.Server.Webhooks;

/// <summary>
/// Where a page of <c>GET /api/webhooks</c> ends: the last webhook's creation time and id.
/// The list keeps the order it always had (creation order), so the cursor carries both and
/// still places the next page when that webhook was deleted in between.
/// </summary>
public readonly record struct WebhookCursor(DateTimeOffset CreatedAt, Guid Id)
{
    // PostgreSQL keeps microseconds: six digits round-trip exactly.
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static WebhookCursor Of(Webhook hook) => new(hook.CreatedAt, hook.Id);

    public override string ToString() =>
        $"{CreatedAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}_{Id:D}";

    public static WebhookCursor? Parse(string text) =>
        text.Split('_') is [var time, var id]
        && DateTime.TryParseExact(time, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
        && Guid.TryParseExact(id, "D", out var guid)
            ? new WebhookCursor(new DateTimeOffset(at, TimeSpan.Zero), guid)
            : null;
}

/// <summary>Where a page of a webhook's delivery records (latest first) ends: the last record's id.</summary>
public static class DeliveryCursor
{
    public static long? Parse(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}
