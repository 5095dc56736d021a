using System.Text;

namespace ConflictLedger.Importing.Acled;

/// <summary>One CSV record and the physical line it starts on (a quoted note may span several).</summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields)
{
    public bool IsBlank => Fields.All(string.IsNullOrWhiteSpace);
}

/// <summary>
/// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks; records end
/// with CRLF, LF or a lone CR. Lenient where spreadsheets are sloppy (a quote inside an
/// unquoted field is kept as text), strict only where the data would be lost: a quoted
/// field that never closes.
/// </summary>
internal static class Csv
{
    public static IEnumerable<CsvRecord> Parse(string text, string fileName)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var fieldStarted = false;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                    continue;
                }
                if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n'))) line++;
                field.Append(c);
                continue;
            }

            switch (c)
            {
                case '"' when !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r' or '\n':
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                    fields.Add(field.ToString());
                    yield return new CsvRecord(recordLine, fields);
                    fields = [];
                    field.Clear();
                    fieldStarted = false;
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }

        if (quoted)
            throw new ImportException([new ImportError(fileName, $"line {recordLine}", "(file)",
                "a quoted field opens on this line and never closes: a note is missing its closing double quote")]);
        if (fieldStarted || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return new CsvRecord(recordLine, fields);
        }
    }

    /// <summary>A field as RFC 4180 writes it: quoted only when it holds a comma, a quote or a line break.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
