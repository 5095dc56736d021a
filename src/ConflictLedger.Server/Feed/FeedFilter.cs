using System.Text.Json;
using ConflictLedger.Log;

namespace ConflictLedger.Server.Feed;

/// <summary>Which events a live client or a webhook wants: some types, and events at one landmark.</summary>
public sealed record FeedFilter(IReadOnlyCollection<string>? Types, string? Landmark)
{
    public static readonly FeedFilter All = new(null, null);

    public bool Matches(RecordedEvent e) =>
        (Types is not { Count: > 0 } || Types.Contains(e.Type))
        && (Landmark is null || IsAt(e.Data, Landmark));

    /// <summary>Occurrence events name their place in the account: <c>{"account": {"place": "derna"}}</c>.</summary>
    public static bool IsAt(string data, string landmark)
    {
        using var json = JsonDocument.Parse(data);
        return json.RootElement.TryGetProperty("account", out var account)
            && account.ValueKind == JsonValueKind.Object
            && account.TryGetProperty("place", out var place)
            && place.ValueKind == JsonValueKind.String
            && place.ValueEquals(landmark);
    }

    /// <summary>Types from <c>type=a,b</c> and repeated <c>type=</c> parameters; null when none.</summary>
    public static IReadOnlyCollection<string>? ParseTypes(IEnumerable<string?>? values)
    {
        var types = (values ?? [])
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        return types.Count > 0 ? types : null;
    }
}
