using System.Net;
using System.Net.Sockets;

namespace ConflictLedger.Server.Webhooks;

/// <summary>
/// Keeps webhooks from reaching into the server's own network (SSRF): targets must be
/// public addresses, checked when a webhook is created and again at every connection, so
/// a DNS name that later resolves inward is refused too.
/// </summary>
public static class WebhookTargets
{
    private static readonly (IPAddress Network, int Bits)[] Internal =
    [
        (IPAddress.Parse("0.0.0.0"), 8),       // "this network", with the unspecified address
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),   // carrier-grade NAT
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),  // link-local, where cloud metadata services answer
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("224.0.0.0"), 3),     // multicast, reserved, broadcast
        (IPAddress.IPv6Any, 128),
        (IPAddress.IPv6Loopback, 128),
        (IPAddress.Parse("fc00::"), 7),        // unique local
        (IPAddress.Parse("fe80::"), 10),       // link-local
        (IPAddress.Parse("ff00::"), 8),        // multicast
    ];

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        foreach (var (network, bits) in Internal)
        {
            var prefix = network.GetAddressBytes();
            if (prefix.Length == bytes.Length && SamePrefix(bytes, prefix, bits)) return true;
        }
        return false;
    }

    /// <summary>Why the URL cannot be a webhook target, or null when it can.</summary>
    public static async Task<string?> CheckAsync(string? url, bool allowInternal, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url))
            return "Give the URL that events are POSTed to.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return $"'{url}' is not an absolute http:// or https:// URL.";
        if (allowInternal) return null;
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.DnsSafeHost, ct);
        }
        catch (SocketException ex)
        {
            return $"The host '{uri.Host}' could not be resolved ({ex.SocketErrorCode}).";
        }
        return addresses.FirstOrDefault(IsInternal) is { } inward
            ? $"'{uri.Host}' resolves to {inward}, a loopback, private, link-local or otherwise internal address: webhooks may only target public addresses."
            : null;
    }

    /// <summary>The handler deliveries go through: no redirects (they could lead inward) and the address check at connect time.</summary>
    public static SocketsHttpHandler CreateHandler(bool allowInternal) => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await ResolveAsync(context.DnsEndPoint.Host, ct);
            if (!allowInternal) addresses = addresses.Where(a => !IsInternal(a)).ToArray();
            if (addresses.Length == 0)
                throw new HttpRequestException($"'{context.DnsEndPoint.Host}' resolves to no public address; delivery refused.");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);

    private static bool SamePrefix(byte[] address, byte[] network, int bits)
    {
        for (var i = 0; i < bits / 8; i++)
            if (address[i] != network[i]) return false;
        var rest = bits % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (address[bits / 8] & mask) == (network[bits / 8] & mask);
    }
}
