using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConflictLedger.Server.Tests.BadInput;

/// <summary>
/// Every door refuses bad input the same way: a 4xx problem that names the field, and
/// nothing written (no event, no webhook). One row per kind of fault; the table is the
/// specification.
/// </summary>
public sealed class BadInputTests(BadInputTests.DeployedServer server) : IClassFixture<BadInputTests.DeployedServer>
{
    /// <summary>Seeded, and webhooks limited to public addresses as deployed.</summary>
    public sealed class DeployedServer : ServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConflictLedger:MaxProjectionLag"] = "0",
            ["ConflictLedger:AllowPrivateWebhookTargets"] = "false",
        };
    }

    private const string Seeded = "nasr-akr-assassination";
    private const string SeededAccount = "000_826cc1e8d54c4f38%2Fakr-and-aide-shot-dead";

    /// <param name="Field">The field the problem must name; empty when the status says it all (404).</param>
    /// <param name="ByKestrel">Kestrel refuses a NUL in the path and a request line over 8 KB itself, before the application, without a body.</param>
    public sealed record Case(string Name, HttpMethod Method, string Url, string? Body, string Field, HttpStatusCode Status = HttpStatusCode.BadRequest, string? IfMatch = null, bool ByKestrel = false)
    {
        public override string ToString() => Name;
    }

    private static string Today(int years) => DateOnly.FromDateTime(DateTime.UtcNow).AddYears(years).AddDays(1).ToString("yyyy-MM-dd");

    private static JsonObject Account() => new()
    {
        ["kind"] = "territory-taken",
        ["when"] = new JsonObject { ["earliest"] = "2015-06-18", ["latest"] = "2015-06-18", ["precision"] = "day", ["derivation"] = "as reported" },
        ["place"] = "Pearl Hotel",
        ["actors"] = new JsonArray(new JsonObject { ["actor"] = "MSC", ["role"] = "gainer" }, new JsonObject { ["actor"] = "IS", ["role"] = "loser" }),
        ["fatalities"] = new JsonObject { ["exact"] = 3 },
        ["firmness"] = "claimed",
        ["claimant"] = "MSC",
        ["extent"] = "whole",
        ["note"] = "a note",
        ["source"] = new JsonObject { ["outlet"] = "Bad input wire", ["headline"] = "Hotel taken", ["published"] = "2015-06-19", ["quote"] = "Fighters entered the hotel." },
    };

    /// <summary>The valid account with one field replaced (or removed, for null) at a dotted path such as "actors[1].role".</summary>
    private static JsonObject AccountWith(string path, JsonNode? value)
    {
        var account = Account();
        var parts = path.Split('.');
        JsonNode node = account;
        foreach (var part in parts[..^1]) node = Step(node, part)!;
        var last = parts[^1];
        if (last.EndsWith(']'))
        {
            var name = last[..last.IndexOf('[')];
            var index = int.Parse(last[(last.IndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            node[name]![index] = value;
        }
        else if (value is null) node.AsObject().Remove(last);
        else node[last] = value;
        return account;
    }

    private static JsonNode? Step(JsonNode node, string part)
    {
        if (!part.EndsWith(']')) return node[part];
        var name = part[..part.IndexOf('[')];
        return node[name]![int.Parse(part[(part.IndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)];
    }

    private static string Report(string path, JsonNode? value) => new JsonObject { ["account"] = AccountWith(path, value) }.ToJsonString();

    private static string Webhook(string? url = "https://93.184.215.14/hook", JsonNode? types = null, string? landmark = null, string? secret = null, string? description = null)
    {
        var body = new JsonObject { ["url"] = url };
        if (types is not null) body["types"] = types;
        if (landmark is not null) body["landmark"] = landmark;
        if (secret is not null) body["secret"] = secret;
        if (description is not null) body["description"] = description;
        return body.ToJsonString();
    }

    // JsonNode would escape these itself; the raw escapes are what a hostile client sends.
    private const string Nul = "NUL\u0000here";
    private static string LoneSurrogate(string body) => body.Replace("LONE", "\\ud800", StringComparison.Ordinal);

    public static TheoryData<Case> Cases()
    {
        var post = HttpMethod.Post;
        var get = HttpMethod.Get;
        var cases = new List<Case>();
        void Add(string name, HttpMethod method, string url, string? body, string field, HttpStatusCode status = HttpStatusCode.BadRequest, string? ifMatch = null) =>
            cases.Add(new Case(name, method, url, body, field, status, ifMatch, ByKestrel: url.Split('?')[0].Contains("%00", StringComparison.Ordinal) || url.Length > 8192));

        // NUL in every text field of a report, as PostgreSQL would refuse it (22P05).
        foreach (var path in new[] { "kind", "place", "firmness", "claimant", "extent", "note", "when.earliest", "when.precision", "when.derivation",
                     "actors[0].actor", "actors[0].role", "source.outlet", "source.headline", "source.published", "source.quote" })
            Add($"report: NUL in account.{path}", post, "/api/occurrences", Report(path, Nul), "account." + path);
        Add("report: NUL in occurrenceId", post, "/api/occurrences", new JsonObject { ["occurrenceId"] = Nul, ["account"] = Account() }.ToJsonString(), "occurrenceId");
        Add("report: NUL in a property name", post, "/api/occurrences", "{\"account\": {\"x\\u0000\": 1}}", "account");
        Add("report: lone surrogate in the quote", post, "/api/occurrences", LoneSurrogate(Report("source.quote", "LONE")), "body");
        Add("report: lone surrogate in the outlet", post, "/api/occurrences", LoneSurrogate(Report("source.outlet", "LONE")), "body");

        // World dates outside 1800-01-01 .. one year after today.
        foreach (var (date, why) in new[] { ("1799-12-31", "before 1800"), ("0001-01-01", "year 1"), ("9999-12-31", "year 9999"), (Today(1), "a year and a day ahead"), (Today(50), "fifty years ahead") })
        {
            Add($"report: when.earliest {why}", post, "/api/occurrences", Report("when", new JsonObject { ["earliest"] = date, ["latest"] = date }), "account.when.earliest");
            Add($"report: source.published {why}", post, "/api/occurrences", Report("source.published", date), "account.source.published");
        }
        Add("report: when.latest in year 9999", post, "/api/occurrences", Report("when.latest", "9999-12-31"), "account.when.latest");
        Add("report: when.latest before 1800", post, "/api/occurrences", Report("when", new JsonObject { ["earliest"] = "1799-01-01", ["latest"] = "1799-02-01" }), "account.when.latest");
        Add("report: not a date", post, "/api/occurrences", Report("when.earliest", "2015-13-45"), "account.when.earliest");
        Add("report: date in another format", post, "/api/occurrences", Report("when.earliest", "18/06/2015"), "account.when.earliest");
        Add("report: date with a time", post, "/api/occurrences", Report("when.earliest", "2015-06-18T10:00:00Z"), "account.when.earliest");
        Add("report: empty date", post, "/api/occurrences", Report("when.earliest", ""), "account.when.earliest");
        Add("report: latest before earliest", post, "/api/occurrences", Report("when.latest", "2015-06-01"), "account.when.latest");
        Add("report: published not a date", post, "/api/occurrences", Report("source.published", "yesterday"), "account.source.published");

        // Vocabulary and catalog.
        Add("report: unknown kind", post, "/api/occurrences", Report("kind", "coup"), "account.kind");
        Add("report: unknown precision", post, "/api/occurrences", Report("when.precision", "hour"), "account.when.precision");
        Add("report: unknown role", post, "/api/occurrences", Report("actors[0].role", "victim"), "account.actors[0].role");
        Add("report: unknown firmness", post, "/api/occurrences", Report("firmness", "certain"), "account.firmness");
        Add("report: unknown extent", post, "/api/occurrences", Report("extent", "all"), "account.extent");
        Add("report: unknown published precision", post, "/api/occurrences", Report("source.publishedPrecision", "hour"), "account.source.publishedPrecision");
        Add("report: unknown place", post, "/api/occurrences", Report("place", "Atlantis"), "account.place");
        Add("report: no place", post, "/api/occurrences", Report("place", null), "account.place");
        Add("report: unknown actor", post, "/api/occurrences", Report("actors[1].actor", "The Illuminati"), "account.actors[1].actor");
        Add("report: unknown claimant", post, "/api/occurrences", Report("claimant", "Nobody"), "account.claimant");
        Add("report: claimed without claimant", post, "/api/occurrences", Report("claimant", null), "account.claimant");
        Add("report: no actors", post, "/api/occurrences", Report("actors", new JsonArray()), "account.actors");
        Add("report: territory without gainer or loser", post, "/api/occurrences",
            Report("actors", new JsonArray(new JsonObject { ["actor"] = "MSC", ["role"] = "side" })), "account.actors");
        Add("report: negative fatalities", post, "/api/occurrences", Report("fatalities", new JsonObject { ["exact"] = -1 }), "account.fatalities");
        Add("report: exact and atLeast", post, "/api/occurrences", Report("fatalities", new JsonObject { ["exact"] = 1, ["atLeast"] = 2 }), "account.fatalities");
        Add("report: empty fatalities", post, "/api/occurrences", Report("fatalities", new JsonObject()), "account.fatalities");
        Add("report: no outlet", post, "/api/occurrences", Report("source.outlet", null), "account.source.outlet");
        Add("report: blank quote", post, "/api/occurrences", Report("source.quote", "  "), "account.source.quote");
        Add("report: no account", post, "/api/occurrences", "{}", "account");
        Add("report: occurrence id with capitals", post, "/api/occurrences", new JsonObject { ["occurrenceId"] = "Bad ID", ["account"] = Account() }.ToJsonString(), "occurrenceId");
        Add("report: occurrence id too long", post, "/api/occurrences", new JsonObject { ["occurrenceId"] = new string('a', 101), ["account"] = Account() }.ToJsonString(), "occurrenceId");

        // A second source's account: the body is the account, so fields have no prefix.
        var accounts = $"/api/occurrences/{Seeded}/accounts";
        Add("add account: NUL in the quote", post, accounts, AccountWith("source.quote", Nul).ToJsonString(), "source.quote");
        Add("add account: year 9999", post, accounts, AccountWith("when.earliest", "9999-12-31").ToJsonString(), "when.earliest");
        Add("add account: before 1800", post, accounts, AccountWith("when", new JsonObject { ["earliest"] = "1066-10-14" }).ToJsonString(), "when.earliest");
        Add("add account: unknown place", post, accounts, AccountWith("place", "Atlantis").ToJsonString(), "place");
        Add("add account: unreadable If-Match", post, accounts, Account().ToJsonString(), "If-Match", ifMatch: "\"abc\"");
        Add("add account: NUL in the occurrence id", post, "/api/occurrences/a%00b/accounts", Account().ToJsonString(), "id");

        // Corrections and retractions.
        var corrections = $"/api/occurrences/{Seeded}/accounts/{SeededAccount}/corrections";
        var retraction = $"/api/occurrences/{Seeded}/accounts/{SeededAccount}/retraction";
        Add("correction: NUL in the reason", post, corrections, new JsonObject { ["account"] = Account(), ["reason"] = Nul }.ToJsonString(), "reason");
        Add("correction: no reason", post, corrections, new JsonObject { ["account"] = Account() }.ToJsonString(), "reason");
        Add("correction: year 9999", post, corrections, new JsonObject { ["account"] = AccountWith("when.earliest", "9999-12-31"), ["reason"] = "r" }.ToJsonString(), "account.when.earliest");
        Add("correction: published before 1800", post, corrections, new JsonObject { ["account"] = AccountWith("source.published", "1700-01-01"), ["reason"] = "r" }.ToJsonString(), "account.source.published");
        Add("correction: no account", post, corrections, new JsonObject { ["reason"] = "r" }.ToJsonString(), "account");
        Add("correction: NUL in the account id", post, $"/api/occurrences/{Seeded}/accounts/a%00b/corrections", new JsonObject { ["account"] = Account(), ["reason"] = "r" }.ToJsonString(), "accountId");
        Add("retraction: NUL in the reason", post, retraction, new JsonObject { ["reason"] = Nul }.ToJsonString(), "reason");
        Add("retraction: no reason", post, retraction, "{}", "reason");
        Add("retraction: NUL in the account id", post, $"/api/occurrences/{Seeded}/accounts/x%00/retraction", new JsonObject { ["reason"] = "r" }.ToJsonString(), "accountId");
        Add("retraction: double-encoded NUL in the account id", post, $"/api/occurrences/{Seeded}/accounts/x%2500/retraction", new JsonObject { ["reason"] = "r" }.ToJsonString(), "", HttpStatusCode.NotFound);
        Add("retraction: unknown account", post, $"/api/occurrences/{Seeded}/accounts/nobody%2Fnothing/retraction", new JsonObject { ["reason"] = "r" }.ToJsonString(), "", HttpStatusCode.NotFound);
        Add("correction: unknown account", post, $"/api/occurrences/{Seeded}/accounts/nobody/corrections", new JsonObject { ["account"] = Account(), ["reason"] = "r" }.ToJsonString(), "", HttpStatusCode.NotFound);

        // Reads: query parameters.
        Add("control: NUL in landmark", get, "/api/control?at=2015-06-12&landmark=a%00b", null, "landmark");
        Add("control: NUL in at", get, "/api/control?at=2015%00", null, "at");
        Add("control: at is not a date", get, "/api/control?at=soon", null, "at");
        Add("control: no at", get, "/api/control", null, "at");
        Add("control: known is not a date", get, "/api/control?at=2015-06-12&known=later", null, "known");
        Add("control: at beyond the dates the ledger accepts", get, "/api/control?at=9999-12-31", null, "at");
        Add("control: known before the dates the ledger accepts", get, "/api/control?at=2015-06-12&known=1700-01-01", null, "known");
        Add("timeline: known beyond the dates the ledger accepts", get, "/api/landmarks/derna/timeline?known=9999-12-31", null, "known");
        Add("control: unknown landmark", get, "/api/control?at=2015-06-12&landmark=atlantis", null, "landmark");
        Add("control: unknown within", get, "/api/control?at=2015-06-12&within=atlantis", null, "within");
        Add("control: position no event has", get, "/api/control?at=2015-06-12&minPosition=999999999", null, "minPosition");
        Add("timeline: known is not a date", get, "/api/landmarks/derna/timeline?known=x", null, "known");
        Add("timeline: NUL in the landmark id", get, "/api/landmarks/a%00/timeline", null, "id");
        Add("occurrences: known is not a date", get, "/api/occurrences?known=x", null, "known");
        Add("occurrence: NUL in the id", get, "/api/occurrences/a%00", null, "id");
        Add("geojson: at is not a date", get, "/api/landmarks.geojson?at=x", null, "at");
        Add("catalog lookup: NUL in the name", get, "/api/catalog/lookup?name=a%00", null, "name");
        Add("control: 100 KB URL", get, "/api/control?at=2015-06-12&landmark=" + new string('a', 100_000), null, "", HttpStatusCode.RequestUriTooLong);
        Add("feed: 100 KB URL", get, "/feed?type=" + new string('t', 100_000), null, "", HttpStatusCode.RequestUriTooLong);
        Add("feed: unknown type", get, "/feed?type=no-such-event.v1", null, "type");
        Add("feed: one unknown type among known", get, "/feed?type=armed-clash-reported.v1,coup-reported.v1", null, "type");
        Add("feed: NUL in type", get, "/feed?type=a%00", null, "type");
        Add("feed: limit 0", get, "/feed?limit=0", null, "limit");
        Add("feed: limit too large", get, "/feed?limit=100000", null, "limit");
        Add("feed: after is not a position", get, "/feed?after=abc", null, "after");
        Add("feed: after no event has", get, "/feed?after=999999999", null, "after");
        Add("live: unknown type", get, "/feed/live?type=bogus.v1", null, "type");
        Add("live: unknown landmark", get, "/feed/live?landmark=atlantis", null, "landmark");
        Add("live: NUL in landmark", get, "/feed/live?landmark=%00", null, "landmark");
        Add("live: bad Last-Event-ID position", get, "/feed/live?after=-4", null, "after");

        // Webhooks: addresses (the IANA special-purpose registries), filters, sizes.
        foreach (var url in new[]
                 {
                     "http://127.0.0.1/h", "http://10.0.0.1/h", "http://172.16.0.1/h", "http://192.168.1.1/h", "http://169.254.169.254/h",
                     "http://100.64.0.1/h", "http://0.0.0.0/h", "http://192.0.0.1/h", "http://192.0.2.1/h", "http://198.18.0.1/h",
                     "http://198.51.100.1/h", "http://203.0.113.1/h", "http://192.88.99.1/h", "http://240.0.0.1/h", "http://255.255.255.255/h",
                     "http://224.0.0.1/h", "http://[::1]/h", "http://[::]/h", "http://[::127.0.0.1]/h", "http://[::ffff:127.0.0.1]/h",
                     "http://[64:ff9b::7f00:1]/h", "http://[64:ff9b:1::1]/h", "http://[2002:7f00:1::]/h", "http://[2001::1]/h", "http://[2001:db8::1]/h",
                     "http://[fec0::1]/h", "http://[fe80::1]/h", "http://[fc00::1]/h", "http://[fd00::1]/h", "http://[ff02::1]/h",
                     "http://[100::1]/h", "http://[3fff::1]/h", "http://[5f00::1]/h", "http://localhost/h",
                 })
            Add($"webhook: internal target {url}", post, "/api/webhooks", Webhook(url), "url");
        Add("webhook: 100 KB URL", post, "/api/webhooks", Webhook("https://93.184.215.14/" + new string('a', 100_000)), "url");
        Add("webhook: NUL in the URL", post, "/api/webhooks", Webhook("https://93.184.215.14/" + Nul), "url");
        Add("webhook: not http", post, "/api/webhooks", Webhook("ftp://93.184.215.14/h"), "url");
        Add("webhook: relative URL", post, "/api/webhooks", Webhook("/hook"), "url");
        Add("webhook: no URL", post, "/api/webhooks", Webhook(null), "url");
        Add("webhook: unknown type", post, "/api/webhooks", Webhook(types: new JsonArray("armed-clash-reported.v1", "bogus.v1")), "types");
        Add("webhook: empty type", post, "/api/webhooks", Webhook(types: new JsonArray("")), "types");
        Add("webhook: unknown landmark", post, "/api/webhooks", Webhook(landmark: "atlantis"), "landmark");
        Add("webhook: blank landmark", post, "/api/webhooks", Webhook(landmark: " "), "landmark");
        Add("webhook: bad secret", post, "/api/webhooks", Webhook(secret: "hunter2"), "secret");
        Add("webhook: description too long", post, "/api/webhooks", Webhook(description: new string('d', 501)), "description");
        Add("webhook: NUL in the description", post, "/api/webhooks", Webhook(description: Nul), "description");
        Add("webhook: replay from a bad position", post, $"/api/webhooks/{Guid.Empty}/replay?from=%00", null, "from");

        var data = new TheoryData<Case>();
        foreach (var c in cases) data.Add(c);
        return data;
    }

    [Fact]
    public void the_table_has_at_least_a_hundred_cases() => Assert.True(Cases().Count >= 100, $"{Cases().Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task bad_input_is_refused_naming_the_field_and_writes_nothing(Case c)
    {
        var before = await WrittenAsync();
        using var request = new HttpRequestMessage(c.Method, c.Url);
        if (c.Body is not null) request.Content = new StringContent(c.Body, Encoding.UTF8, "application/json");
        if (c.IfMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", c.IfMatch);

        using var response = await server.Writer.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == c.Status, $"{(int)response.StatusCode}: {text}");
        if (c.ByKestrel)
        {
            Assert.Equal(before, await WrittenAsync());
            return;
        }
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (c.Field.Length > 0)
        {
            var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(c.Field, out var messages), $"no error for '{c.Field}' in {errors}");
            Assert.Contains(messages.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString()));
        }
        Assert.Equal(before, await WrittenAsync());
    }

    /// <summary>Events and webhooks in this server's schema: what a refused request must leave as it was.</summary>
    private async Task<(long Events, long Webhooks)> WrittenAsync()
    {
        await using var command = server.DataSource.CreateCommand(
            $"select (select count(*) from \"{server.Schema}\".mt_events), (select count(*) from \"{server.Schema}\".webhooks)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
