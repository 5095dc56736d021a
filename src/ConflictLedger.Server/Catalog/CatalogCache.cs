using ConflictLedger.Control;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Server.Catalog;

/// <summary>
/// The catalog as the read model holds it, reloaded only when the read model has moved
/// on since the last load (the catalog changes rarely; requests resolve names often).
/// </summary>
public sealed class CatalogCache(ControlQueries queries, ReadModelDaemon daemon)
{
    private (EventStore.LogPosition Position, string? Generation, ConflictLedger.Catalog.Catalog Catalog)? cached;

    public async Task<ConflictLedger.Catalog.Catalog> GetAsync(CancellationToken ct)
    {
        var position = daemon.Position;
        if (cached is { } c && c.Position == position && c.Generation == daemon.Generation) return c.Catalog;
        var catalog = new ConflictLedger.Catalog.Catalog(await queries.ActorsAsync(ct), await queries.LandmarksAsync(ct));
        cached = (position, daemon.Generation, catalog);
        return catalog;
    }
}
