using ConflictLedger.Catalog;

namespace ConflictLedger.Tests.Importing;

public sealed class AliasKeyTests
{
    [Theory]
    [InlineData("Abu-slim Martyr's Brigade", "Abu Slim Martyrs Brigade")]
    [InlineData("al-Harish Hospital", "Harish Hospital")]
    [InlineData("The Pearl Hotel", "pearl hotel")]
    [InlineData("Dérna", "DERNA")]
    [InlineData("Shura Council of Darna’s Jihadists", "shura council of darnas jihadists")]
    public void names_that_differ_only_in_case_accents_punctuation_or_articles_match(string a, string b) =>
        Assert.Equal(AliasKey.Of(a), AliasKey.Of(b));

    [Fact]
    public void an_article_alone_is_kept() => Assert.Equal("the", AliasKey.Of("The"));

    [Fact]
    public void an_alias_claimed_by_two_entries_is_refused()
    {
        var a = new Actor("a", "A", null, ActorKind.Group, null, ["Shura Council"]);
        var b = new Actor("b", "B", null, ActorKind.Group, null, ["shura council"]);
        var ex = Assert.Throws<CatalogException>(() => new Catalog.Catalog([a, b], []));
        Assert.Contains("'a' and 'b'", ex.Message, StringComparison.Ordinal);
    }
}
