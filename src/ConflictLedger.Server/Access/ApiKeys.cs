using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;

namespace ConflictLedger.Server.Access;

/// <summary>A key that was accepted: its label, and its hash as a stable identity for rate limits.</summary>
public sealed record ApiKeyIdentity(string Name, string Hash);

/// <summary>
/// The accepted API keys: those in configuration, hashed at start, and those in the
/// api_keys table. Keys themselves are never stored, only their SHA-256.
/// </summary>
public sealed class ApiKeys
{
    private readonly NpgsqlDataSource dataSource;
    private readonly string s;
    private readonly (string Name, byte[] Hash)[] configured;

    public ApiKeys(NpgsqlDataSource dataSource, ConflictLedgerOptions options)
    {
        this.dataSource = dataSource;
        s = $"\"{options.Schema}\"";
        configured = options.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k))
            .Select((key, i) => ($"configured key {i + 1}", HashOf(key))).ToArray();
    }

    public static byte[] HashOf(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string NewKey() => "cl_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public async Task<ApiKeyIdentity?> FindAsync(string key, CancellationToken ct)
    {
        var hash = HashOf(key);
        var hex = Convert.ToHexStringLower(hash);
        ApiKeyIdentity? match = null;
        // Every configured hash is compared, in constant time, so timing tells nothing about which came close.
        foreach (var (name, candidate) in configured)
            if (CryptographicOperations.FixedTimeEquals(hash, candidate)) match ??= new(name, hex);
        if (match is not null) return match;

        // Looked up by hash: the index's timing depends on the hash, which reveals nothing about any valid key.
        await using var command = dataSource.CreateCommand($"select name from {s}.api_keys where key_hash = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hex });
        return await command.ExecuteScalarAsync(ct) is string stored ? new(stored, hex) : null;
    }

    /// <summary>Makes and stores a new key; the caller shows it once, it cannot be read back.</summary>
    public async Task<string> CreateAsync(string name, CancellationToken ct)
    {
        var key = NewKey();
        await using var command = dataSource.CreateCommand($"insert into {s}.api_keys (key_hash, name) values ($1, $2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Convert.ToHexStringLower(HashOf(key)) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await command.ExecuteNonQueryAsync(ct);
        return key;
    }
}
