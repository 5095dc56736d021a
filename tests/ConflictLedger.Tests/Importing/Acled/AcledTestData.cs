using ConflictLedger.Catalog;
using ConflictLedger.Importing.Acled;

namespace ConflictLedger.Tests.Importing.Acled;

/// <summary>The test files in <c>Data/</c>, the repository's catalog and the shared original of the sample.</summary>
internal static class AcledTestData
{
    public const string Sample = "acled-2016-darnah-sample.csv";
    public const string CurrentLayout = "acled-current-layout.csv";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static ConflictLedger.Catalog.Catalog Catalog { get; } = LoadCatalog();

    /// <summary>A file from <c>Data/</c>: copied next to the test assembly when the build copies it, else from the source tree.</summary>
    public static byte[] Bytes(string name)
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "Importing", "Acled", "Data", name);
        var path = File.Exists(copied) ? copied : Path.Combine(RepoRoot, "tests", "ConflictLedger.Tests", "Importing", "Acled", "Data", name);
        return File.ReadAllBytes(path);
    }

    /// <summary>The original in <c>shared/data/</c> beside the repository (or beside a folder holding it), when there is one.</summary>
    public static string? SharedSample()
    {
        for (var dir = Directory.GetParent(RepoRoot); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "data", Sample);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>A row in Derna between the Islamic State and the Shura Council; tests vary it with <c>with</c>.</summary>
    public static AcledRow Row(string eventType, string? subEventType = null, string? notes = null) => new(
        Line: 2, subEventType is null ? AcledLayout.Pre2019 : AcledLayout.Current, "LBY1", new DateOnly(2016, 1, 20), 1, null,
        eventType, subEventType, "Islamic State (Cyrenaica Province)", null, "2", "Shura Council of Darnah Mujahidin", null, "3", "23",
        null, null, null, "Libya", "Darnah", "Darnah", null, "Darna", 32.76704, 22.63669, 1, "Libya Herald", null, notes, 0, null, null);

    public static string ReadCatalogFile(string name) => File.ReadAllText(Path.Combine(RepoRoot, "events", "catalog", name));

    private static ConflictLedger.Catalog.Catalog LoadCatalog() => new(
        Json.Deserialize<ActorsFile>(ReadCatalogFile("actors.json")).Actors,
        Json.Deserialize<LandmarksFile>(ReadCatalogFile("landmarks.json")).Landmarks);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConflictLedger.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No ConflictLedger.sln above {AppContext.BaseDirectory}.");
    }

    private sealed record ActorsFile(IReadOnlyList<Actor> Actors);

    private sealed record LandmarksFile(IReadOnlyList<Landmark> Landmarks);
}
