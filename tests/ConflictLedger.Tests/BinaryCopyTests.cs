using System.Text.Json.Nodes;
using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Tests;

/// <summary>
/// <see cref="BinaryCopy"/> writes PostgreSQL's binary COPY format by hand: every type it
/// writes must arrive as Npgsql's own importer would have sent it, across buffers, and a
/// COPY that is not completed must leave nothing behind.
/// </summary>
public sealed class BinaryCopyTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private sealed record Row(string Text, long Number, DateOnly Day, DateOnly? MaybeDay, Guid Id, string? MaybeText, string[] Texts, Guid[] Ids,
        DateTimeOffset At, string? Json);

    private async Task<string> TableAsync(string name)
    {
        var table = $"\"{fixture.Schema}\".{name}";
        await using var create = fixture.DataSource.CreateCommand(
            $"create table {table} (t text not null, n bigint not null, d date not null, md date, id uuid not null, mt text, ts text[] not null, ids uuid[] not null, at timestamptz not null, j jsonb)");
        await create.ExecuteNonQueryAsync();
        return table;
    }

    private static string CopyInto(string table) => $"copy {table} from stdin (format binary)";

    private async Task<long> CountAsync(string table)
    {
        await using var count = fixture.DataSource.CreateCommand($"select count(*) from {table}");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static void Write(BinaryCopy copy, IEnumerable<Row> rows)
    {
        foreach (var row in rows)
        {
            copy.StartRow(10);
            copy.Text(row.Text);
            copy.Int64(row.Number);
            copy.Date(row.Day);
            copy.DateOrNull(row.MaybeDay);
            copy.Uuid(row.Id);
            copy.TextOrNull(row.MaybeText);
            copy.TextArray(row.Texts);
            copy.UuidArray(row.Ids);
            copy.TimestampTz(row.At);
            copy.JsonbOrNull(row.Json);
        }
    }

    private async Task<List<Row>> ReadAsync(string table)
    {
        var rows = new List<Row>();
        await using var select = fixture.DataSource.CreateCommand($"select t, n, d, md, id, mt, ts, ids, at, j::text from {table} order by n");
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateOnly>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3), reader.GetGuid(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetFieldValue<string[]>(6), reader.GetFieldValue<Guid[]>(7), reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
        }
        return rows;
    }

    private static List<Row> RandomRows(int count)
    {
        var random = new Random(11);
        string[] words = ["derna", "درنة", "al-Harish Hospital", "", "Ünïcödé 🚩", "quote \"and\" \\ backslash"];
        return Enumerable.Range(0, count).Select(i => new Row(
            // Some values larger than the writer's buffer, so rows and arrays straddle its ends.
            i % 97 == 0 ? new string('x', random.Next(60_000, 200_000)) : words[random.Next(words.Length)] + i,
            i,
            new DateOnly(1800, 1, 1).AddDays(random.Next(0, 90_000)),
            i % 3 == 0 ? null : new DateOnly(2015, 6, 12).AddDays(random.Next(-5000, 5000)),
            Guid.NewGuid(),
            i % 4 == 0 ? null : words[random.Next(words.Length)],
            Enumerable.Range(0, i % 5 == 0 ? 0 : random.Next(1, i % 89 == 0 ? 5_000 : 6)).Select(j => words[random.Next(words.Length)] + j).ToArray(),
            Enumerable.Range(0, i % 7 == 0 ? 0 : random.Next(1, i % 83 == 0 ? 5_000 : 4)).Select(_ => Guid.NewGuid()).ToArray(),
            // Instants before and after PostgreSQL's epoch (2000), to the microsecond.
            new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(0, 40L * 365 * TimeSpan.TicksPerDay) / 10 * 10),
            i % 6 == 0 ? null : $$"""{"word":"{{words[random.Next(words.Length)].Replace("\\", "\\\\").Replace("\"", "\\\"")}}","n":{{i}}}""")).ToList();
    }

    [Fact]
    public async Task every_type_arrives_as_written_across_buffers()
    {
        var table = await TableAsync("copied");
        var rows = RandomRows(3_000);
        await using (var connection = await fixture.DataSource.OpenConnectionAsync())
        await using (var copy = await BinaryCopy.BeginAsync(connection, CopyInto(table), default))
        {
            Write(copy, rows);
            await copy.CompleteAsync(default);
        }

        var read = await ReadAsync(table);
        Assert.Equal(rows.Count, read.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i] with { Texts = [], Ids = [], Json = null }, read[i] with { Texts = [], Ids = [], Json = null });
            Assert.Equal(rows[i].Texts, read[i].Texts);
            Assert.Equal(rows[i].Ids, read[i].Ids);
            // jsonb keeps the value, not the text: spaces and key order are its own.
            Assert.True(rows[i].Json is null ? read[i].Json is null : JsonNode.DeepEquals(JsonNode.Parse(rows[i].Json!), JsonNode.Parse(read[i].Json!)));
        }
    }

    [Fact]
    public async Task the_same_rows_as_npgsqls_importer()
    {
        var ours = await TableAsync("ours");
        var theirs = await TableAsync("theirs");
        var rows = RandomRows(500);
        await using (var connection = await fixture.DataSource.OpenConnectionAsync())
        {
            await using (var copy = await BinaryCopy.BeginAsync(connection, CopyInto(ours), default))
            {
                Write(copy, rows);
                await copy.CompleteAsync(default);
            }
            await using var importer = await connection.BeginBinaryImportAsync(CopyInto(theirs));
            foreach (var row in rows)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(row.Text);
                await importer.WriteAsync(row.Number);
                await importer.WriteAsync(row.Day);
                await importer.WriteAsync(row.MaybeDay);
                await importer.WriteAsync(row.Id);
                await importer.WriteAsync(row.MaybeText);
                await importer.WriteAsync(row.Texts);
                await importer.WriteAsync(row.Ids);
                await importer.WriteAsync(row.At);
                await importer.WriteAsync(row.Json, NpgsqlTypes.NpgsqlDbType.Jsonb);
            }
            await importer.CompleteAsync();
        }

        await using var differ = fixture.DataSource.CreateCommand($"select count(*) from ((table {ours} except all table {theirs}) union all (table {theirs} except all table {ours})) d");
        Assert.Equal(0L, (long)(await differ.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task a_copy_not_completed_leaves_no_row_and_the_connection_usable()
    {
        var table = await TableAsync("abandoned");
        await using var connection = await fixture.DataSource.OpenConnectionAsync();
        await using (var copy = await BinaryCopy.BeginAsync(connection, CopyInto(table), default))
            Write(copy, RandomRows(300));

        await using var count = new NpgsqlCommand($"select count(*) from {table}", connection);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task a_copy_whose_connection_is_lost_fails_with_that_loss()
    {
        var table = await TableAsync("cut");
        await using var connection = await fixture.DataSource.OpenConnectionAsync();
        var lost = await Record.ExceptionAsync(async () =>
        {
            await using var copy = await BinaryCopy.BeginAsync(connection, CopyInto(table), default);
            Write(copy, RandomRows(100));
            await using (var terminate = fixture.DataSource.CreateCommand($"select pg_terminate_backend({connection.ProcessID})"))
                await terminate.ExecuteScalarAsync();
            // Enough to fill the socket's buffers: the loss shows while writing or on completing.
            Write(copy, RandomRows(3_000));
            await copy.CompleteAsync(default);
        });

        // The loss itself, not a failure of cancelling the COPY on the dead connection after it.
        Assert.IsAssignableFrom<NpgsqlException>(lost);
        Assert.Equal(0L, await CountAsync(table));
    }

    [Fact]
    public async Task a_row_the_server_refuses_fails_the_copy_with_its_reason()
    {
        var table = await TableAsync("refused");
        await using var connection = await fixture.DataSource.OpenConnectionAsync();
        var copy = await BinaryCopy.BeginAsync(connection, CopyInto(table), default);
        await using (copy)
        {
            copy.StartRow(10);
            copy.Text("a NUL \0 is not text to PostgreSQL");
            copy.Int64(1);
            copy.Date(new DateOnly(2015, 6, 12));
            copy.Null();
            copy.Uuid(Guid.NewGuid());
            copy.Null();
            copy.TextArray([]);
            copy.UuidArray([]);
            copy.TimestampTz(DateTimeOffset.UnixEpoch);
            copy.Null();
            var refused = await Assert.ThrowsAsync<PostgresException>(() => copy.CompleteAsync(default));
            Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, refused.SqlState);
        }
        await using var count = new NpgsqlCommand($"select count(*) from {table}", connection);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }
}
