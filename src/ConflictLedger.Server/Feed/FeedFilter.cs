using System.Text.Json;
using ConflictLedger.Catalog;
using ConflictLedger.EventStore;
using ConflictLedger.Occurrences;

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

    /// <summary>Every event type the ledger writes: a filter naming another would silently match nothing.</summary>
    public static readonly IReadOnlySet<string> KnownTypes =
        OccurrenceEvents.AllTypes.Concat(CatalogEvents.Types).ToHashSet(StringComparer.Ordinal);

    /// <summary>Why the types cannot filter the log (one is not a type the ledger writes), or null.</summary>
    public static string? TypesProblem(IEnumerable<string>? types) =>
        types?.FirstOrDefault(t => !KnownTypes.Contains(t)) is { } unknown
            ? $"'{(unknown.Length > 80 ? unknown[..80] + "…" : unknown)}' is not an event type of this ledger: use one of {string.Join(", ", KnownTypes.Order(StringComparer.Ordinal))}"
            : null;

    /// <summary>
    /// Why the landmark cannot filter the log (no catalog entry has that id), or null. The
    /// projected catalog answers first; a landmark cataloged a moment ago may not be
    /// projected yet, so the log has the last word.
    /// </summary>
    public static async Task<string?> LandmarkProblemAsync(string? landmark, Server.Catalog.CatalogCache catalog, EventStore.EventStore store, CancellationToken ct)
    {
        if (landmark is null || (await catalog.GetAsync(ct)).Landmark(landmark) is not null) return null;
        if ((await CatalogLedger.LoadAsync(store, ct)).Catalog.Landmark(landmark) is not null) return null;
        return $"'{(landmark.Length > 80 ? landmark[..80] + "…" : landmark)}' is not a landmark id in the catalog (GET /api/catalog/landmarks lists them)";
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
