using System.Buffers.Binary;
using System.Text;
using ConflictLedger.Control;

namespace ConflictLedger.ReadModel;

/// <summary>
/// A rebuild's standing claims, landmark by landmark, kept for the intervals derived at the end
/// of its pass as the rows written to <c>control_claims</c> (the stored document, UTF-8 JSON,
/// after the values of the columns that hold the rest, <see cref="StoredClaim"/>) in large
/// buffers, not as objects: every object kept to the end survives the pass's collections and
/// is copied as it ages. Kept as objects, the 861,340 standing claims of a 1,000,000-event
/// rebuild were about 1 GB to carry and its GC pauses 3.7 s; kept so, 1.4 s (the same benchmark,
/// one run after the other), for 3.4 s of thread time (on both cores) reading them back. They
/// are read back as the page-by-page rebuild reads them from the table
/// (<see cref="ReadModelWriter"/>'s <c>RecomputeAllIntervalsAsync</c>).
/// </summary>
/// <remarks>Filled by one writer; read, on every core, once it is full.</remarks>
internal sealed class StandingClaimDocuments
{
    /// <summary>Large enough to go to the large object heap, which is never compacted by default.</summary>
    private const int BufferSize = 4 * 1024 * 1024;

    private readonly List<byte[]> buffers = [];
    private int used;
    /// <summary>Where each landmark's claims are: values only, which a collection does not look into.</summary>
    private readonly Dictionary<string, List<(int Buffer, int Offset, int Length)>> byLandmark = new(StringComparer.Ordinal);

    /// <summary>Keeps <paramref name="claim"/> as its row: the columns' values, then <paramref name="document"/>.</summary>
    public void Add(ControlClaim claim, ReadOnlySpan<byte> document)
    {
        var length = 16 + 8 + 3 * 4 + Text(claim.OccurrenceId) + Text(claim.AccountId) + document.Length;
        if (buffers.Count == 0 || buffers[^1].Length - used < length)
        {
            buffers.Add(new byte[Math.Max(BufferSize, length)]);
            used = 0;
        }
        var row = buffers[^1].AsSpan(used, length);
        claim.EventId.TryWriteBytes(row);
        BinaryPrimitives.WriteInt64LittleEndian(row[16..], claim.Position);
        BinaryPrimitives.WriteInt32LittleEndian(row[24..], claim.KnownFrom.DayNumber);
        BinaryPrimitives.WriteInt32LittleEndian(row[28..], claim.Earliest.DayNumber);
        BinaryPrimitives.WriteInt32LittleEndian(row[32..], claim.Latest.DayNumber);
        var rest = WriteText(row[36..], claim.OccurrenceId);
        rest = WriteText(rest, claim.AccountId);
        document.CopyTo(rest);
        if (!byLandmark.TryGetValue(claim.Landmark, out var rows)) byLandmark[claim.Landmark] = rows = [];
        rows.Add((buffers.Count - 1, used, length));
        used += length;
    }

    /// <summary>The landmarks with a standing claim, in ordinal order.</summary>
    public List<string> Landmarks() => byLandmark.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The standing claims of <paramref name="landmark"/>, read from their rows.</summary>
    public List<ControlClaim> Of(string landmark) =>
        byLandmark[landmark].Select(d => Read(landmark, buffers[d.Buffer].AsSpan(d.Offset, d.Length))).ToList();

    private static ControlClaim Read(string landmark, ReadOnlySpan<byte> row)
    {
        var rest = ReadText(row[36..], out var occurrenceId);
        rest = ReadText(rest, out var accountId);
        return StoredClaim.Read(rest, new Guid(row[..16]), BinaryPrimitives.ReadInt64LittleEndian(row[16..]), occurrenceId, accountId, landmark,
            DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(row[24..])),
            DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(row[28..])),
            DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(row[32..])));
    }

    private static int Text(string text) => 4 + Encoding.UTF8.GetByteCount(text);

    private static Span<byte> WriteText(Span<byte> to, string text)
    {
        var length = Encoding.UTF8.GetBytes(text, to[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(to, length);
        return to[(4 + length)..];
    }

    private static ReadOnlySpan<byte> ReadText(ReadOnlySpan<byte> from, out string text)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(from);
        text = Encoding.UTF8.GetString(from.Slice(4, length));
        return from[(4 + length)..];
    }
}
