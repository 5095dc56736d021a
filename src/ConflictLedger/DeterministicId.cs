using System.Security.Cryptography;
using System.Text;

namespace ConflictLedger;

/// <summary>
/// Name-based ids (RFC 9562 version 8, from SHA-256): importing the same thing twice
/// yields the same event ids, so the store turns the second import into a no-op.
/// </summary>
public static class DeterministicId
{
    public static Guid From(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
