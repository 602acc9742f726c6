using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Evernet.Gossip.Runtime;

namespace Evernet.Daemon.Transport;

/// <summary>The textual transport addresses the core uses ("192.0.2.1:7946", "[fd00::1]:7946", "[fe80::1%mesh0]:7946").</summary>
public static class PeerEndpoint
{
    /// <summary>An IP literal with an explicit port 1..65535; IPv6 in brackets, optionally with a %scope (name or index).</summary>
    public static bool TryParse(string? text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        if (string.IsNullOrEmpty(text) || text.Length > 128) return false;
        // IPEndPoint.TryParse reads "fd00::1:7946" as an address with port 0 and "1.2.3.4" as port 0: demand a port.
        if (!IPEndPoint.TryParse(text, out var parsed) || parsed.Port == 0) return false;
        if (parsed.AddressFamily == AddressFamily.InterNetworkV6 && !text.StartsWith('[')) return false;
        endpoint = parsed;
        return true;
    }

    /// <summary>A seed: an IP endpoint as above, or "hostname:port".</summary>
    public static bool IsValidSeed(string? text)
    {
        if (TryParse(text, out _)) return true;
        if (string.IsNullOrEmpty(text)) return false;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || text.IndexOf(':') != colon) return false;
        return Uri.CheckHostName(text[..colon]) == UriHostNameType.Dns
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535;
    }

    /// <summary>The canonical text of an endpoint (what a received datagram's source becomes).</summary>
    public static PeerAddress Format(IPEndPoint endpoint)
    {
        var address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
        return new PeerAddress(address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{address}]:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{address}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// Seeds as the core wants them: IP endpoints as they are, host names resolved (every address, IPv4 first).
    /// A name that does not resolve is reported in <c>Failures</c> and skipped; the node still starts.
    /// </summary>
    public static async Task<(ImmutableArray<PeerAddress> Seeds, IReadOnlyList<string> Failures)> ResolveSeedsAsync(IEnumerable<string> seeds, CancellationToken cancellationToken)
    {
        var result = ImmutableArray.CreateBuilder<PeerAddress>();
        var failures = new List<string>();
        foreach (var seed in seeds)
        {
            if (TryParse(seed, out var endpoint))
            {
                result.Add(Format(endpoint));
                continue;
            }
            if (!IsValidSeed(seed))
            {
                failures.Add($"{seed}: not host:port");
                continue;
            }
            int colon = seed.LastIndexOf(':');
            int port = int.Parse(seed[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(seed[..colon], cancellationToken).ConfigureAwait(false);
                if (addresses.Length == 0) failures.Add($"{seed}: no address");
                foreach (var address in addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1))
                    result.Add(Format(new IPEndPoint(address, port)));
            }
            catch (SocketException e)
            {
                failures.Add($"{seed}: {e.Message}");
            }
        }
        return (result.Distinct().ToImmutableArray(), failures);
    }
}
