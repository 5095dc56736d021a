using ConflictLedger.Control;

namespace ConflictLedger.ReadModel;

/// <summary>
/// A rebuild's standing claims, landmark by landmark, kept for the intervals derived at the end
/// of its pass as the documents written to <c>control_claims</c> (UTF-8 JSON) in large buffers,
/// not as objects: every object kept to the end survives the pass's collections and is copied
/// as it ages. Kept as objects, the 861,340 standing claims of a 1,000,000-event rebuild were
/// about 1 GB to carry and its GC pauses 3.7 s; kept so, 1.4 s (the same benchmark, one run
/// after the other), for 3.4 s of thread time (on both cores) reading them back. They are read
/// back from their documents as the page-by-page rebuild reads them from the table
/// (<see cref="ReadModelWriter"/>'s <c>RecomputeAllIntervalsAsync</c>).
/// </summary>
/// <remarks>Filled by one writer; read, on every core, once it is full.</remarks>
internal sealed class StandingClaimDocuments
{
    /// <summary>Large enough to go to the large object heap, which is never compacted by default.</summary>
    private const int BufferSize = 4 * 1024 * 1024;

    private readonly List<byte[]> buffers = [];
    private int used;
    /// <summary>Where each landmark's documents are: values only, which a collection does not look into.</summary>
    private readonly Dictionary<string, List<(int Buffer, int Offset, int Length)>> byLandmark = new(StringComparer.Ordinal);

    public void Add(string landmark, ReadOnlySpan<byte> document)
    {
        if (buffers.Count == 0 || buffers[^1].Length - used < document.Length)
        {
            buffers.Add(new byte[Math.Max(BufferSize, document.Length)]);
            used = 0;
        }
        document.CopyTo(buffers[^1].AsSpan(used));
        if (!byLandmark.TryGetValue(landmark, out var documents)) byLandmark[landmark] = documents = [];
        documents.Add((buffers.Count - 1, used, document.Length));
        used += document.Length;
    }

    /// <summary>The landmarks with a standing claim, in ordinal order.</summary>
    public List<string> Landmarks() => byLandmark.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The standing claims of <paramref name="landmark"/>, read from their documents.</summary>
    public List<ControlClaim> Of(string landmark) =>
        byLandmark[landmark].Select(d => Json.Deserialize<ControlClaim>(buffers[d.Buffer].AsSpan(d.Offset, d.Length))).ToList();
}
