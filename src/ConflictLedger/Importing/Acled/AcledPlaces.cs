using ConflictLedger.Catalog;

namespace ConflictLedger.Importing.Acled;

/// <summary>
/// Where an ACLED row happened, as a catalog landmark nested the way ACLED nests it:
/// country, ADMIN1, ADMIN2, ADMIN3, location. Rules:
/// <list type="bullet">
/// <item>An admin area named like a city of the catalog is that city (ADMIN2 "Darnah" is
/// Derna, so Al-Fatayah nests under Derna); any other admin area is a landmark of its own
/// (kind "admin1".."admin3", named "Darnah (admin1)"; its id is the chain,
/// "libya-al-qubbah"), so a town and the district of the same name stay apart.</item>
/// <item>A location the catalog knows by name is that place, unless both have coordinates
/// more than about 10 km apart: then it is another place of the same name, filed under its
/// own admin area.</item>
/// <item>A new location keeps ACLED's coordinates (the row keeps its geo-precision).</item>
/// </list>
/// </summary>
public static class AcledPlaces
{
    public const string LocationKind = "town";

    /// <summary>About 10 km in degrees of latitude: closer than this, two places of one name are one place.</summary>
    private const double SamePlaceDegrees = 0.1;

    /// <returns>The place, and the catalog with every landmark it took to file it (also appended to <paramref name="added"/>).</returns>
    public static (Catalog.Catalog Catalog, Landmark Place) Locate(Catalog.Catalog catalog, AcledRow row, List<Landmark> added)
    {
        Landmark Add(Landmark landmark)
        {
            catalog = catalog.With(landmark);
            added.Add(landmark);
            return landmark;
        }

        Landmark? parent = null;
        if (row.Country?.Trim() is { Length: > 0 } country)
            parent = catalog.FindLandmark(country) ?? Add(new Landmark(
                AcledMapping.UniqueId(country, id => catalog.Landmark(id) is not null), country, "country", null, null, null, []));

        var written = parent?.Name;
        foreach (var (level, text) in new[] { ("admin1", row.Admin1), ("admin2", row.Admin2), ("admin3", row.Admin3) })
        {
            if (text?.Trim() is not { Length: > 0 } name) continue;
            var id = AcledMapping.Slug(parent is null ? name : $"{parent.Id} {name}");
            var area = catalog.Landmark(id)
                ?? (catalog.FindLandmark(name) is { Kind: "city" } city ? city : null);
            if (area is null)
            {
                var label = $"{name} ({level})";
                if (catalog.FindLandmark(label) is not null) label = $"{name} ({level} of {written})";
                if (catalog.FindLandmark(label) is not null) label = $"{name} ({id})";
                area = Add(new Landmark(id, label, level, parent?.Id, null, null, []));
            }
            parent = area;
            written = name;
        }

        var location = row.Location.Trim();
        var known = catalog.FindLandmark(location);
        if (known is not null && !FarApart(known, row)) return (catalog, known);
        var newName = known is null ? location : $"{location} ({written ?? row.Country?.Trim()})";
        if (catalog.FindLandmark(newName) is { } same && !FarApart(same, row)) return (catalog, same);
        // Further places of that name were filed as "Town (town-district-2)", "-3"...: a row near one of them is that place.
        var slug = AcledMapping.Slug(newName);
        for (var n = 2; catalog.Landmark($"{slug}-{n}") is { } filed; n++)
            if (filed.Name == $"{location} ({filed.Id})" && !FarApart(filed, row)) return (catalog, filed);
        var newId = AcledMapping.UniqueId(newName, id => catalog.Landmark(id) is not null);
        if (catalog.FindLandmark(newName) is not null) newName = $"{location} ({newId})";
        var place = Add(new Landmark(newId, newName, LocationKind, parent?.Id, row.Latitude, row.Longitude, []));
        return (catalog, place);
    }

    private static bool FarApart(Landmark known, AcledRow row) =>
        known.Lat is { } lat && known.Lon is { } lon && row.Latitude is { } rowLat && row.Longitude is { } rowLon
        && (Math.Abs(lat - rowLat) > SamePlaceDegrees || Math.Abs(lon - rowLon) > SamePlaceDegrees);
}
