using ConflictLedger.Control;
using ConflictLedger.ReadModel;
using Npgsql;

namespace ConflictLedger.Tests.Control;

/// <summary>Rows of a generation rewritten as a node of an earlier version wrote them: every document whole.</summary>
internal static class WholeDocuments
{
    /// <summary>
    /// The documents of the claims matching <paramref name="where"/> whole (the stored one and its
    /// columns, as the writer before wrote it), with <paramref name="alsoSet"/> on the same rows.
    /// </summary>
    public static async Task RewriteClaimsAsync(NpgsqlDataSource dataSource, string generation, string where = "true", string? alsoSet = null)
    {
        var rows = new List<(string Row, string Claim)>();
        await using (var read = dataSource.CreateCommand(
            $"select ctid::text, {StoredClaim.Columns("c")} from \"{generation}\".control_claims c where {where}"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var row = StoredClaim.Row.Of(reader, 1);
                Assert.DoesNotContain("\"eventId\"", row.Document, StringComparison.Ordinal);
                rows.Add((reader.GetString(0), Json.Serialize(row.ToClaim() with { SupersededFrom = null })));
            }
        }
        Assert.NotEmpty(rows);
        await using var update = dataSource.CreateCommand($"""
            update "{generation}".control_claims c set claim = w.claim{(alsoSet is null ? "" : ", " + alsoSet)}
              from unnest($1::text[], $2::text[]) as w(row, claim) where c.ctid = w.row::tid
            """);
        update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.Row).ToArray() });
        update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.Claim).ToArray() });
        await update.ExecuteNonQueryAsync();
    }

    /// <summary>Every occurrence's document as the whole view it reads as.</summary>
    public static async Task RewriteOccurrencesAsync(NpgsqlDataSource dataSource, string generation)
    {
        var views = new List<(string Id, string Doc)>();
        await using (var read = dataSource.CreateCommand($"select id, doc from \"{generation}\".occurrences"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) views.Add((reader.GetString(0), Json.Serialize(StoredOccurrence.Read(reader.GetString(1)))));
        }
        Assert.NotEmpty(views);
        await using var update = dataSource.CreateCommand($"""
            update "{generation}".occurrences o set doc = w.doc from unnest($1::text[], $2::text[]) as w(id, doc) where o.id = w.id
            """);
        update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = views.Select(v => v.Id).ToArray() });
        update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = views.Select(v => v.Doc).ToArray() });
        await update.ExecuteNonQueryAsync();
    }
}
