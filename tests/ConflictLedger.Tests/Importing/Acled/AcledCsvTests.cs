using System.Text;
using ConflictLedger.Importing;
using ConflictLedger.Importing.Acled;

namespace ConflictLedger.Tests.Importing.Acled;

public class AcledCsvTests
{
    private const string OldHeader =
        "GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,ALLY_ACTOR_1,INTER1,ACTOR2,ALLY_ACTOR_2,INTER2," +
        "INTERACTION,COUNTRY,ADMIN1,ADMIN2,ADMIN3,LOCATION,LATITUDE,LONGITUDE,GEO_PRECISION,SOURCE,NOTES,FATALITIES,,,,,,,";

    private static string OldRow(string id = "100RTA", string date = "18/01/2016", string precision = "1", string fatalities = "0",
        string latitude = "32.76704", string location = "Darna", string notes = "Clashes in Derna.") =>
        $"620,{id},,{date},2016,{precision},Battle-No change of territory,Islamic State (Cyrenaica Province),,2," +
        $"Shura Council of Darnah Mujahidin,,3,23,Libya,Darnah,Darnah,,{location},{latitude},22.63669,1,Libya Herald,\"{notes}\",{fatalities},,,,,,,";

    private static byte[] Utf8(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");

    [Fact]
    public void reads_the_eight_rows_of_the_real_pre_2019_sample()
    {
        var rows = AcledCsv.Read(AcledTestData.Sample, AcledTestData.Bytes(AcledTestData.Sample));

        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Equal(AcledLayout.Pre2019, r.Layout));
        Assert.Equal(["459RTA", "768RTA", "1784RTA", "1786RTA", "1792RTA", "2165RTA", "5124RTA", "5437RTA"], rows.Select(r => r.EventIdCnty));

        var clash = rows[1];
        Assert.Equal(3, clash.Line);
        Assert.Equal(new DateOnly(2016, 1, 18), clash.EventDate);
        Assert.Equal(1, clash.TimePrecision);
        Assert.Equal("Battle-No change of territory", clash.EventType);
        Assert.Null(clash.SubEventType);
        Assert.Equal("Islamic State (Cyrenaica Province)", clash.Actor1);
        Assert.Equal("Shura Council of Darnah Mujahidin", clash.Actor2);
        Assert.Equal("Darna", clash.Location);
        Assert.Equal(32.76704, clash.Latitude);
        Assert.Equal(22.63669, clash.Longitude);
        Assert.Equal(1, clash.GeoPrecision);
        Assert.Equal(2, clash.Fatalities);
        Assert.Equal("Libya Observer", clash.Source);
        // The original has a no-break space before "Derna": kept as it came.
        Assert.StartsWith("Two IS militants were killed on Monday by fighters of\u00a0Derna Shura Council,", clash.Notes);
        Assert.Equal("Muslim Group (Libya)", rows[6].AssocActor2);
        Assert.Equal("Agence France Presse; Libya Herald", rows[4].Source);
    }

    [Fact]
    public void the_sample_in_the_repository_is_the_shared_original()
    {
        // The shared folder sits beside the repository on a developer's machine; a clone on
        // its own has only the copy, which is what the other tests read.
        if (AcledTestData.SharedSample() is not { } shared) return;

        Assert.Equal(File.ReadAllBytes(shared), AcledTestData.Bytes(AcledTestData.Sample));
        Assert.Equal(8, AcledCsv.Read(Path.GetFileName(shared), File.ReadAllBytes(shared)).Count);
    }

    [Fact]
    public void reads_a_current_layout_file_with_quoted_multi_line_notes()
    {
        var rows = AcledCsv.Read(AcledTestData.CurrentLayout, AcledTestData.Bytes(AcledTestData.CurrentLayout));

        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(AcledLayout.Current, r.Layout));
        Assert.Equal([2, 4, 5, 8], rows.Select(r => r.Line));

        var clash = rows[0];
        Assert.Equal("LBY90001", clash.EventIdCnty);
        Assert.Equal(new DateOnly(2024, 3, 4), clash.EventDate);
        Assert.Equal("Battles", clash.EventType);
        Assert.Equal("Armed clash", clash.SubEventType);
        Assert.Equal("Political violence", clash.DisorderType);
        Assert.Equal("State forces", clash.Inter1);
        Assert.Equal("434", clash.Iso);
        Assert.Equal("National-Regional", clash.SourceScale);
        Assert.Equal("1710156000", clash.Timestamp);
        Assert.Equal(
            "On 4 March 2024, forces of the LNA clashed with an unidentified armed group in Derna, near the \"400\" neighbourhood.\n" +
            "Two fighters were killed, according to a local source.",
            clash.Notes);

