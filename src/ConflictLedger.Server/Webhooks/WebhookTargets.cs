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
    /// <summary>What browsers and proxies reliably pass on; a longer URL is a mistake or an attack.</summary>
    public const int MaxUrlLength = 2000;

    // The IANA IPv4 Special-Purpose Address Registry (every entry, whether or not it is
    // marked globally reachable: none is a place a webhook receiver lives), plus multicast,
    // reserved and broadcast (224.0.0.0/3).
    private static readonly (IPAddress Network, int Bits)[] SpecialIPv4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8),       // "this network", with the unspecified address
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),   // carrier-grade NAT
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),  // link-local, where cloud metadata services answer
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24),    // IETF protocol assignments
        (IPAddress.Parse("192.0.2.0"), 24),    // documentation (TEST-NET-1)
        (IPAddress.Parse("192.31.196.0"), 24), // AS112-v4
        (IPAddress.Parse("192.52.193.0"), 24), // AMT
        (IPAddress.Parse("192.88.99.0"), 24),  // 6to4 relay anycast
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("192.175.48.0"), 24), // direct delegation AS112
        (IPAddress.Parse("198.18.0.0"), 15),   // benchmarking
        (IPAddress.Parse("198.51.100.0"), 24), // documentation (TEST-NET-2)
        (IPAddress.Parse("203.0.113.0"), 24),  // documentation (TEST-NET-3)
        (IPAddress.Parse("224.0.0.0"), 3),     // multicast, reserved (240/4), broadcast
    ];

    // IPv6 outside 2000::/3 is not global unicast (IANA IPv6 Address Space): that alone
    // refuses loopback, unspecified, IPv4-compatible ([::127.0.0.1]) and IPv4-mapped,
    // NAT64 (64:ff9b::/96, 64:ff9b:1::/48), discard (100::/64), unique local, link-local,
    // site-local (fec0::/10) and multicast. Inside it, the IANA IPv6 Special-Purpose
    // Address Registry's blocks:
    private static readonly IPAddress GlobalUnicast = IPAddress.Parse("2000::");
    private static readonly (IPAddress Network, int Bits)[] SpecialIPv6 =
    [
        (IPAddress.Parse("2001::"), 23),        // IETF protocol assignments: Teredo (IPv4 inside), benchmarking, ORCHID, AMT
        (IPAddress.Parse("2001:db8::"), 32),    // documentation
        (IPAddress.Parse("2002::"), 16),        // 6to4 (IPv4 inside)
        (IPAddress.Parse("2620:4f:8000::"), 48),// direct delegation AS112
        (IPAddress.Parse("3fff::"), 20),        // documentation
    ];

    /// <summary>True for every address that is not public unicast: special-purpose, private, or an IPv6 form that embeds IPv4.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return true;
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return SpecialIPv4.Any(s => SamePrefix(bytes, s.Network.GetAddressBytes(), s.Bits));
        if (!SamePrefix(bytes, GlobalUnicast.GetAddressBytes(), 3)) return true;
        return SpecialIPv6.Any(s => SamePrefix(bytes, s.Network.GetAddressBytes(), s.Bits));
    }

    /// <summary>Why the URL cannot be a webhook target, or null when it can.</summary>
    public static async Task<string?> CheckAsync(string? url, bool allowInternal, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url))
            return "Give the URL that events are POSTed to.";
        if (url.Length > MaxUrlLength)
            return $"The URL is {url.Length} characters long; a webhook URL has at most {MaxUrlLength}.";
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
