using System.Buffers;
using System.Text.Json;

namespace ConflictLedger.ReadModel;

/// <summary>
/// A document's JSON (as the read model stores it, <see cref="Json.Stored"/>) as UTF-8 in a buffer rented
/// from a pool, given back once the row is written. A rebuild writes a document per
/// occurrence, claim and interval, each alive only until its row is sent: allocated, they were
/// a quarter of the rebuild's allocations, and every collection copied those still queued.
/// </summary>
internal readonly record struct PooledJson(byte[] Buffer, int Length)
{
    /// <summary>
    /// A pool of its own: a batch's documents are rented on every core and given back by the
    /// one thread that writes them, a thousand at a time, more than the shared pool keeps.
    /// </summary>
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 1024 * 1024, maxArraysPerBucket: 4096);

    [ThreadStatic] private static ArrayBufferWriter<byte>? written;
    [ThreadStatic] private static Utf8JsonWriter? writer;

    public static PooledJson Of<T>(T value) => Of(value, Json.Stored);

    public static PooledJson Of<T>(T value, JsonSerializerOptions options)
    {
        var buffer = written ??= new ArrayBufferWriter<byte>(16 * 1024);
        var json = writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Json.Options.Encoder, SkipValidation = true });
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        JsonSerializer.Serialize(json, value, options);
        json.Flush();
        var rented = Pool.Rent(buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(rented);
        return new PooledJson(rented, buffer.WrittenCount);
    }

    public ReadOnlyMemory<byte> Text => Buffer.AsMemory(0, Length);

    public void Return() => Pool.Return(Buffer);
}
