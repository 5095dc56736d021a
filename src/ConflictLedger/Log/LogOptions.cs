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

    /// <summary>The NOTIFY channel appends signal on.</summary>
    public string Channel => Schema + "_log";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,49}$")]
    private static partial Regex SchemaName();
}
