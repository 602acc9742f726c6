using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Evernet.Dataplane;

/// <summary>Parsing helpers for endpoints ("host:port", "[v6]:port").</summary>
public static class EndpointText
{
    public static bool TrySplit(string endpoint, [NotNullWhen(true)] out string? host, out int port)
    {
        host = null;
        port = 0;
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = endpoint[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            return false;
        }

        return host.Length > 0;
    }
}
