using ConflictLedger.Control;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>A claim an interval cites, and what it says there.</summary>
public sealed record CitedClaim(Guid EventId, string Says);

/// <summary>
/// A control interval as the read model stores it: its evidence names the claims behind it
/// instead of copying them (a copy of every source under every interval made the interval
/// table as large as the log: 54 s of a 1,000,000-event rebuild went to writing it). The
/// row's <c>evidence</c> column lists the cited event ids; a query joins them to
/// <c>control_claims</c> (same landmark) and <see cref="ReadAllAsync"/> gives back the interval
/// <see cref="ControlTimeline.Build"/> derived. Rows written before copied the evidence:
/// script 005 gave them their ids; a row an older node writes during an upgrade, with no
/// ids, is read from its copies. The document leaves out what the row's columns hold (its
/// landmark, days, controller and status: a sixth of it); it is read with them (<see cref="ReadAllAsync"/>).
/// </summary>
public sealed record StoredInterval(
    string Landmark,
    DateOnly? From,
    DateOnly? To,
    string? Controller,
    ControlStatus Status,
    IReadOnlyList<string> Candidates,
    IReadOnlyList<CitedClaim> Evidence,
    AgreedWindow? Change = null)
{
    private static readonly System.Text.Json.JsonSerializerOptions Options = Json.StoredWithout<StoredInterval>(
        nameof(Landmark), nameof(From), nameof(To), nameof(Controller), nameof(Status));

    /// <summary>The document a row stores.</summary>
    public string Document() => System.Text.Json.JsonSerializer.Serialize(this, Options);

    internal PooledJson Pooled() => PooledJson.Of(this, Options);

    public static StoredInterval Of(ControlInterval i) =>
        new(i.Landmark, i.From, i.To, i.Controller, i.Status, i.Candidates, i.Evidence.Select(e => new CitedClaim(e.EventId, e.Says)).ToList(), i.Change);

    /// <summary>The event ids the interval cites, once each: the row's <c>evidence</c> column.</summary>
    public static IEnumerable<Guid> CitedEventIds(ControlInterval i) => i.Evidence.Select(e => e.EventId).Distinct();

    /// <summary>
    /// An interval's row as <see cref="ReadModelSql.CopyIntervals"/> takes it: its columns, its
    /// stored document (<see cref="Pooled"/>) and the event ids it cites (<see cref="CitedEventIds"/>).
    /// It holds no claims, so rows can wait to be written without keeping the claims behind them alive.
    /// </summary>
    internal sealed record CopyRow(string Landmark, DateOnly? From, DateOnly? To, string? Controller, ControlStatus Status, PooledJson Document, Guid[] Cited)
    {
        public static CopyRow Of(ControlInterval i) =>
            new(i.Landmark, i.From, i.To, i.Controller, i.Status, StoredInterval.Of(i).Pooled(), CitedEventIds(i).ToArray());

        /// <summary>Writes the row and gives its document's buffer back.</summary>
        public void WriteTo(BinaryCopy copy)
        {
            copy.StartRow(7);
            copy.Text(Landmark);
            copy.DateOrNull(From);
            copy.DateOrNull(To);
            copy.TextOrNull(Controller);
            copy.Text(Json.Name(Status));
            copy.Text(Document.Text.Span);
            copy.UuidArray(Cited);
            Document.Return();
        }
    }

    /// <summary>The columns of row <paramref name="i"/> an interval is read from (<see cref="ReadAllAsync"/>).</summary>
    public static string Columns(string i) => $"{i}.interval, {i}.landmark, {i}.valid_from, {i}.valid_to, {i}.controller, {i}.status";

    private const int ColumnCount = 6;

    /// <summary>
    /// The intervals of the reader's rows: each an interval's <see cref="Columns"/> and then one
    /// claim it cites (<see cref="StoredClaim.Columns"/>, null when it cites none), the rows of
    /// an interval next to each other.
    /// </summary>
    internal static async Task<List<ControlInterval>> ReadAllAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var intervals = new List<ControlInterval>();
        StoredInterval? stored = null;
        var document = "";
        var cited = new List<ControlClaim>();
        while (await reader.ReadAsync(ct))
        {
            var landmark = reader.GetString(1);
            DateOnly? from = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2);
            DateOnly? to = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3);
            if (stored is null || stored.Landmark != landmark || stored.From != from || stored.To != to)
            {
                if (stored is not null) intervals.Add(Read(stored, document, cited));
                document = reader.GetString(0);
                stored = Json.Deserialize<StoredInterval>(document) with
                {
                    Landmark = landmark, From = from, To = to,
                    Controller = reader.IsDBNull(4) ? null : reader.GetString(4), Status = Json.FromName<ControlStatus>(reader.GetString(5)),
                };
                cited = [];
            }
            if (StoredClaim.Row.IfAny(reader, ColumnCount) is { } claim) cited.Add(claim.ToClaim());
        }
        if (stored is not null) intervals.Add(Read(stored, document, cited));
        return intervals;
    }

    /// <summary>The interval from its row (<paramref name="stored"/>, as stored: <paramref name="document"/>) and the claims it cites.</summary>
    private static ControlInterval Read(StoredInterval stored, string document, List<ControlClaim> cited)
    {
        var claims = cited.ToDictionary(c => c.EventId);
        if (stored.Evidence.All(e => claims.ContainsKey(e.EventId)))
            return new ControlInterval(stored.Landmark, stored.From, stored.To, stored.Controller, stored.Status, stored.Candidates,
                stored.Evidence.Select(e => Control.Evidence.Of(claims[e.EventId], e.Says)).ToList(), stored.Change);
        // A row without the ids (written, during an upgrade, by a node of the version
        // before, which copied the evidence) carries its evidence whole.
        var copied = Json.Deserialize<ControlInterval>(document);
        return copied.Evidence.All(e => e.Source is not null)
            ? copied
            : throw new InvalidOperationException($"An interval of {stored.Landmark} cites claims the read model does not hold.");
    }
}
