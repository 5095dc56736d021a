using System.Text.Json;
using ConflictLedger.Control;
using Npgsql;

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

    /// <summary>
    /// A row's document and the columns <see cref="Read(NpgsqlDataReader)"/> takes, for a query
    /// that reads many claims: put together here, not in SQL (<c>ReadModelSql.Claim</c> cost
    /// "as known on K" queries about half as much time again, measured).
    /// </summary>
    public static string Columns(string c) =>
        $"{c}.claim, {c}.event_id, {c}.position, {c}.occurrence_id, {c}.account_id, {c}.landmark, {c}.known_from, {c}.earliest, {c}.latest";

    /// <summary>
    /// The claim in the reader's row (<see cref="Columns"/>). A row written before holds the
    /// whole document; one without its window columns (an older node's) keeps the document's.
    /// </summary>
    public static ControlClaim Read(NpgsqlDataReader row)
    {
        var claim = Json.Deserialize<ControlClaim>(row.GetString(0));
        return claim with
        {
            EventId = row.GetGuid(1), Position = row.GetInt64(2), OccurrenceId = row.GetString(3), AccountId = row.GetString(4),
            Landmark = row.GetString(5), KnownFrom = row.GetFieldValue<DateOnly>(6),
            Earliest = row.IsDBNull(7) ? claim.Earliest : row.GetFieldValue<DateOnly>(7),
            Latest = row.IsDBNull(8) ? claim.Latest : row.GetFieldValue<DateOnly>(8),
        };
    }

    /// <summary>The claim from its stored document and the values of its row's columns.</summary>
    public static ControlClaim Read(ReadOnlySpan<byte> document, Guid eventId, long position, string occurrenceId, string accountId,
        string landmark, DateOnly knownFrom, DateOnly earliest, DateOnly latest) =>
        Json.Deserialize<ControlClaim>(document) with
        {
            EventId = eventId, Position = position, OccurrenceId = occurrenceId, AccountId = accountId,
            Landmark = landmark, KnownFrom = knownFrom, Earliest = earliest, Latest = latest,
        };
}
