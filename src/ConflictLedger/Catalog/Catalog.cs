using System.Collections.Immutable;

namespace ConflictLedger.Catalog;

/// <summary>
/// The actors and landmarks the ledger knows, and every name they go by. Immutable:
/// adding an entry returns a new catalog. The maps are persistent (immutable collections),
/// so adding one entry shares the rest instead of copying it: an ACLED import adds
/// thousands, row by row, and copying every map per entry made mapping a 7,000-row file
/// cost 4.4 s, growing with the square of the file (measured).
/// </summary>
public sealed class Catalog
{
    private readonly ImmutableDictionary<string, Actor> actors;
    private readonly ImmutableDictionary<string, Landmark> landmarks;
    private readonly ImmutableDictionary<string, string> actorByAlias;
    private readonly ImmutableDictionary<string, string> landmarkByAlias;

    /// <summary>Entries in the order they were added (the maps keep none).</summary>
    private readonly ImmutableList<string> actorOrder;
    private readonly ImmutableList<string> landmarkOrder;
    private IReadOnlyCollection<Actor>? actorList;
    private IReadOnlyCollection<Landmark>? landmarkList;

    public static readonly Catalog Empty = new([], []);

    public Catalog(IEnumerable<Actor> actors, IEnumerable<Landmark> landmarks)
    {
        var actorList = actors.ToList();
        var landmarkList = landmarks.ToList();
        this.actors = actorList.ToImmutableDictionary(a => a.Id, StringComparer.Ordinal);
        this.landmarks = landmarkList.ToImmutableDictionary(l => l.Id, StringComparer.Ordinal);
        if (this.actors.Count != actorList.Count || this.landmarks.Count != landmarkList.Count)
            throw new ArgumentException("The catalog was given two entries with one id.");
        actorOrder = [.. actorList.Select(a => a.Id)];
        landmarkOrder = [.. landmarkList.Select(l => l.Id)];
        actorByAlias = IndexAliases(actorList.Select(a => (a.Id, Names: a.Aliases.Prepend(a.Name).Prepend(a.Id).Append(a.AcledName))), "actor");
        landmarkByAlias = IndexAliases(landmarkList.Select(l => (l.Id, Names: l.Aliases.Prepend(l.Name).Prepend(l.Id).Select(n => (string?)n))), "landmark");
        foreach (var landmark in landmarkList)
        {
            if (landmark.Parent is { } parent && !this.landmarks.ContainsKey(parent))
                throw new CatalogException($"Landmark '{landmark.Id}' names the parent '{parent}', which is not in the catalog.");
        }
        foreach (var actor in actorList)
        {
            if (actor.MemberOf is { } group && !this.actors.ContainsKey(group))
                throw new CatalogException($"Actor '{actor.Id}' is a member of '{group}', which is not in the catalog.");
        }
    }

    public IReadOnlyCollection<Actor> Actors => actorList ??= [.. actorOrder.Select(id => actors[id])];
    public IReadOnlyCollection<Landmark> Landmarks => landmarkList ??= [.. landmarkOrder.Select(id => landmarks[id])];

    public Actor? Actor(string id) => actors.GetValueOrDefault(id);
    public Landmark? Landmark(string id) => landmarks.GetValueOrDefault(id);

    /// <summary>The actor a name refers to (any alias, the id, the ACLED name), or null.</summary>
    public Actor? FindActor(string name) => actorByAlias.TryGetValue(AliasKey.Of(name), out var id) ? actors[id] : null;

    public Landmark? FindLandmark(string name) => landmarkByAlias.TryGetValue(AliasKey.Of(name), out var id) ? landmarks[id] : null;

    public IEnumerable<Landmark> ChildrenOf(string landmarkId) => Landmarks.Where(l => l.Parent == landmarkId);

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
        Actors.Where(a => other.Actor(a.Id) is null).Concat(other.Actors),
        Landmarks.Where(l => other.Landmark(l.Id) is null).Concat(other.Landmarks));

    // A new entry (an ACLED import adds thousands, row by row) keys only its own names
    // (keying every name of the catalog again cost a 7,000-row import 12 s, measured).
    // Same result, order and refusals as the constructor; a revised entry, which moves to
    // the end, takes the constructor.
    public Catalog With(Actor actor)
    {
        if (actors.ContainsKey(actor.Id)) return new(Actors.Where(a => a.Id != actor.Id).Append(actor), Landmarks);
        if (actor.MemberOf is { } group && group != actor.Id && !actors.ContainsKey(group))
            throw new CatalogException($"Actor '{actor.Id}' is a member of '{group}', which is not in the catalog.");
        var byAlias = Reindex(actorByAlias, actor.Id, actor.Aliases.Prepend(actor.Name).Prepend(actor.Id).Append(actor.AcledName), "actor");
        return new Catalog(actors.Add(actor.Id, actor), actorOrder.Add(actor.Id), landmarks, landmarkOrder, byAlias, landmarkByAlias);
    }

    public Catalog With(Landmark landmark)
    {
        if (landmarks.ContainsKey(landmark.Id)) return new(Actors, Landmarks.Where(l => l.Id != landmark.Id).Append(landmark));
        if (landmark.Parent is { } parent && parent != landmark.Id && !landmarks.ContainsKey(parent))
            throw new CatalogException($"Landmark '{landmark.Id}' names the parent '{parent}', which is not in the catalog.");
        var byAlias = Reindex(landmarkByAlias, landmark.Id, landmark.Aliases.Prepend(landmark.Name).Prepend(landmark.Id).Select(n => (string?)n), "landmark");
        return new Catalog(actors, actorOrder, landmarks.Add(landmark.Id, landmark), landmarkOrder.Add(landmark.Id), actorByAlias, byAlias);
    }

    private Catalog(
        ImmutableDictionary<string, Actor> actors, ImmutableList<string> actorOrder,
        ImmutableDictionary<string, Landmark> landmarks, ImmutableList<string> landmarkOrder,
        ImmutableDictionary<string, string> actorByAlias, ImmutableDictionary<string, string> landmarkByAlias)
    {
        (this.actors, this.actorOrder, this.landmarks, this.landmarkOrder) = (actors, actorOrder, landmarks, landmarkOrder);
        (this.actorByAlias, this.landmarkByAlias) = (actorByAlias, landmarkByAlias);
    }

    /// <summary>The index with a new entry's names.</summary>
    private static ImmutableDictionary<string, string> Reindex(ImmutableDictionary<string, string> index, string id, IEnumerable<string?> names, string what)
    {
        var copy = index;
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name)) continue;
            var key = AliasKey.Of(name);
            if (key.Length == 0) continue;
            if (copy.TryGetValue(key, out var other) && other != id)
                throw new CatalogException($"The {what} name '{name}' would mean both '{other}' and '{id}': make it an alias of one only.");
            copy = copy.SetItem(key, id);
        }
        return copy;
    }

    private static ImmutableDictionary<string, string> IndexAliases(IEnumerable<(string Id, IEnumerable<string?> Names)> entries, string what)
    {
        var index = new Dictionary<string, string>(StringComparer.Ordinal);
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
        return index.ToImmutableDictionary(StringComparer.Ordinal);
    }
}

public sealed class CatalogException(string message) : Exception(message);
