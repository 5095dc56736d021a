using System.Text.Json;
using System.Text.Json.Nodes;
using ConflictLedger.Importing;
using ConflictLedger.Testing;

namespace ConflictLedger.Tests.Importing;

public class JsonSchemaValidatorTests
{
    private const string SourceFile = "#/$defs/sourceFile";
    private static readonly string Events = Path.Combine(TestDatabase.RepositoryRoot(), "events");
    private static readonly JsonDocumentOptions AsImported = new() { CommentHandling = JsonCommentHandling.Skip };
    private static readonly JsonElement Schema = JsonElement.Parse(File.ReadAllText(Path.Combine(Events, "schema.json")));

    public static TheoryData<string> DataFiles() =>
        new(Directory.EnumerateFiles(Events, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Events, f).Replace('\\', '/'))
            .Where(f => f != "schema.json")
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(DataFiles))]
    public void Every_data_file_matches_its_definition_and_the_root_schema(string file)
    {
        var definition = file switch
        {
            _ when file.StartsWith("sources/", StringComparison.Ordinal) => SourceFile,
            "catalog/actors.json" => "#/$defs/actorsFile",
            "catalog/landmarks.json" => "#/$defs/landmarksFile",
            _ => throw new InvalidOperationException($"No schema definition is known for events/{file}."),
        };
        var instance = JsonElement.Parse(File.ReadAllText(Path.Combine(Events, file)), AsImported);

        Assert.Empty(JsonSchemaValidator.Validate(Schema, definition, instance));
        Assert.Empty(JsonSchemaValidator.Validate(Schema, "#", instance)); // the root's oneOf must pick exactly one kind of file
    }

    // ---- Real mutations of a copy of events/sources/000_826cc1e8d54c4f38.json ----

    private static JsonObject Source000() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Events, "sources", "000_826cc1e8d54c4f38.json")), documentOptions: AsImported)!.AsObject();

    private static JsonObject Occurrence(JsonObject file, int index) => file["occurrences"]![index]!.AsObject();

    private static SchemaError SingleError(JsonObject file, string definition = SourceFile) =>
        Assert.Single(JsonSchemaValidator.Validate(Schema, definition, JsonSerializer.SerializeToElement(file)));

    [Fact]
    public void A_missing_required_field_is_reported_at_its_own_path()
    {
        var file = Source000();
        Occurrence(file, 2).Remove("quote");

        var error = SingleError(file);
        Assert.Equal("$.occurrences[2].quote", error.Path);
        Assert.Equal("is required", error.Message);
    }

    [Fact]
    public void An_unexpected_property_is_named_with_the_allowed_ones()
    {
        var file = Source000();
        Occurrence(file, 1)["fatality"] = null;

        var error = SingleError(file);
        Assert.Equal("$.occurrences[1].fatality", error.Path);
        Assert.Contains("unexpected property \"fatality\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("fatalities", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_reported()
    {
        var file = Source000();
        Occurrence(file, 0)["actors"] = "Islamic State";

        var error = SingleError(file);
        Assert.Equal("$.occurrences[0].actors", error.Path);
        Assert.Equal("must be of type array, but is \"Islamic State\"", error.Message);
    }

    [Fact]
    public void A_bad_enum_value_lists_the_allowed_values()
    {
        var file = Source000();
        Occurrence(file, 0)["kind"] = "assasination";
        Occurrence(file, 3)["extent"] = "all";

        var errors = JsonSchemaValidator.Validate(Schema, SourceFile, JsonSerializer.SerializeToElement(file));
        Assert.Collection(errors,
            e =>
            {
                Assert.Equal("$.occurrences[0].kind", e.Path);
                Assert.Contains("\"assassination\"", e.Message, StringComparison.Ordinal);
                Assert.EndsWith("but is \"assasination\"", e.Message, StringComparison.Ordinal);
            },
            e =>
            {
                Assert.Equal("$.occurrences[3].extent", e.Path);
                Assert.Equal("must be one of \"whole\", \"most\", \"part\", null, but is \"all\"", e.Message);
            });
    }

    [Theory]
    [InlineData("2015-6-4")]
    [InlineData("04/06/2015")]
    [InlineData("2015-06-04\n")] // .NET's "$" alone would let the newline through
    [InlineData("٢٠١٥-06-04")] // .NET's "\d" alone would take Arabic-Indic digits
    public void A_date_that_does_not_match_the_pattern_is_reported(string date)
    {
        var file = Source000();
        Occurrence(file, 0)["when"]!["earliest"] = date;

        var error = SingleError(file);
        Assert.Equal("$.occurrences[0].when.earliest", error.Path);
        Assert.StartsWith(@"must match the pattern ^\d{4}-\d{2}-\d{2}$, but is ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_fatalities_are_reported_below_the_minimum()
    {
        var file = Source000();
        Occurrence(file, 0)["fatalities"] = new JsonObject { ["exact"] = -2 };

        var error = SingleError(file);
        Assert.Equal("$.occurrences[0].fatalities.exact", error.Path);
        Assert.Equal("must be at least 0, but is -2", error.Message);
    }

    [Fact]
    public void Fatalities_with_a_wrong_key_name_the_alternatives_that_were_tried()
    {
        var file = Source000();
        Occurrence(file, 0)["fatalities"] = new JsonObject { ["exactly"] = 2 };

        var error = SingleError(file);
        Assert.Equal("$.occurrences[0].fatalities", error.Path);
        Assert.Equal("must be one of: null; object with exact; object with atLeast; but is {\"exactly\":2}", error.Message);
    }

    [Fact]
    public void A_claim_without_a_claimant_is_reported_through_if_then()
    {
        var file = Source000();
        Occurrence(file, 0)["claimant"] = null;

        var error = SingleError(file);
        Assert.Equal("$.occurrences[0].claimant", error.Path);
        Assert.Equal("must be of type string, but is null (this applies when firmness is \"claimed\")", error.Message);
    }

    [Fact]
    public void Territory_lost_without_a_loser_is_reported_through_contains()
    {
        var file = Source000();
        Occurrence(file, 4)["kind"] = "territory-lost"; // its only actor is a gainer

        var error = SingleError(file);
        Assert.Equal("$.occurrences[4].actors", error.Path);
        Assert.Equal("must contain an item where role is \"loser\", but none of its 1 item(s) does (this applies when kind is \"territory-lost\")", error.Message);
    }

    [Fact]
    public void An_undated_source_must_have_unknown_precision()
    {
        var file = Source000();
        file["source"]!["published"] = null;

        var error = SingleError(file);
        Assert.Equal("$.source.publishedPrecision", error.Path);
        Assert.Equal("must be \"unknown\", but is \"week\" (this applies when published is null)", error.Message);
    }

    [Fact]
    public void A_broken_occurrence_in_a_file_checked_against_the_root_reports_the_source_file_errors()
    {
        var file = Source000();
        Occurrence(file, 1).Remove("when");

        var error = SingleError(file, "#");
        Assert.Equal("$.occurrences[1].when", error.Path);
    }

    // ---- Each keyword on a small inline schema ----

    [Theory]
    [InlineData("""{"type": "integer"}""", "1.5", "$", "must be of type integer, but is 1.5")]
    [InlineData("""{"type": ["string", "null"]}""", "true", "$", "must be of type string or null, but is true")]
    [InlineData("""{"const": "unknown"}""", "\"day\"", "$", "must be \"unknown\", but is \"day\"")]
    [InlineData("""{"enum": ["a", null]}""", "\"b\"", "$", "must be one of \"a\", null, but is \"b\"")]
    [InlineData("""{"required": ["a b"]}""", "{}", "$[\"a b\"]", "is required")]
    [InlineData("""{"properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "number"}}""", """{"a": "x", "b": "y"}""", "$.b", "must be of type number, but is \"y\"")]
    [InlineData("""{"items": {"minimum": 0}}""", "[1, 2, -3]", "$[2]", "must be at least 0, but is -3")]
    [InlineData("""{"minItems": 1}""", "[]", "$", "must have at least 1 item(s), but has 0")]
    [InlineData("""{"maxItems": 1}""", "[1, 2]", "$", "must have at most 1 item(s), but has 2")]
    [InlineData("""{"uniqueItems": true}""", """["Derna", "Darna", "Derna"]""", "$[2]", "repeats item [0] (\"Derna\"); items must be unique")]
    [InlineData("""{"contains": {"type": "string"}}""", "[1, 2]", "$", "must contain an item where it matches {\"type\":\"string\"}, but none of its 2 item(s) does")]
    [InlineData("""{"minLength": 1}""", "\"\"", "$", "must not be empty")]
    [InlineData("""{"maxLength": 2}""", "\"abc\"", "$", "must be at most 2 characters long, but has 3")]
    [InlineData("""{"pattern": "\\.txt$"}""", "\"a.txt.bak\"", "$", "must match the pattern \\.txt$, but is \"a.txt.bak\"")]
    [InlineData("""{"maximum": 90}""", "90.5", "$", "must be at most 90, but is 90.5")]
    [InlineData("""{"not": {"properties": {"a": {"const": 1}}}}""", """{"a": 1}""", "$", "must not be a value where a is 1")]
    [InlineData("""{"anyOf": [{"type": "string"}, {"type": "number"}]}""", "null", "$", "must be one of: string; number; but is null")]
    [InlineData("""{"oneOf": [{"type": "number"}, {"type": "integer"}]}""", "3", "$", "matches number and integer at once, but must match exactly one of them")]
    [InlineData("""{"allOf": [{"minimum": 1}, {"maximum": 2}]}""", "3", "$", "must be at most 2, but is 3")]
    [InlineData("""{"if": {"properties": {"lat": {"type": "null"}}}, "then": true, "else": {"properties": {"lon": {"type": "number"}}}}""", """{"lat": 1, "lon": null}""", "$.lon", "must be of type number, but is null (this applies unless lat is null)")]
    [InlineData("""{"$defs": {"d": {"pattern": "^x"}}, "properties": {"a": {"$ref": "#/$defs/d"}}}""", """{"a": "yx"}""", "$.a", "must match the pattern ^x, but is \"yx\"")]
    [InlineData("""{"properties": {"a": false}}""", """{"a": 1}""", "$.a", "no value is allowed here")]
    public void A_violated_keyword_is_reported_at_the_right_path(string schema, string instance, string path, string message)
    {
        var error = Assert.Single(JsonSchemaValidator.Validate(JsonElement.Parse(schema), "#", JsonElement.Parse(instance)));
        Assert.Equal(new SchemaError(path, message), error);
    }

    [Theory]
    [InlineData("""{"type": "integer"}""", "2.0")] // an integer by value
    [InlineData("""{"const": 1}""", "1.0")]
    [InlineData("""{"enum": ["a", null]}""", "null")]
    [InlineData("""{"uniqueItems": true}""", "[1, \"1\", [1]]")]
    [InlineData("""{"minLength": 2, "maxLength": 2}""", "\"😀é\"")] // lengths count code points
    [InlineData("""{"pattern": "b"}""", "\"abc\"")] // patterns are not anchored
    [InlineData("""{"format": "date", "title": "t", "description": "d", "$comment": "c", "examples": [1], "default": 1}""", "\"x\"")]
    [InlineData("""{"oneOf": [{"type": "null"}, {"required": ["a"]}]}""", """{"a": 1}""")]
    [InlineData("""{"properties": {"a": {"type": "string"}}}""", "42")] // object keywords ignore other types
    public void A_value_that_keeps_every_keyword_has_no_errors(string schema, string instance) =>
        Assert.Empty(JsonSchemaValidator.Validate(JsonElement.Parse(schema), "#", JsonElement.Parse(instance)));

    [Fact]
    public void An_unsupported_keyword_throws_even_where_no_instance_reaches()
    {
        var schema = JsonElement.Parse("""{"$defs": {"unused": {"type": "object", "patternProperties": {"^x": true}}}}""");

        var ex = Assert.Throws<InvalidOperationException>(() => JsonSchemaValidator.Validate(schema, "#", JsonElement.Parse("1")));
        Assert.Contains("\"patternProperties\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("#/$defs/unused/patternProperties", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_that_does_not_resolve_throws()
    {
        var schema = JsonElement.Parse("""{"properties": {"a": {"$ref": "#/$defs/missing"}}}""");

        var ex = Assert.Throws<InvalidOperationException>(() => JsonSchemaValidator.Validate(schema, "#", JsonElement.Parse("{}")));
        Assert.Contains("#/$defs/missing", ex.Message, StringComparison.Ordinal);
    }
}
