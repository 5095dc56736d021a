using System.Text.Json.Nodes;

namespace ConflictLedger.Log.Tests;

/// <summary>
/// The metadata read as it streams by (the usual case) must store what the tree reading stores:
/// the same ids in their columns and the same headers once in jsonb; anything unusual goes the tree's way.
/// </summary>
public sealed class StoredEventMetadataTests
{
    [Theory]
    [InlineData("""{"correlationId":"7c9e6679-7425-40de-944b-e07fc1f90ae7","source":"benchmark"}""")]
    [InlineData("""{ "causationId" : "c-1", "correlationId": "r-1", "apiKey": "analyst", "Idempotency-Key": "k\u00e9y \"quoted\"" }""")]
    [InlineData("""{"importFile":"acled-2016.csv","rows":[1,2,{"note":null}],"nested":{"a":null,"b":true},"n":1.50}""")]
    [InlineData("""{"source":"درنة"}""")]
    [InlineData("""{}""")]
    public void usual_metadata_is_read_in_one_pass_into_what_the_tree_gives(string metadata)
    {
        var plain = StoredEvent.PlainMetadata(metadata);
        Assert.NotNull(plain);
        var tree = StoredEvent.Metadata(metadata);
        Assert.Equal(tree.Causation, plain.Value.Causation);
        Assert.Equal(tree.Correlation, plain.Value.Correlation);
        Assert.Equal(tree.Headers is null, plain.Value.Headers is null);
        if (tree.Headers is not null) Assert.True(JsonNode.DeepEquals(JsonNode.Parse(tree.Headers), JsonNode.Parse(plain.Value.Headers!)), plain.Value.Headers);
    }

    [Theory]
    [InlineData("""{"correlationId":null,"source":"api"}""")] // a null property is left out of the headers
    [InlineData("""{"causationId":42}""")] // an id that is not a string is written as JSON
    [InlineData("""{"correlationId":{"a":1}}""")]
    [InlineData("""{"source":"a","source":"b"}""")] // a repeated property
    public void unusual_metadata_is_left_to_the_tree(string metadata) => Assert.Null(StoredEvent.PlainMetadata(metadata));
}
