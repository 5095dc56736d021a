using System.Text;
using ConflictLedger.Importing.Acled;

namespace ConflictLedger.Tests.Importing.Acled;

/// <summary>
/// Import then export gives ACLED's own coding back: every column of a current-layout row
/// as written (spaces, coordinate digits, INTER words), and a pre-2019 row converted to the
/// current types the way ACLED's 2019 transition did. Synthetic rows cover every type.
/// </summary>
public class AcledRoundTripTests
{
    private const string CurrentHeader =
        "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2," +
        "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

    private const string OldHeader =
        "GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,ALLY_ACTOR_1,INTER1,ACTOR2,ALLY_ACTOR_2,INTER2," +
        "INTERACTION,COUNTRY,ADMIN1,ADMIN2,ADMIN3,LOCATION,LATITUDE,LONGITUDE,GEO_PRECISION,SOURCE,NOTES,FATALITIES";

    /// <summary>Each current sub-event type with actors ACLED would code for it (inter words since 2023).</summary>
    private static readonly (string EventType, string SubEventType, string Actor1, string Inter1, string Actor2, string Inter2, string Notes)[] Current =
    [
        ("Battles", "Armed clash", "Islamic State (Cyrenaica Province)", "Rebel group", "Shura Council of Darnah Mujahidin", "Political militia", "Clashes  in the old city. "),
        ("Battles", "Government regains territory", "Military Forces of Libya (2014-)", "State forces", "Islamic State (Cyrenaica Province)", "Rebel group", "The LNA retook the port."),
        ("Battles", "Government regains territory", "Islamic State (Cyrenaica Province)", "Rebel group", "Shura Council of Darnah Mujahidin", "Political militia", "Coded against itself."),
        ("Battles", "Non-state actor overtakes territory", "Shura Council of Darnah Mujahidin", "Political militia", "Islamic State (Cyrenaica Province)", "Rebel group", "MSC took full control of the district."),
        ("Explosions/Remote violence", "Chemical weapon", "Unidentified Armed Group (Libya)", "Political militia", "Civilians (Libya)", "Civilians", "Gas."),
        ("Explosions/Remote violence", "Air/drone strike", "Military Forces of Libya (2014-)", "State forces", "Islamic State (Cyrenaica Province)", "Rebel group", "Jets struck."),
        ("Explosions/Remote violence", "Suicide bomb", "Islamic State (Cyrenaica Province)", "Rebel group", "Military Forces of Libya (2014-)", "State forces", "A suicide bomber."),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Islamic State (Cyrenaica Province)", "Rebel group", "Civilians (Libya)", "Civilians", "Shells fell."),
        ("Explosions/Remote violence", "Remote explosive/landmine/IED", "Unidentified Armed Group (Libya)", "Political militia", "Civilians (Libya)", "Civilians", "An IED."),
        ("Explosions/Remote violence", "Grenade", "Unidentified Armed Group (Libya)", "Political militia", "Civilians (Libya)", "Civilians", "A grenade."),
        ("Violence against civilians", "Sexual violence", "Unidentified Armed Group (Libya)", "Political militia", "Civilians (Libya)", "Civilians", "Women were assaulted."),
        ("Violence against civilians", "Attack", "Islamic State (Cyrenaica Province)", "Rebel group", "Civilians (Libya)", "Civilians", "An imam was killed."),
        ("Violence against civilians", "Abduction/forced disappearance", "Islamic State (Cyrenaica Province)", "Rebel group", "Civilians (Libya)", "Civilians", "A man was taken."),
        ("Protests", "Peaceful protest", "Protesters (Libya)", "Protesters", "", "", "Residents marched."),
        ("Protests", "Protest with intervention", "Protesters (Libya)", "Protesters", "Police Forces of Libya (2014-)", "State forces", "Police dispersed them."),
        ("Protests", "Excessive force against protesters", "Police Forces of Libya (2014-)", "State forces", "Protesters (Libya)", "Protesters", "Police fired on them."),
        ("Riots", "Violent demonstration", "Rioters (Libya)", "Rioters", "", "", "Tyres were burned."),
        ("Riots", "Mob violence", "Rioters (Libya)", "Rioters", "Civilians (Libya)", "Civilians", "A mob attacked a shop."),
        ("Strategic developments", "Agreement", "Shura Council of Darnah Mujahidin", "Political militia", "Military Forces of Libya (2014-)", "State forces", "A truce."),
        ("Strategic developments", "Arrests", "Police Forces of Libya (2014-)", "State forces", "Civilians (Libya)", "Civilians", "Police arrested three men."),
        ("Strategic developments", "Change to group/activity", "Shura Council of Darnah Mujahidin", "Political militia", "", "", "The council renamed itself."),
        ("Strategic developments", "Disrupted weapons use", "Military Forces of Libya (2014-)", "State forces", "", "", "A bomb was defused."),
        ("Strategic developments", "Headquarters or base established", "Islamic State (Cyrenaica Province)", "Rebel group", "", "", "IS set up a base."),
        ("Strategic developments", "Looting/property destruction", "Unidentified Armed Group (Libya)", "Political militia", "Civilians (Libya)", "Civilians", "Shops were looted."),
        ("Strategic developments", "Non-violent transfer of territory", "Shura Council of Darnah Mujahidin", "Political militia", "Islamic State (Cyrenaica Province)", "Rebel group", "IS withdrew."),
        ("Strategic developments", "Other", "Islamic State (Cyrenaica Province)", "Rebel group", "Shura Council of Darnah Mujahidin", "Political militia", "Twenty fighters surrendered to the council."),
        ("Strategic developments", "Other", "Shura Council of Darnah Mujahidin", "Political militia", "", "", "The council released 12 prisoners."),
    ];

