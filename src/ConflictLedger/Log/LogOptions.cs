using System.Text.RegularExpressions;

namespace ConflictLedger.Log;

/// <summary>Where the log keeps its tables (Marten's and ours share one schema) and what it accepts.</summary>
public sealed partial record LogOptions
{
    public LogOptions(string schema = "ledger")
    {
        if (!SchemaName().IsMatch(schema))
        {
            throw new ArgumentException(
                $"Schema name '{schema}' is not allowed: use lower-case letters, digits and '_' (at most 50), starting with a letter or '_'.",
                nameof(schema));
        }
        Schema = schema;
    }

    public string Schema { get; }

    /// <summary>Largest accepted event (data plus metadata, UTF-8 bytes).</summary>
    public int MaxEventBytes { get; init; } = 1024 * 1024;

    /// <summary>Rows fetched per round trip when reading the log.</summary>
    public int ReadPageSize { get; init; } = 5000;

    /// <summary>Events per batch of the read model projection in Marten's daemon.</summary>
    public int ProjectionBatchSize { get; init; } = 2000;

    /// <summary>
    /// The NOTIFY channel appends signal on: Marten's own, which its daemon listens to, so
    /// one notification per append wakes both it and the ledger's followers (a NOTIFY costs
    /// the committing writer as much as Marten's whole append; measured). The payload is
    /// the schema, so a follower wakes only for its own ledger (Marten's daemon ignores it).
    /// </summary>
    public const string Channel = "mt_events_appended";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,49}$")]
    private static partial Regex SchemaName();
}
