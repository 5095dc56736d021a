using System.Text.Json;
using ConflictLedger.Control;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>
/// A claim as the read model stores it: its row's columns hold its ids, position, landmark,
/// window and knowledge days, its document the rest (what it says, who says it). Written in
/// both, they were 43% of a claim document; a rebuild writes 923,052 of them, scans the table
/// once per index it builds and reads the standing ones back. Every query reads the document
/// with the columns (<see cref="Columns"/>) and puts the claim together here (<see cref="Row"/>).
/// Rows written before hold the whole document; it reads the same.
/// </summary>
internal static class StoredClaim
{
    private static readonly JsonSerializerOptions Options = Json.StoredWithout<ControlClaim>(
        nameof(ControlClaim.EventId), nameof(ControlClaim.Position), nameof(ControlClaim.OccurrenceId), nameof(ControlClaim.AccountId),
        nameof(ControlClaim.Landmark), nameof(ControlClaim.KnownFrom), nameof(ControlClaim.SupersededFrom),
        nameof(ControlClaim.Earliest), nameof(ControlClaim.Latest));

    public static string Document(ControlClaim claim) => JsonSerializer.Serialize(claim, Options);

    public static PooledJson Pooled(ControlClaim claim) => PooledJson.Of(claim, Options);

    /// <summary>The columns of row <paramref name="c"/> a claim is read from, in <see cref="Row.Of"/>'s order.</summary>
    public static string Columns(string c) =>
        $"{c}.claim, {c}.event_id, {c}.position, {c}.occurrence_id, {c}.account_id, {c}.landmark, {c}.known_from, {c}.superseded_from, {c}.earliest, {c}.latest";

    /// <summary>The claim's row, as <see cref="ReadModelSql.CopyClaims"/> takes it, with its stored document (<see cref="Pooled"/>).</summary>
    public static void Copy(BinaryCopy copy, ControlClaim claim, ReadOnlySpan<byte> document)
    {
        copy.StartRow(10);
        copy.Uuid(claim.EventId);
        copy.Text(claim.Landmark);
        copy.Int64(claim.Position);
        copy.Text(claim.OccurrenceId);
        copy.Text(claim.AccountId);
        copy.Text(document);
        copy.Date(claim.KnownFrom);
        copy.DateOrNull(claim.SupersededFrom);
        copy.Date(claim.Earliest);
        copy.Date(claim.Latest);
    }

    /// <summary>A claim's row as read (<see cref="Columns"/>), to be put together (<see cref="ToClaim"/>) on any thread.</summary>
    public readonly record struct Row(
        string Document, Guid EventId, long Position, string OccurrenceId, string AccountId, string Landmark,
        DateOnly KnownFrom, DateOnly? SupersededFrom, DateOnly? Earliest, DateOnly? Latest)
    {
        /// <summary>The row from the reader's columns <paramref name="first"/> on; null when they are null (an outer join's).</summary>
        public static Row? IfAny(NpgsqlDataReader reader, int first) => reader.IsDBNull(first) ? null : Of(reader, first);

        /// <summary>The row from the reader's columns <paramref name="first"/> on.</summary>
        public static Row Of(NpgsqlDataReader reader, int first = 0) => new(
            reader.GetString(first), reader.GetGuid(first + 1), reader.GetInt64(first + 2), reader.GetString(first + 3), reader.GetString(first + 4),
            reader.GetString(first + 5), reader.GetFieldValue<DateOnly>(first + 6), Date(reader, first + 7), Date(reader, first + 8), Date(reader, first + 9));

        /// <summary>
        /// The claim: its document, what the columns hold put back. A row without its window
        /// columns (an older node wrote it, with the whole document) keeps the document's window.
        /// </summary>
        public ControlClaim ToClaim()
        {
            var claim = Json.Deserialize<ControlClaim>(Document);
            return Complete(claim, EventId, Position, OccurrenceId, AccountId, Landmark, KnownFrom, Earliest ?? claim.Earliest, Latest ?? claim.Latest, SupersededFrom);
        }

        private static DateOnly? Date(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);
    }

    /// <summary>The standing claim from its stored document (UTF-8) and the values its row's columns hold.</summary>
    public static ControlClaim Read(ReadOnlySpan<byte> document, Guid eventId, long position, string occurrenceId, string accountId,
        string landmark, DateOnly knownFrom, DateOnly earliest, DateOnly latest) =>
        Complete(Json.Deserialize<ControlClaim>(document), eventId, position, occurrenceId, accountId, landmark, knownFrom, earliest, latest, null);

    private static ControlClaim Complete(ControlClaim body, Guid eventId, long position, string occurrenceId, string accountId,
        string landmark, DateOnly knownFrom, DateOnly earliest, DateOnly latest, DateOnly? supersededFrom) =>
        body with
        {
            EventId = eventId, Position = position, OccurrenceId = occurrenceId, AccountId = accountId,
            Landmark = landmark, KnownFrom = knownFrom, Earliest = earliest, Latest = latest, SupersededFrom = supersededFrom,
        };
}