        var protest = rows[2];
        Assert.Equal(3, protest.TimePrecision);
        Assert.Null(protest.Actor2);
        Assert.Equal("crowd size=around 200", protest.Tags);
        Assert.Equal(3, protest.Notes!.Split('\n').Length);
        Assert.Contains("\"Wadi Derna\"", protest.Notes);

        Assert.Equal("Shelling/artillery/missile attack", rows[1].SubEventType);
        Assert.Equal("Umm ar Rizam", rows[3].Location);
    }

    [Fact]
    public void reads_the_same_rows_from_crlf_lf_and_a_byte_order_mark()
    {
        var lf = Encoding.UTF8.GetString(AcledTestData.Bytes(AcledTestData.Sample)).ReplaceLineEndings("\n");
        var crlf = Encoding.UTF8.GetBytes(lf.ReplaceLineEndings("\r\n"));
        var bom = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(lf)).ToArray();

        var expected = AcledCsv.Read("lf.csv", Encoding.UTF8.GetBytes(lf));
        Assert.Equal(expected, AcledCsv.Read("crlf.csv", crlf));
        Assert.Equal(expected, AcledCsv.Read("bom.csv", bom));
    }

    [Fact]
    public void falls_back_to_windows_1252_when_the_bytes_are_not_utf8()
    {
        var text = OldHeader + "\r\n" + OldRow(location: "Sidi Khalifa", notes: "Le café du quartier a été touché, selon l’imam.") + "\r\n";
        var cp1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(text);

        var row = Assert.Single(AcledCsv.Read("acled-cp1252.csv", cp1252));

        Assert.Equal("Le café du quartier a été touché, selon l’imam.", row.Notes);
    }

    [Fact]
    public void reads_the_date_as_the_acled_website_writes_it()
    {
        var csv = Encoding.UTF8.GetString(AcledTestData.Bytes(AcledTestData.CurrentLayout)).Replace("2024-03-04", "04 March 2024", StringComparison.Ordinal);

        var rows = AcledCsv.Read("acled-website.csv", Encoding.UTF8.GetBytes(csv));

        Assert.Equal(new DateOnly(2024, 3, 4), rows[0].EventDate);
    }

    [Fact]
    public void recognises_the_header_whatever_its_case_and_column_order()
    {
        var upper = Encoding.UTF8.GetString(AcledTestData.Bytes(AcledTestData.CurrentLayout));
        var firstLineEnd = upper.IndexOf('\r', StringComparison.Ordinal);
        upper = upper[..firstLineEnd].ToUpperInvariant() + upper[firstLineEnd..];

        var rows = AcledCsv.Read("upper.csv", Encoding.UTF8.GetBytes(upper));

        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(AcledLayout.Current, r.Layout));
    }

    [Fact]
    public void refuses_a_file_without_an_acled_header_naming_the_columns_it_looked_for()
    {
        var ex = Assert.Throws<ImportException>(() => AcledCsv.Read("events.csv", Utf8("id,date,what", "1,2016-01-18,clash")));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("events.csv", error.File);
        Assert.Equal("line 1", error.Location);
        Assert.Equal("(header)", error.Field);
        Assert.Contains("event_id_cnty", error.Message);
        Assert.Contains("event_date", error.Message);
        Assert.Contains("fatalities", error.Message);
    }

    [Fact]
    public void refuses_an_empty_file()
    {
        var ex = Assert.Throws<ImportException>(() => AcledCsv.Read("empty.csv", []));

        Assert.Equal("line 1", Assert.Single(ex.Errors).Location);
    }

    [Theory]
    [InlineData("32/01/2016", "1", "0", "32.76704", "EVENT_DATE")]
    [InlineData("2016-01-18T00:00", "1", "0", "32.76704", "EVENT_DATE")]
    [InlineData("18/01/2016", "4", "0", "32.76704", "TIME_PRECISION")]
    [InlineData("18/01/2016", "day", "0", "32.76704", "TIME_PRECISION")]
    [InlineData("18/01/2016", "1", "-3", "32.76704", "FATALITIES")]
    [InlineData("18/01/2016", "1", "a few", "32.76704", "FATALITIES")]
    [InlineData("18/01/2016", "1", "0", "91.2", "LATITUDE")]
    [InlineData("18/01/2016", "1", "0", "north", "LATITUDE")]
    [InlineData("31/12/1799", "1", "0", "32.76704", "EVENT_DATE")]
    [InlineData("31/12/9999", "1", "0", "32.76704", "EVENT_DATE")]
    [InlineData("01/01/0001", "1", "0", "32.76704", "EVENT_DATE")]
    [InlineData("01/01/2200", "1", "0", "32.76704", "EVENT_DATE")]
    public void refuses_a_bad_row_naming_file_line_and_column(string date, string precision, string fatalities, string latitude, string column)
    {
        var bytes = Utf8(OldHeader, OldRow(id: "1RTA"), OldRow(id: "2RTA", date: date, precision: precision, fatalities: fatalities, latitude: latitude));

        var ex = Assert.Throws<ImportException>(() => AcledCsv.Read("acled-bad.csv", bytes));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(new ImportError("acled-bad.csv", "line 3", column, error.Message), error);
        Assert.Contains("acled-bad.csv: line 3", ex.Message);
    }

    [Fact]
    public void refuses_a_row_dated_after_next_year_naming_the_range()
    {
        var nextYearAndADay = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1).AddDays(1).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        var bytes = Utf8(OldHeader, OldRow(id: "1RTA"), OldRow(id: "2RTA", date: nextYearAndADay));

        var error = Assert.Single(Assert.Throws<ImportException>(() => AcledCsv.Read("acled-future.csv", bytes)).Errors);

        Assert.Equal(("line 3", "EVENT_DATE"), (error.Location, error.Field));
        Assert.Contains("outside the dates the ledger accepts: 1800-01-01 to", error.Message, StringComparison.Ordinal);
    }

    // A decoded file cannot hold a lone surrogate (bytes that are not UTF-8 are read as
    // Windows-1252), so NUL is the one character PostgreSQL would refuse.
    [Theory]
    [InlineData("Clashes\u0000 in Derna.", "NOTES")]
    [InlineData("\u0000", "NOTES")]
    public void refuses_text_postgresql_cannot_store_naming_the_column(string notes, string column)
    {
        var bytes = Utf8(OldHeader, OldRow(id: "1RTA", notes: notes));

        var error = Assert.Single(Assert.Throws<ImportException>(() => AcledCsv.Read("acled-nul.csv", bytes)).Errors);

        Assert.Equal(("line 2", column), (error.Location, error.Field));
    }

    [Fact]
    public void lists_every_bad_row_at_the_line_where_its_record_starts()
    {
        var bytes = Utf8(
            OldHeader,
            OldRow(id: "1RTA", notes: "A note over\ntwo lines."),
            OldRow(id: "", precision: "0"),
            OldRow(id: "3RTA", notes: "Fine."),
            OldRow(id: "4RTA", fatalities: "-1"));

        var ex = Assert.Throws<ImportException>(() => AcledCsv.Read("acled-bad.csv", bytes));

        Assert.Equal(
            [("line 4", "EVENT_ID_CNTY"), ("line 4", "TIME_PRECISION"), ("line 6", "FATALITIES")],
            ex.Errors.Select(e => (e.Location, e.Field)));
    }

    [Fact]
    public void refuses_an_unknown_event_type_and_a_repeated_event()
    {
        var bytes = Utf8(OldHeader, OldRow(id: "1RTA"), OldRow(id: "2RTA").Replace("Battle-No change of territory", "Skirmish", StringComparison.Ordinal));

        var ex = Assert.Throws<ImportException>(() => AcledCsv.Read("acled-bad.csv", bytes));

        Assert.Equal(["EVENT_TYPE"], ex.Errors.Select(e => e.Field));
        Assert.Contains("Remote violence", ex.Errors[0].Message);

        var repeated = Assert.Throws<ImportException>(() => AcledCsv.Read("acled-bad.csv", Utf8(OldHeader, OldRow(id: "1RTA"), OldRow(id: "1rta"))));
        Assert.Contains("line 2", Assert.Single(repeated.Errors).Message);
    }

    [Fact]
    public void refuses_a_note_whose_quote_never_closes()
    {
        var bytes = Utf8(OldHeader, OldRow(id: "1RTA"), OldRow(id: "2RTA").Replace("\"Clashes in Derna.\"", "\"Clashes in Derna.", StringComparison.Ordinal));

        var ex = Assert.Throws<ImportException>(() => AcledCsv.Read("acled-bad.csv", bytes));

        Assert.Equal("line 3", Assert.Single(ex.Errors).Location);
    }

    [Fact]
    public void skips_blank_lines_and_keeps_empty_cells_as_null()
    {
        var rows = AcledCsv.Read("acled.csv", Utf8(OldHeader, "", OldRow(fatalities: "", latitude: ""), "", ",,,,"));

        var row = Assert.Single(rows);
        Assert.Equal(3, row.Line);
        Assert.Null(row.Fatalities);
        Assert.Null(row.Latitude);
        Assert.Null(row.Admin3);
    }
}