    private static string CurrentRow(int i, (string EventType, string SubEventType, string Actor1, string Inter1, string Actor2, string Inter2, string Notes) r) =>
        $"LBY{7000 + i},2024-03-{1 + i % 28:00},2024,{1 + i % 3},{(r.EventType is "Protests" or "Riots" ? "Demonstrations" : r.EventType == "Strategic developments" ? "Strategic developments" : "Political violence")}," +
        $"{r.EventType},{r.SubEventType},{r.Actor1},{(i % 4 == 0 ? "Abu Salim Martyrs Brigade; Libya Dawn" : "")},{r.Inter1},{r.Actor2},,{r.Inter2}," +
        $"{(r.Inter2.Length == 0 ? r.Inter1 + " only" : r.Inter1 + "-" + r.Inter2)},{(i % 5 == 0 ? "Civilian targeting" : "")},434,Northern Africa,Libya,Darnah,Darnah,,{(i % 2 == 0 ? "Darna" : "Al-Fatayah")}," +
        $"32.7670,22.6{i:00}0,{1 + i % 3}, Libya Herald; Libya Observer ,National-Regional,\"{r.Notes.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{i % 4},{(i % 6 == 0 ? "crowd size=no report" : "")},{1_710_000_000 + i * 86_400}";

    private static AcledMappedFile Import(string name, string text) =>
        AcledMapping.ToAccounts(AcledTestData.Catalog, AcledCsv.Read(name, Encoding.UTF8.GetBytes(text)), name);

