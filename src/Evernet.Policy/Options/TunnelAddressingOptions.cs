using System.Net.Sockets;

namespace Evernet.Policy;

/// <summary>The tunnel subnets every member's tunnel addresses are derived from. Must be identical on every router.</summary>
public sealed class TunnelAddressingOptions
{
    /// <summary>IPv4 tunnel subnet, /8../24 (/16 or /20 recommended).</summary>
    public string IPv4Prefix { get; set; } = "10.127.0.0/16";
    /// <summary>IPv6 tunnel subnet inside the ULA range fc00::/7, /48../120 (a /64 recommended).</summary>
    public string IPv6Prefix { get; set; } = "fd65:766e:6574::/64";

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        if (!Prefixes.TryParseStrict(IPv4Prefix, out var v4) || v4.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            e.Add(nameof(IPv4Prefix), $"'{IPv4Prefix}' is not an IPv4 prefix with its host bits zero (like 10.127.0.0/16)");
        else e.Check(v4.PrefixLength is >= 8 and <= 24, nameof(IPv4Prefix), "prefix length must be 8..24 so that every member gets an address");
        if (!Prefixes.TryParseStrict(IPv6Prefix, out var v6) || v6.BaseAddress.AddressFamily != AddressFamily.InterNetworkV6)
            e.Add(nameof(IPv6Prefix), $"'{IPv6Prefix}' is not an IPv6 prefix with its host bits zero (like fd65:766e:6574::/64)");
        else
        {
            e.Check(v6.PrefixLength is >= 48 and <= 120, nameof(IPv6Prefix), "prefix length must be 48..120");
            e.Check((v6.BaseAddress.GetAddressBytes()[0] & 0xFE) == 0xFC, nameof(IPv6Prefix), "must be a unique local (fc00::/7) prefix");
        }
        return e.Errors;
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("tunnel addressing options", Validate());
}
