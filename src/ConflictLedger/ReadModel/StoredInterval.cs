using ConflictLedger.Control;

namespace ConflictLedger.ReadModel;

/// <summary>A claim an interval cites, and what it says there.</summary>
public sealed record CitedClaim(Guid EventId, string Says);

/// <summary>
/// A control interval as the read model stores it: its evidence names the claims behind it
/// instead of copying them (a copy of every source under every interval made the interval
/// table as large as the log: 54 s of a 1,000,000-event rebuild went to writing it). The
/// row's <c>evidence</c> column lists the cited event ids; a query joins them to
/// <c>control_claims</c> (same landmark) and <see cref="Read"/> gives back the interval
/// <see cref="ControlTimeline.Build"/> derived. Rows written before copied the evidence:
/// script 005 gave them their ids; a row an older node writes during an upgrade, with no
/// ids, is read from its copies. The document leaves out what the row's columns hold (its
/// landmark, days, controller and status: a sixth of it); queries read it with them written back
/// (<see cref="ReadModelSql"/>'s <c>Interval</c>).
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

    /// <summary>The interval from its stored document and the documents of the claims it cites.</summary>
    public static ControlInterval Read(string document, IEnumerable<string> claimDocuments)
    {
        var stored = Json.Deserialize<StoredInterval>(document);
        var claims = claimDocuments.Select(Json.Deserialize<ControlClaim>).ToDictionary(c => c.EventId);
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
