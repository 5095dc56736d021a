using ConflictLedger.Control;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Server.Catalog;

/// <summary>
/// The catalog as the read model holds it, reloaded only when the read model has projected
/// a catalog change (or a rebuilt generation became active): requests resolve names often, the
/// catalog changes rarely.
/// </summary>
public sealed class CatalogCache(ControlQueries queries, ReadModelStore readModels)
{
    private (long Revision, string Generation, ConflictLedger.Catalog.Catalog Catalog)? cached;

    public async Task<ConflictLedger.Catalog.Catalog> GetAsync(CancellationToken ct)
    {
        var (generation, revision) = await readModels.CatalogRevisionAsync(ct);
        if (cached is { } c && c.Revision == revision && c.Generation == generation) return c.Catalog;
        var catalog = new ConflictLedger.Catalog.Catalog(await queries.ActorsAsync(ct), await queries.LandmarksAsync(ct));
        cached = (revision, generation, catalog);
        return catalog;
    }

    /// <summary>
    /// The landmark id a filter means: an alias ("Darna") becomes its id; a name the catalog
    /// does not hold (yet) is kept as given, so a filter set up before its landmark is
    /// cataloged still matches the id.
    /// </summary>
    public async Task<string> IdOfLandmarkAsync(string name, CancellationToken ct)
    {
        var catalog = await GetAsync(ct);
        return catalog.Landmark(name)?.Id ?? catalog.FindLandmark(name)?.Id ?? name;
    }
}
