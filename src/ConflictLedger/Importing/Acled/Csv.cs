using nietras.SeparatedValues;

namespace ConflictLedger.Importing.Acled;

/// <summary>One CSV record and the physical line it starts on (a quoted note may span several).</summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields)
{
    public bool IsBlank => Fields.All(string.IsNullOrWhiteSpace);
}

/// <summary>
/// RFC 4180 CSV through Sep: quoted fields may hold commas, doubled quotes and line
/// breaks; records end with CRLF, LF or a lone CR; rows may differ in length (ACLED's
/// pre-2019 files pad the header with empty columns). Quotes inside an unquoted field are
/// kept as text when they pair up; a quote that never closes is refused, naming the line
/// its record starts on.
/// </summary>
internal static class Csv
{
    private static readonly Sep Comma = Sep.New(',');

    public static IReadOnlyList<CsvRecord> Parse(string text, string fileName)
    {
        var records = new List<CsvRecord>();
        var line = 1;
        try
        {
            using var reader = Comma.Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).FromText(text);
            foreach (var row in reader)
            {
                // Sep (0.17.1, without a header) numbers its first row 2; every file's first record starts on line 1.
                line = records.Count == 0 ? 1 : row.LineNumberFrom;
                var fields = new string[row.ColCount];
                for (var i = 0; i < fields.Length; i++) fields[i] = row[i].ToString();
                records.Add(new CsvRecord(line, fields));
            }
        }
        catch (InvalidDataException)
        {
            throw Unclosed(fileName, line);
        }
        // Sep reads an unclosed quote to the end of the text as one field: an odd number of
        // quotes from the last record's first line on means its quote never closed.
        if (records.Count > 0 && QuotesFrom(text, records[^1].Line) % 2 == 1) throw Unclosed(fileName, records[^1].Line);
        return records;
    }

    /// <summary>A header and records as CSV, LF-terminated (Sep's way), a field quoted only when it holds a comma, a quote or a line break.</summary>
    public static string Write(IReadOnlyList<string> header, IEnumerable<IEnumerable<string?>> rows)
    {
        using var writer = Comma.Writer(o => o with { Escape = true }).ToText();
        var written = 0;
        foreach (var row in rows)
        {
            using var record = writer.NewRow();
            foreach (var (name, value) in header.Zip(row)) record[name].Set(value ?? "");
            written++;
        }
        // Sep writes the header with the first row; a file with no rows still has its header.
        return written == 0 ? string.Join(',', header) + "\n" : writer.ToString();
    }

    private static ImportException Unclosed(string fileName, int line) =>
        new([new ImportError(fileName, $"line {line}", "(file)", "a quoted field opens on this line and never closes: a note is missing its closing double quote")]);

    private static int QuotesFrom(string text, int line)
    {
        var at = 0;
        for (var l = 1; l < line && at < text.Length; at++)
            if (text[at] == '\n' || (text[at] == '\r' && (at + 1 >= text.Length || text[at + 1] != '\n'))) l++;
        return text.AsSpan(at).Count('"');
    }
}
