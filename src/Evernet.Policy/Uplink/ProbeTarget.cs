using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Evernet.Policy;

public enum ProbeKind : byte
{
    /// <summary>ICMP echo to an address.</summary>
    Icmp = 0,
    /// <summary>A DNS query (for the root NS, say) to a resolver; port 53 unless given.</summary>
    Dns = 1,
    /// <summary>A TCP connect (SYN/SYN-ACK) to host:port.</summary>
    Tcp = 2,
    /// <summary>An HTTP GET of a URL (a 204 endpoint); the RTT is time to the response status.</summary>
    Http = 3,
}

/// <summary>
/// One internet target a gateway probes through its uplink. <see cref="Name"/> is the configured spec and the key in
/// <see cref="Evernet.Gossip.Records.ProbeTargetStats.Target"/>. For <see cref="ProbeKind.Http"/> the address is the URL.
/// </summary>
public sealed record ProbeTarget(string Name, ProbeKind Kind, string Address, int? Port)
{
    /// <summary>
    /// Parses "icmp:1.1.1.1", "dns:9.9.9.9", "dns:[2620:fe::fe]:53", "tcp:example.net:443", "http://example.net/generate_204"
    /// (or https://).
    /// </summary>
    public static bool TryParse(string spec, [NotNullWhen(true)] out ProbeTarget? target, out string error)
    {
        target = null;
        error = "";
        if (string.IsNullOrWhiteSpace(spec)) { error = "empty probe target"; return false; }
        spec = spec.Trim();
        if (spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(spec, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                error = $"'{spec}' is not a valid URL";
                return false;
            }
            target = new ProbeTarget(spec, ProbeKind.Http, spec, uri.Port);
            return true;
        }
        int colon = spec.IndexOf(':');
        if (colon <= 0) { error = $"'{spec}' must be kind:address (icmp, dns, tcp) or an http(s) URL"; return false; }
        string kindText = spec[..colon].ToLowerInvariant();
        string rest = spec[(colon + 1)..];
        ProbeKind kind;
        switch (kindText)
        {
            case "icmp": kind = ProbeKind.Icmp; break;
            case "dns": kind = ProbeKind.Dns; break;
            case "tcp": kind = ProbeKind.Tcp; break;
            default: error = $"'{spec}': unknown probe kind '{kindText}' (icmp, dns, tcp, http)"; return false;
        }
        if (!TrySplitHostPort(rest, out string host, out int? port))
        {
            error = $"'{spec}': '{rest}' is not host, host:port or [v6]:port";
            return false;
        }
        if (kind == ProbeKind.Icmp && port is not null) { error = $"'{spec}': icmp takes no port"; return false; }
        if (kind == ProbeKind.Tcp && port is null) { error = $"'{spec}': tcp needs a port"; return false; }
        if (kind == ProbeKind.Dns) port ??= 53;
        target = new ProbeTarget(spec, kind, host, port);
        return true;
    }

    /// <summary>host, host:port, [v6]:port, or a bare IPv6 address.</summary>
    internal static bool TrySplitHostPort(string text, out string host, out int? port)
    {
        host = "";
        port = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0) return false;
            host = text[1..close];
            if (!IPAddress.TryParse(host, out _)) return false;
            string after = text[(close + 1)..];
            if (after.Length == 0) return true;
            if (!after.StartsWith(':') || !TryParsePort(after[1..], out int p)) return false;
            port = p;
            return true;
        }
        if (IPAddress.TryParse(text, out var bare) && bare.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            host = text;
            return true;
        }
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            host = text;
            return Uri.CheckHostName(host) != UriHostNameType.Unknown;
        }
        host = text[..colon];
        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown) return false;
        if (!TryParsePort(text[(colon + 1)..], out int parsed)) return false;
        port = parsed;
        return true;
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
