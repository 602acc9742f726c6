namespace Evernet.Policy;

/// <summary>Tunnel configuration shared by nodes and gateways.</summary>
public sealed class WireGuardOptions
{
    /// <summary>Where the dataplane reads this router's WireGuard private key (the key whose public half is in its certificate).</summary>
    public string PrivateKeyFile { get; set; } = "/etc/evernet/wireguard.key";
    /// <summary>The UDP port every gateway's WireGuard interface listens on (the endpoint port nodes dial).</summary>
    public int GatewayListenPort { get; set; } = 51820;
    /// <summary>A gateway's single interface for all nodes.</summary>
    public string GatewayInterfaceName { get; set; } = "evgw0";
    /// <summary>A node's per-gateway interfaces: prefix + gateway fingerprint, at most 15 characters in all.</summary>
    public string NodeInterfacePrefix { get; set; } = "evg-";
    /// <summary>
    /// Inner MTU. 1420 fits WireGuard over an IPv4 underlay with MTU 1500 (60 bytes overhead); over IPv6 or over a mesh
    /// with a smaller MTU (batman-adv, 802.11s with encapsulation) lower it: 1280 is always safe for IPv6.
    /// </summary>
    public int Mtu { get; set; } = 1420;
    /// <summary>Nodes keep every gateway's handshake fresh so that failover needs no handshake round trip.</summary>
    public int PersistentKeepaliveSeconds { get; set; } = 15;
    /// <summary>A dead or left member keeps its tunnel/peer this long (a flapping member does not churn the configuration).</summary>
    public int RemoveAfterMs { get; set; } = 600_000;
    /// <summary>A client prefix shorter than this is refused (a node must not announce a default or huge route).</summary>
    public int MinClientPrefixLengthIPv4 { get; set; } = 8;
    public int MinClientPrefixLengthIPv6 { get; set; } = 32;

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(!string.IsNullOrWhiteSpace(PrivateKeyFile), nameof(PrivateKeyFile), "is required");
        e.Check(GatewayListenPort is >= 1 and <= 65535, nameof(GatewayListenPort), "must be 1..65535");
        e.Check(InterfaceNames.IsValidName(GatewayInterfaceName), nameof(GatewayInterfaceName), "must be 1..15 characters of [a-zA-Z0-9_.-]");
        e.Check(!string.IsNullOrEmpty(NodeInterfacePrefix) && NodeInterfacePrefix.Length <= InterfaceNames.MaxLength - InterfaceNames.MinSuffixLength
                && InterfaceNames.IsValidName(NodeInterfacePrefix),
            nameof(NodeInterfacePrefix), $"must be 1..{InterfaceNames.MaxLength - InterfaceNames.MinSuffixLength} characters of [a-zA-Z0-9_.-]");
        e.Check(!string.IsNullOrEmpty(GatewayInterfaceName) && !string.IsNullOrEmpty(NodeInterfacePrefix)
                && !GatewayInterfaceName.StartsWith(NodeInterfacePrefix, StringComparison.Ordinal),
            nameof(GatewayInterfaceName), "must not start with NodeInterfacePrefix (the dataplane owns every interface with that prefix)");
        e.Check(Mtu is >= 1280 and <= 9000, nameof(Mtu), "must be 1280..9000");
        e.Check(PersistentKeepaliveSeconds is >= 0 and <= 3600, nameof(PersistentKeepaliveSeconds), "must be 0 (off)..3600");
        e.Check(RemoveAfterMs is >= 0 and <= 86_400_000, nameof(RemoveAfterMs), "must be 0..86400000");
        e.Check(MinClientPrefixLengthIPv4 is >= 1 and <= 32, nameof(MinClientPrefixLengthIPv4), "must be 1..32");
        e.Check(MinClientPrefixLengthIPv6 is >= 1 and <= 128, nameof(MinClientPrefixLengthIPv6), "must be 1..128");
        return e.Errors;
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("wireguard options", Validate());
}