    /// <summary>The export's records as cells (quoted fields with commas and doubled quotes).</summary>
    private static List<string[]> SplitRecords(string csv)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n') { fields.Add(field.ToString()); field.Clear(); records.Add([.. fields]); fields.Clear(); }
            else field.Append(c);
        }
        return records;
    }

    [Fact]
    public void every_current_type_comes_back_column_for_column_as_written()
    {
        var input = CurrentHeader + "\n" + string.Join("\n", Current.Select((r, i) => CurrentRow(i, r))) + "\n";
        var mapped = Import("acled-current-every-type.csv", input);

        var output = AcledExport.ToCsv(mapped.Accounts.Select(a => a.Account), mapped.Catalog);

        var expected = SplitRecords(input.Replace("\n", "\r\n", StringComparison.Ordinal).Replace("\r\r\n", "\r\n", StringComparison.Ordinal));
        var actual = SplitRecords(output);
        Assert.Equal(expected.Count, actual.Count);
        for (var row = 0; row < expected.Count; row++)
            for (var column = 0; column < expected[row].Length; column++)
                Assert.True(expected[row][column] == actual[row][column],
                    $"row {row}, {expected[0][column]}: wrote '{expected[row][column]}', exported '{actual[row][column]}'");
    }

    [Theory]
    [InlineData("Battle-No change of territory", "Islamic State (Cyrenaica Province)", "2", "", "Battles", "Armed clash")]
    [InlineData("Battle-Government regains territory", "Military Forces of Libya (2014-)", "1", "", "Battles", "Government regains territory")]
    [InlineData("Battle-Government regains territory", "Islamic State (Cyrenaica Province)", "2", "", "Battles", "Government regains territory")]
    [InlineData("Battle-Non-state actor overtakes territory", "Islamic State (Cyrenaica Province)", "2", "", "Battles", "Non-state actor overtakes territory")]
    [InlineData("Battle-Non-state actor overtakes territory", "Military Forces of Libya (2014-)", "1", "", "Battles", "Non-state actor overtakes territory")]
    [InlineData("Remote violence", "Military Forces of Libya (2014-)", "1", "A warplane attacked IS positions.", "Explosions/Remote violence", "Air/drone strike")]
    [InlineData("Remote violence", "Islamic State (Cyrenaica Province)", "2", "A suicide car bomb.", "Explosions/Remote violence", "Suicide bomb")]
    [InlineData("Remote violence", "Islamic State (Cyrenaica Province)", "2", "Mortars fell.", "Explosions/Remote violence", "Shelling/artillery/missile attack")]
    [InlineData("Remote violence", "Unidentified Armed Group (Libya)", "3", "An IED.", "Explosions/Remote violence", "Remote explosive/landmine/IED")]
    [InlineData("Violence against civilians", "Islamic State (Cyrenaica Province)", "2", "", "Violence against civilians", "Attack")]
    // The row's second actor (a militia) answered and two died: excessive force, whatever the notes' words.
    [InlineData("Riots/Protests", "Protesters (Libya)", "6", "Residents protested peacefully.", "Protests", "Excessive force against protesters")]
    [InlineData("Riots/Protests", "Rioters (Libya)", "5", "A peaceful protest, said the organisers.", "Riots", "Violent demonstration")]
    [InlineData("Strategic development", "Military Forces of Libya (2014-)", "1", "The navy detained 14 men.", "Strategic developments", "Arrests")]
    [InlineData("Strategic development", "Shura Council of Darnah Mujahidin", "3", "A council was formed.", "Strategic developments", "Other")]
    [InlineData("Non-violent transfer of territory", "Shura Council of Darnah Mujahidin", "3", "", "Strategic developments", "Non-violent transfer of territory")]
    [InlineData("Headquarters or base established", "Islamic State (Cyrenaica Province)", "2", "", "Strategic developments", "Headquarters or base established")]
    [InlineData("Non-violent activity by a conflict actor", "Islamic State (Cyrenaica Province)", "2", "A rally.", "Strategic developments", "Other")]
    public void a_pre_2019_row_converts_to_the_current_types_and_keeps_everything_else_as_written(
        string eventType, string actor1, string inter1, string notes, string currentType, string currentSubType)
    {
        var row = $"620,1234RTA,,18/01/2016,2016,1,{eventType},{actor1},Abu Salim Martyrs Brigade,{inter1},Shura Council of Darnah Mujahidin,,3,{inter1}3,Libya,Darnah,Darnah,,Al-Fatayah,32.69036,22.67270,1, Libya Observer ,\"{notes}\",2";
        var mapped = Import("acled-old.csv", OldHeader + "\n" + row + "\n");

        var exported = SplitRecords(AcledExport.ToCsv(mapped.Accounts.Select(a => a.Account), mapped.Catalog));
        var cells = exported[0].Zip(exported[1]).ToDictionary(p => p.First, p => p.Second);

        Assert.Equal((currentType, currentSubType), (cells["event_type"], cells["sub_event_type"]));
        Assert.Equal(("1234RTA", "2016-01-18", "2016", "1"), (cells["event_id_cnty"], cells["event_date"], cells["year"], cells["time_precision"]));
        Assert.Equal((actor1, "Abu Salim Martyrs Brigade", inter1, "Shura Council of Darnah Mujahidin", "3", inter1 + "3"),
            (cells["actor1"], cells["assoc_actor_1"], cells["inter1"], cells["actor2"], cells["inter2"], cells["interaction"]));
        Assert.Equal(("Libya", "Darnah", "Darnah", "", "Al-Fatayah", "32.69036", "22.67270", "1"),
            (cells["country"], cells["admin1"], cells["admin2"], cells["admin3"], cells["location"], cells["latitude"], cells["longitude"], cells["geo_precision"]));
        Assert.Equal((" Libya Observer ", notes, "2"), (cells["source"], cells["notes"], cells["fatalities"]));
    }
}
