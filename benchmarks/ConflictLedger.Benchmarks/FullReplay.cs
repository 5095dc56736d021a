using ConflictLedger.Catalog;
using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.Occurrences;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// The read model's baseline: answers "who controlled everything in this landmark on a
/// day" with no read model at all, by reading the whole log and folding it in memory with
/// the same pure functions the projection uses (<see cref="ControlClaim.From"/>,
/// <see cref="ControlTimeline.Build"/>) and the same knowledge days.
/// </summary>
internal static class FullReplay
{
    /// <returns>Each landmark within <paramref name="within"/> (itself included) and its interval covering <paramref name="at"/>, if any.</returns>
    public static async Task<Dictionary<string, ControlInterval?>> AtAsync(
        LedgerLog store, DateOnly at, DateOnly? known, string within, CancellationToken ct)
    {
        var parents = new Dictionary<string, string?>(StringComparer.Ordinal);
        var claims = new List<ControlClaim>();
        var standing = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        await foreach (var e in store.ReadAllAsync(LogPosition.Start, ct: ct))
        {
            if (e.Type == CatalogEvents.LandmarkType)
            {
                var landmark = Json.Deserialize<LandmarkCataloged>(e.Data).Landmark;
                parents[landmark.Id] = landmark.Parent;
                continue;
            }
            if (OccurrenceEvents.FromStored(e.Type, e.Data) is not { } domain) continue;

            var day = DateOnly.FromDateTime(e.RecordedAt.UtcDateTime);
            if (domain is AccountCorrected or AccountRetracted && standing.Remove(domain.AccountId, out var replaced))
            {
                foreach (var i in replaced) claims[i] = claims[i] with { SupersededFrom = day };
            }
            var (account, knownFrom) = domain switch
            {
                AccountReported r => (r.Account, ControlClaim.KnowableFrom(r.Account.Source, day)),
                AccountCorrected c => (c.Account, day),
                _ => ((Account?)null, day),
            };
            if (account is not null && ControlClaim.From(e.Id, e.Position.Value, domain.OccurrenceId, domain.AccountId, account, knownFrom) is { } claim)
            {
                if (!standing.TryGetValue(domain.AccountId, out var versions)) standing[domain.AccountId] = versions = [];
                versions.Add(claims.Count);
                claims.Add(claim);
            }
        }

        var inside = Within(parents, within);
        var found = claims
            .Where(c => inside.Contains(c.Landmark) && (known is { } k ? c.StandsOn(k) : c.SupersededFrom is null))
            .GroupBy(c => c.Landmark, StringComparer.Ordinal)
            .Select(g => ControlTimeline.Build(g.Key, g).FirstOrDefault(i => i.Covers(at)))
            .OfType<ControlInterval>()
            .ToDictionary(i => i.Landmark, StringComparer.Ordinal);
        return inside.ToDictionary(id => id, id => found.GetValueOrDefault(id), StringComparer.Ordinal);
    }

    private static HashSet<string> Within(Dictionary<string, string?> parents, string root)
    {
        var inside = new HashSet<string>(StringComparer.Ordinal) { root };
        var children = parents.Where(p => p.Value is not null).ToLookup(p => p.Value!, p => p.Key, StringComparer.Ordinal);
        var queue = new Queue<string>([root]);
        while (queue.TryDequeue(out var next))
        {
            foreach (var child in children[next])
                if (inside.Add(child)) queue.Enqueue(child);
        }
        return inside;
    }
}
