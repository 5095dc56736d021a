using System.Globalization;
using System.Text;

namespace ConflictLedger.Importing.Acled;

/// <summary>
/// Reads an ACLED CSV export of either layout (told apart by the header, whatever its
/// case). Every bad row is reported with its line and column; a file with any bad row
/// yields no rows at all.
/// </summary>
public static class AcledCsv
{
    /// <summary>The columns a header must have, in the current layout's spelling.</summary>
    public static readonly IReadOnlyList<string> RequiredColumns =
        ["event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "actor2", "location", "fatalities"];

    /// <summary>Pre-2019 files write dd/MM/yyyy; current ones yyyy-MM-dd, or "18 January 2016" from the website.</summary>
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy", "dd MMMM yyyy", "d MMMM yyyy"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Taken from the provider rather than registered globally: this reader should not
    // change what Encoding.GetEncoding answers for the rest of the process.
    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)
        ?? throw new InvalidOperationException("The code page provider has no Windows-1252.");

    public static IReadOnlyList<AcledRow> Read(string fileName, byte[] content)
    {
        var records = Csv.Parse(Decode(content), fileName).Where(r => !r.IsBlank).ToList();
        var header = records.Count > 0 ? Header.Recognise(records[0]) : null;
        if (header is null)
        {
            var missing = records.Count > 0 ? Header.Missing(records[0]) : RequiredColumns;
            throw new ImportException([new ImportError(fileName, $"line {(records.Count > 0 ? records[0].Line : 1)}", "(header)",
                $"no ACLED header: looked for the columns {string.Join(", ", RequiredColumns)} " +
                $"(upper-case in pre-2019 files; current files add sub_event_type), missing {string.Join(", ", missing)}")]);
        }

        var errors = new List<ImportError>();
        var rows = new List<AcledRow>();
        var lineOfEvent = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var record in records.Skip(1))
        {
            var row = ReadRow(record, header, (column, message) =>
                errors.Add(new ImportError(fileName, $"line {record.Line}", header.NameOf(column), message)));
            if (row is null) continue;
            if (lineOfEvent.TryGetValue(row.EventIdCnty, out var first))
                errors.Add(new ImportError(fileName, $"line {record.Line}", header.NameOf("event_id_cnty"),
                    $"the event '{row.EventIdCnty}' is already on line {first}: a file holds each event once"));
            else
                lineOfEvent[row.EventIdCnty] = record.Line;
            rows.Add(row);
        }
        if (errors.Count > 0) throw new ImportException(errors);
        return rows;
    }

    /// <summary>UTF-8 (a BOM is skipped); bytes that are not UTF-8 are Windows-1252, as ACLED's older exports were.</summary>
    internal static string Decode(byte[] content)
    {
        ReadOnlySpan<byte> bytes = content;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return Encoding.Unicode.GetString(bytes[2..]);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return Encoding.BigEndianUnicode.GetString(bytes[2..]);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Windows1252.GetString(bytes);
        }
    }

    private static AcledRow? ReadRow(CsvRecord record, Header header, Action<string, string> fail)
    {
        var failed = false;
        void Fail(string column, string message)
        {
            failed = true;
            fail(column, message);
        }
        string? Text(string column) => header.Text(record, column);

        for (var i = 0; i < record.Fields.Count; i++)
            if (StorableText.Problem(record.Fields[i]) is { } problem) Fail(header.NameAt(i), problem);

        var eventId = Text("event_id_cnty")?.Trim();
        if (eventId is null) Fail("event_id_cnty", "the event id is empty: every ACLED row has one (e.g. LBY1234)");

        DateOnly date = default;
        var dateText = Text("event_date")?.Trim();
        if (dateText is null || !DateOnly.TryParseExact(dateText, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            Fail("event_date", $"'{dateText}' is not a date: ACLED writes dd/MM/yyyy (pre-2019), yyyy-MM-dd or '18 January 2016'");
        else if (WorldDates.Problem(date) is { } outside)
            Fail("event_date", outside);

        var precisionText = Text("time_precision")?.Trim();
        var timePrecision = ParseInt(precisionText);
        if (timePrecision is not (1 or 2 or 3))
            Fail("time_precision", $"'{precisionText}' is not a time precision: ACLED uses 1 (the day), 2 (the week) or 3 (the month)");

        var eventType = Text("event_type")?.Trim();
        var subEventType = header.Layout == AcledLayout.Current ? Text("sub_event_type")?.Trim() : null;
        if (eventType is null)
            Fail("event_type", "the event type is empty");
        else if (header.Layout == AcledLayout.Current && subEventType is null)
            Fail("sub_event_type", "the sub-event type is empty: current ACLED files give one for every event");
        else if (AcledMapping.KindOf(eventType, subEventType, null) is null)
            Fail(subEventType is null ? "event_type" : "sub_event_type",
                $"'{subEventType ?? eventType}' is not an ACLED {(subEventType is null ? "event" : "sub-event")} type: expected one of " +
                string.Join(", ", subEventType is null ? AcledMapping.Pre2019EventTypes : AcledMapping.SubEventTypes));

        var location = Text("location")?.Trim();
        if (location is null) Fail("location", "the location is empty");

        var latitude = ParseCoordinate(Text("latitude"), 90, "latitude", Fail);
        var longitude = ParseCoordinate(Text("longitude"), 180, "longitude", Fail);

        var geoText = Text("geo_precision")?.Trim();
        var geoPrecision = ParseInt(geoText);
        if (geoText is not null && geoPrecision is not (1 or 2 or 3))
            Fail("geo_precision", $"'{geoText}' is not a geo precision: ACLED uses 1, 2 or 3");

        var timestampText = Text("timestamp");
        if (timestampText is not null)
        {
            if (TimestampDay(timestampText) is not { } known)
                Fail("timestamp", $"'{timestampText}' is not a timestamp: ACLED writes the upload time in whole seconds since 1970-01-01 UTC");
            else if (WorldDates.Problem(known) is { } outside)
                Fail("timestamp", "the timestamp's day " + outside);
        }

        var fatalitiesText = Text("fatalities")?.Trim();
        var fatalities = ParseInt(fatalitiesText);
        if (fatalitiesText is not null && fatalities is not >= 0)
            Fail("fatalities", $"'{fatalitiesText}' is not a death toll: write a whole number, 0 or more");

        if (failed) return null;
        return new AcledRow(
            record.Line, header.Layout, eventId!, date, timePrecision!.Value,
            Text("disorder_type"), Text("event_type")!, header.Layout == AcledLayout.Current ? Text("sub_event_type") : null,
            Text("actor1"), Text("assoc_actor_1"), Text("inter1"),
            Text("actor2"), Text("assoc_actor_2"), Text("inter2"), Text("interaction"), Text("civilian_targeting"),
            Text("iso"), Text("region"), Text("country"), Text("admin1"), Text("admin2"), Text("admin3"), Text("location")!,
            latitude, longitude, geoPrecision,
            Text("source"), Text("source_scale"), Text("notes"), fatalities, Text("tags"), timestampText,
            Text("latitude"), Text("longitude"));
    }

    /// <summary>The UTC day of a Unix timestamp in seconds, or null when the text is not one.</summary>
    internal static DateOnly? TimestampDay(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 253_402_300_799
            ? DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime)
            : null;

    private static int? ParseInt(string? text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static double? ParseCoordinate(string? text, double limit, string column, Action<string, string> fail)
    {
        if (text is null) return null;
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && Math.Abs(value) <= limit)
            return value;
        fail(column, $"'{text}' is not a {column}: write decimal degrees between -{limit} and {limit}, with a point");
        return null;
    }

    /// <summary>Where each column is, found by name so column order and extra columns do not matter.</summary>
    private sealed class Header
    {
        // Pre-2019 names that differ from the current ones.
        private static readonly Dictionary<string, string> OldNames = new(StringComparer.OrdinalIgnoreCase)
        {
            ["ally_actor_1"] = "assoc_actor_1",
            ["ally_actor_2"] = "assoc_actor_2",
        };

        private readonly Dictionary<string, (int Index, string Written)> columns;

        private Header(Dictionary<string, (int, string)> columns, AcledLayout layout)
        {
            this.columns = columns;
            Layout = layout;
        }

        public AcledLayout Layout { get; }

        public static Header? Recognise(CsvRecord record)
        {
            var columns = Index(record);
            if (RequiredColumns.Any(c => !columns.ContainsKey(c))) return null;
            return new Header(columns, columns.ContainsKey("sub_event_type") ? AcledLayout.Current : AcledLayout.Pre2019);
        }

        public static IReadOnlyList<string> Missing(CsvRecord record)
        {
            var columns = Index(record);
            return RequiredColumns.Where(c => !columns.ContainsKey(c)).ToList();
        }

        /// <summary>The cell, or null when it is empty or blank or the row is short.</summary>
        public string? Text(CsvRecord record, string column) =>
            columns.TryGetValue(column, out var c) && c.Index < record.Fields.Count && !string.IsNullOrWhiteSpace(record.Fields[c.Index])
                ? record.Fields[c.Index]
                : null;

        /// <summary>The column at a position as the file spells it ("column 40" past the header's end).</summary>
        public string NameAt(int index) =>
            columns.Values.FirstOrDefault(c => c.Index == index).Written ?? $"column {index + 1}";

        /// <summary>The column as the file spells it, for error messages.</summary>
        public string NameOf(string column) => columns.TryGetValue(column, out var c) ? c.Written : column;

        private static Dictionary<string, (int, string)> Index(CsvRecord record)
        {
            var columns = new Dictionary<string, (int, string)>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < record.Fields.Count; i++)
            {
                var written = record.Fields[i].Trim();
                if (written.Length == 0) continue;
                var name = OldNames.GetValueOrDefault(written, written.ToLowerInvariant());
                columns.TryAdd(name, (i, written));
            }
            return columns;
        }
    }
}
