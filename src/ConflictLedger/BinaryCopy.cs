using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace ConflictLedger;

/// <summary>
/// Rows in PostgreSQL's binary COPY format, written into a buffer and sent through the
/// COPY's raw stream, for the tables the ledger fills by the hundred thousand rows (a
/// rebuild's generation, the log's bulk import). Written by hand because Npgsql's <see cref="NpgsqlBinaryImporter"/>
/// binds a parameter for every field it writes (its type resolved, a converter found, an
/// async state machine run): on a 1,000,000-event rebuild, some 20 million fields, that was
/// about a seventh of the process's time in its pass and the largest part of writing the
/// intervals, which is the rebuild's last step (the README has the figures). Only the types
/// the ledger writes this way: text, bigint, date, timestamptz, uuid, jsonb, and arrays of text and uuid.
/// </summary>
/// <remarks>
/// The format: a signature and two zero words; each row its field count, then each field
/// its length (-1 for null) and its bytes in network order; -1 at the end
/// (https://www.postgresql.org/docs/15/sql-copy.html, "Binary Format"). Text is encoded
/// as Npgsql encodes it (UTF-8, refusing what is not valid UTF-16), so a value either
/// writes the same bytes or fails the same way.
/// </remarks>
internal sealed class BinaryCopy : IAsyncDisposable
{
    private const int TextOid = 25;
    private const int UuidOid = 2950;
    private static readonly DateOnly PostgresEpoch = new(2000, 1, 1);
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static ReadOnlySpan<byte> Signature => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly NpgsqlRawCopyStream stream;
    private byte[] buffer = new byte[64 * 1024];
    private int used;
    /// <summary>Arrays being written: their length is written when they end, so the buffer is not sent meanwhile.</summary>
    private int openArrays;
    private bool ended;

    private BinaryCopy(NpgsqlRawCopyStream stream) => this.stream = stream;

    /// <summary>Starts <paramref name="copy"/> (a <c>copy ... from stdin (format binary)</c>) on <paramref name="connection"/>.</summary>
    public static async Task<BinaryCopy> BeginAsync(NpgsqlConnection connection, string copy, CancellationToken ct)
    {
        var writer = new BinaryCopy(await connection.BeginRawBinaryCopyAsync(copy, ct));
        Signature.CopyTo(writer.Take(Signature.Length));
        writer.Int32(0);
        writer.Int32(0);
        return writer;
    }

    public void StartRow(short fields) => BinaryPrimitives.WriteInt16BigEndian(Take(2), fields);

    public void Null() => Int32(-1);

    public void Text(string value)
    {
        Ensure(4 + Utf8.GetMaxByteCount(value.Length));
        var length = Utf8.GetBytes(value, buffer.AsSpan(used + 4));
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(used), length);
        used += 4 + length;
    }

    /// <summary>Text already encoded as UTF-8 (a document serialised into a buffer).</summary>
    public void Text(ReadOnlySpan<byte> utf8)
    {
        var span = Take(4 + utf8.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, utf8.Length);
        utf8.CopyTo(span[4..]);
    }

    public void TextOrNull(string? value)
    {
        if (value is null) Null();
        else Text(value);
    }

    public void Int64(long value)
    {
        var span = Take(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
    }

    public void Date(DateOnly value)
    {
        var span = Take(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], value.DayNumber - PostgresEpoch.DayNumber);
    }

    /// <summary>A <c>timestamptz</c>: microseconds since 2000-01-01 UTC (finer ticks are cut, as Npgsql cuts them).</summary>
    public void TimestampTz(DateTimeOffset value)
    {
        var span = Take(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], (value.UtcTicks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>A <c>jsonb</c> value: its format's version (1), then the JSON text, which the server checks.</summary>
    public void Jsonb(string json)
    {
        Ensure(5 + Utf8.GetMaxByteCount(json.Length));
        buffer[used + 4] = 1;
        var length = Utf8.GetBytes(json, buffer.AsSpan(used + 5));
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(used), 1 + length);
        used += 5 + length;
    }

    public void JsonbOrNull(string? json)
    {
        if (json is null) Null();
        else Jsonb(json);
    }

    public void DateOrNull(DateOnly? value)
    {
        if (value is { } day) Date(day);
        else Null();
    }

    public void Uuid(Guid value)
    {
        var span = Take(20);
        BinaryPrimitives.WriteInt32BigEndian(span, 16);
        value.TryWriteBytes(span[4..], bigEndian: true, out _);
    }

    public void TextArray(IReadOnlyList<string> values)
    {
        var start = StartArray(values.Count, TextOid);
        for (var i = 0; i < values.Count; i++) Text(values[i]);
        EndArray(start);
    }

    public void UuidArray(IReadOnlyList<Guid> values)
    {
        var start = StartArray(values.Count, UuidOid);
        for (var i = 0; i < values.Count; i++) Uuid(values[i]);
        EndArray(start);
    }

    /// <summary>Sends the end of the data and waits for the server to take it: a row it refuses throws here.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        BinaryPrimitives.WriteInt16BigEndian(Take(2), -1);
        await stream.WriteAsync(buffer.AsMemory(0, used), ct);
        used = 0;
        ended = true;
        // Disposing a raw COPY stream that writes ends the COPY and reads the server's answer.
        await stream.DisposeAsync();
    }

    /// <summary>A COPY not completed is cancelled: the server keeps none of its rows.</summary>
    public async ValueTask DisposeAsync()
    {
        if (ended) return;
        ended = true;
        try
        {
            await stream.CancelAsync();
            await stream.DisposeAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or ObjectDisposedException)
        {
            // The connection is gone, and the COPY with it: the failure that got here says why,
            // and must not be replaced by this one.
        }
    }

    private void Int32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    /// <summary>
    /// An array's length (written by <see cref="EndArray"/>) and header: one dimension (none
    /// when empty, as PostgreSQL writes an empty array), no nulls, the element type.
    /// </summary>
    private int StartArray(int count, int elementOid)
    {
        var span = Take(count == 0 ? 16 : 24);
        var start = used - span.Length;
        BinaryPrimitives.WriteInt32BigEndian(span[4..], count == 0 ? 0 : 1);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], elementOid);
        if (count > 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[16..], count);
            BinaryPrimitives.WriteInt32BigEndian(span[20..], 1);
        }
        openArrays++;
        return start;
    }

    private void EndArray(int start)
    {
        openArrays--;
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(start), used - start - 4);
    }

    /// <summary>The next <paramref name="length"/> bytes of the buffer, counted as written.</summary>
    private Span<byte> Take(int length)
    {
        Ensure(length);
        var span = buffer.AsSpan(used, length);
        used += length;
        return span;
    }

    /// <summary>
    /// Room for <paramref name="length"/> more bytes: what the buffer holds is sent first when
    /// they do not fit (but not inside an array: the buffer grows instead).
    /// </summary>
    private void Ensure(int length)
    {
        if (used + length <= buffer.Length) return;
        if (openArrays == 0 && used > 0)
        {
            stream.Write(buffer, 0, used);
            used = 0;
        }
        if (used + length > buffer.Length) Array.Resize(ref buffer, Math.Max(2 * buffer.Length, used + length));
    }
}
