using System.Text.Json;
using ConflictLedger.Control;

namespace ConflictLedger.ReadModel;

/// <summary>
/// A claim as the read model stores it: its row's columns hold its ids, position, landmark,
/// window and knowledge days, its document the rest (what it says, who says it). Written in
/// both, they were 43% of a claim document; a rebuild writes 923,052 of them, scans the table
/// once per index it builds and reads the standing ones back. Every query reads the whole
/// document, the columns written back into it by <see cref="ReadModelSql"/> (<c>Claim</c>);
/// rows written before hold it whole already.
/// </summary>
internal static class StoredClaim
{
    private static readonly JsonSerializerOptions Options = Json.StoredWithout<ControlClaim>(
        nameof(ControlClaim.EventId), nameof(ControlClaim.Position), nameof(ControlClaim.OccurrenceId), nameof(ControlClaim.AccountId),
        nameof(ControlClaim.Landmark), nameof(ControlClaim.KnownFrom), nameof(ControlClaim.SupersededFrom),
        nameof(ControlClaim.Earliest), nameof(ControlClaim.Latest));

    public static string Document(ControlClaim claim) => JsonSerializer.Serialize(claim, Options);

    public static PooledJson Pooled(ControlClaim claim) => PooledJson.Of(claim, Options);

    /// <summary>The claim from its stored document and the values of its row's columns.</summary>
    public static ControlClaim Read(ReadOnlySpan<byte> document, Guid eventId, long position, string occurrenceId, string accountId,
        string landmark, DateOnly knownFrom, DateOnly earliest, DateOnly latest) =>
        Json.Deserialize<ControlClaim>(document) with
        {
            EventId = eventId, Position = position, OccurrenceId = occurrenceId, AccountId = accountId,
            Landmark = landmark, KnownFrom = knownFrom, Earliest = earliest, Latest = latest,
        };
}
