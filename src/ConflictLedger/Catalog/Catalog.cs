namespace ConflictLedger.Catalog;

/// <summary>
/// The actors and landmarks the ledger knows, and every name they go by. Immutable:
/// adding an entry returns a new catalog.
/// </summary>
public sealed class Catalog
{
    private readonly Dictionary<string, Actor> actors;
    private readonly Dictionary<string, Landmark> landmarks;
    private readonly Dictionary<string, string> actorByAlias;
    private readonly Dictionary<string, string> landmarkByAlias;

    public static readonly Catalog Empty = new([], []);

    public Catalog(IEnumerable<Actor> actors, IEnumerable<Landmark> landmarks)
    {
        this.actors = actors.ToDictionary(a => a.Id, StringComparer.Ordinal);
        this.landmarks = landmarks.ToDictionary(l => l.Id, StringComparer.Ordinal);
        actorByAlias = IndexAliases(this.actors.Values.Select(a => (a.Id, Names: a.Aliases.Prepend(a.Name).Prepend(a.Id).Append(a.AcledName))), "actor");
        landmarkByAlias = IndexAliases(this.landmarks.Values.Select(l => (l.Id, Names: l.Aliases.Prepend(l.Name).Prepend(l.Id).Select(n => (string?)n))), "landmark");
        foreach (var landmark in this.landmarks.Values)
        {
            if (landmark.Parent is { } parent && !this.landmarks.ContainsKey(parent))
                throw new CatalogException($"Landmark '{landmark.Id}' names the parent '{parent}', which is not in the catalog.");
        }
        foreach (var actor in this.actors.Values)
        {
            if (actor.MemberOf is { } group && !this.actors.ContainsKey(group))
                throw new CatalogException($"Actor '{actor.Id}' is a member of '{group}', which is not in the catalog.");
        }
    }

    public IReadOnlyCollection<Actor> Actors => actors.Values;
    public IReadOnlyCollection<Landmark> Landmarks => landmarks.Values;

    public Actor? Actor(string id) => actors.GetValueOrDefault(id);
    public Landmark? Landmark(string id) => landmarks.GetValueOrDefault(id);

    /// <summary>The actor a name refers to (any alias, the id, the ACLED name), or null.</summary>
    public Actor? FindActor(string name) => actorByAlias.TryGetValue(AliasKey.Of(name), out var id) ? actors[id] : null;

    public Landmark? FindLandmark(string name) => landmarkByAlias.TryGetValue(AliasKey.Of(name), out var id) ? landmarks[id] : null;

    public IEnumerable<Landmark> ChildrenOf(string landmarkId) => landmarks.Values.Where(l => l.Parent == landmarkId);

    /// <summary>The landmark and everything inside it, at any depth.</summary>
    public IEnumerable<Landmark> Within(string landmarkId)
    {
        if (Landmark(landmarkId) is not { } root) yield break;
        var queue = new Queue<Landmark>([root]);
        while (queue.TryDequeue(out var next))
        {
            yield return next;
            foreach (var child in ChildrenOf(next.Id)) queue.Enqueue(child);
        }
    }

    /// <summary>Ancestors from the parent up (the hospital's are Derna, then Libya).</summary>
    public IEnumerable<Landmark> AncestorsOf(string landmarkId)
    {
        var seen = new HashSet<string>();
        for (var current = Landmark(landmarkId); current?.Parent is { } parent && seen.Add(parent);)
        {
            current = Landmark(parent);
            if (current is not null) yield return current;
        }
    }

    /// <summary>This catalog with every entry of <paramref name="other"/> added or replacing its namesake.</summary>
    public Catalog With(Catalog other) => new(
        actors.Values.Where(a => other.Actor(a.Id) is null).Concat(other.Actors),
        landmarks.Values.Where(l => other.Landmark(l.Id) is null).Concat(other.Landmarks));

    // A new entry (an ACLED import adds thousands, row by row) copies the indexes and keys
    // its own names, instead of keying every name of the catalog again (that cost a
    // 7,000-row import 12 s, measured). Same result, order and refusals as the constructor;
    // a revised entry, which moves to the end, takes the constructor.
    public Catalog With(Actor actor)
    {
        if (actors.ContainsKey(actor.Id)) return new(actors.Values.Where(a => a.Id != actor.Id).Append(actor), landmarks.Values);
        if (actor.MemberOf is { } group && group != actor.Id && !actors.ContainsKey(group))
            throw new CatalogException($"Actor '{actor.Id}' is a member of '{group}', which is not in the catalog.");
        var byAlias = Reindex(actorByAlias, actor.Id, actor.Aliases.Prepend(actor.Name).Prepend(actor.Id).Append(actor.AcledName), "actor");
        return new Catalog(new Dictionary<string, Actor>(actors, StringComparer.Ordinal) { [actor.Id] = actor }, landmarks, byAlias, landmarkByAlias);
    }

    public Catalog With(Landmark landmark)
    {
        if (landmarks.ContainsKey(landmark.Id)) return new(actors.Values, landmarks.Values.Where(l => l.Id != landmark.Id).Append(landmark));
        if (landmark.Parent is { } parent && parent != landmark.Id && !landmarks.ContainsKey(parent))
            throw new CatalogException($"Landmark '{landmark.Id}' names the parent '{parent}', which is not in the catalog.");
        var byAlias = Reindex(landmarkByAlias, landmark.Id, landmark.Aliases.Prepend(landmark.Name).Prepend(landmark.Id).Select(n => (string?)n), "landmark");
        return new Catalog(actors, new Dictionary<string, Landmark>(landmarks, StringComparer.Ordinal) { [landmark.Id] = landmark }, actorByAlias, byAlias);
    }

    private Catalog(
        Dictionary<string, Actor> actors, Dictionary<string, Landmark> landmarks,
        Dictionary<string, string> actorByAlias, Dictionary<string, string> landmarkByAlias)
    {
        this.actors = actors;
        this.landmarks = landmarks;
        this.actorByAlias = actorByAlias;
        this.landmarkByAlias = landmarkByAlias;
    }

    /// <summary>The index with a new entry's names.</summary>
    private static Dictionary<string, string> Reindex(Dictionary<string, string> index, string id, IEnumerable<string?> names, string what)
    {
        var copy = new Dictionary<string, string>(index, StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name)) continue;
            var key = AliasKey.Of(name);
            if (key.Length == 0) continue;
            if (copy.TryGetValue(key, out var other) && other != id)
                throw new CatalogException($"The {what} name '{name}' would mean both '{other}' and '{id}': make it an alias of one only.");
            copy[key] = id;
        }
        return copy;
    }

    private static Dictionary<string, string> IndexAliases(IEnumerable<(string Id, IEnumerable<string?> Names)> entries, string what, Dictionary<string, string>? into = null)
    {
        var index = into ?? new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, names) in entries)
        {
            foreach (var name in names)
            {
                if (string.IsNullOrWhiteSpace(name)) continue;
                var key = AliasKey.Of(name);
                if (key.Length == 0) continue;
                if (index.TryGetValue(key, out var other) && other != id)
                    throw new CatalogException($"The {what} name '{name}' would mean both '{other}' and '{id}': make it an alias of one only.");
                index[key] = id;
            }
        }
        return index;
    }
}

public sealed class CatalogException(string message) : Exception(message);
