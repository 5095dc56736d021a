namespace ConflictLedger.Importing;

/// <summary>One problem in an input file, located well enough for a person to fix it.</summary>
/// <param name="Location">A JSON path ("$.occurrences[3].when.latest") or "line 12".</param>
/// <param name="Field">The field at fault, e.g. "place".</param>
public sealed record ImportError(string File, string Location, string Field, string Message)
{
    public override string ToString() => $"{File}: {Location} ({Field}): {Message}";
}

/// <summary>A file was refused; nothing from it was appended.</summary>
public sealed class ImportException(IReadOnlyList<ImportError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Take(20).Select(e => e.ToString()).Prepend($"{errors.Count} problem(s); nothing from the file was appended:")))
{
    public IReadOnlyList<ImportError> Errors { get; } = errors;
}

/// <summary>What an import did.</summary>
/// <param name="KnownFrom">For ACLED imports: which knowledge time the accounts got, and from where.</param>
public sealed record ImportSummary(int Files, int EventsAppended, int EventsAlreadyPresent, long? LastPosition, string? KnownFrom = null)
{
    public static readonly ImportSummary None = new(0, 0, 0, null);

    public ImportSummary Add(ImportSummary other) => new(
        Files + other.Files, EventsAppended + other.EventsAppended, EventsAlreadyPresent + other.EventsAlreadyPresent,
        other.LastPosition ?? LastPosition,
        string.Join("; ", new[] { KnownFrom, other.KnownFrom }.Where(k => !string.IsNullOrEmpty(k))) is { Length: > 0 } known ? known : null);

    public override string ToString() =>
        $"{Files} file(s): {EventsAppended} event(s) appended, {EventsAlreadyPresent} already present" + (KnownFrom is null ? "" : $" ({KnownFrom})");
}
