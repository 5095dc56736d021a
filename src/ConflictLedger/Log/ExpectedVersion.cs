using System.Globalization;

namespace ConflictLedger.Log;

/// <summary>What the writer believes about the stream: anything, that it does not exist yet, or its exact version.</summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(long value) => Value = value;

    /// <summary>-1 any, 0 no stream, n &gt; 0 exactly version n (the encoding the append function takes).</summary>
    internal long Value { get; }

    public static ExpectedVersion Any { get; } = new(-1);
    public static ExpectedVersion NoStream { get; } = new(0);

    public static ExpectedVersion Exact(long version) => version switch
    {
        0 => NoStream,
        > 0 => new(version),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version,
            "An exact expected version is the stream's current version: 1 or more (0 means the stream must not exist yet)."),
    };

    /// <summary>Reads "any", "no-stream" or a version number, as clients write it.</summary>
    public static ExpectedVersion Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("any", StringComparison.OrdinalIgnoreCase)) return Any;
        if (trimmed.Equals("no-stream", StringComparison.OrdinalIgnoreCase)) return NoStream;
        if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var version)) return Exact(version);
        throw new FormatException($"Expected version '{text}' is not understood: use \"any\", \"no-stream\" or the stream's current version (a whole number, 0 or more).");
    }

    public override string ToString() => Value switch
    {
        -1 => "any",
        0 => "no-stream",
        var n => n.ToString(CultureInfo.InvariantCulture),
    };
}
