using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConflictLedger.Server.Webhooks;

/// <summary>Standard Webhooks signing: <c>v1,</c> + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")).</summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a "whsec_" secret; null unless it is base64 of 24 to 64 bytes (the spec's range).</summary>
    public static byte[]? KeyOf(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal)) return null;
        var buffer = new byte[64];
        return Convert.TryFromBase64String(secret[SecretPrefix.Length..], buffer, out var length) && length >= 24
            ? buffer[..length]
            : null;
    }

    public static string Sign(string secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = KeyOf(secret) ?? throw new ArgumentException("The secret is not a whsec_ secret.", nameof(secret));
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
