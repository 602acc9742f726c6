namespace Evernet.Dataplane;

/// <summary>
/// Where evernet puts its objects so it can find (and only touch) its own: a routing protocol number on routes, rules and
/// nexthops, an id range for nexthops, a mark range for connection marks, an interface alias, a table name.
/// </summary>
public sealed record DataplaneOptions
{
    /// <summary>Multipath mechanism: detect (default), or force one (e.g. to test the fallback).</summary>
    public MultipathModePreference MultipathMode { get; init; } = MultipathModePreference.Auto;

    /// <summary>rtnetlink protocol stamped on every route, rule and nexthop evernet installs (<c>proto 77</c>).</summary>
    public int RouteProtocol { get; init; } = 77;

    /// <summary>Start of the 64 Ki nexthop id block evernet owns (members, groups, capability probes).</summary>
    public uint NexthopIdBase { get; init; } = 0x0E7E_0000;

    /// <summary>Connection marks evernet owns in connection-mark mode: this value's upper 16 bits, gateway slot in the low bits.</summary>
    public uint ConnectionMarkBase { get; init; } = 0x0E7E_0000;

    /// <summary>Per-gateway routing tables in connection-mark mode are this plus the gateway's slot (1..255).</summary>
    public int GatewayTableBase { get; init; } = 0x7E00;

    /// <summary>Name of the <c>inet</c> nftables table evernet owns.</summary>
    public string NftTableName { get; init; } = "evernet";

    /// <summary>Interface alias (<c>ip link set NAME alias</c>) marking WireGuard interfaces evernet created and may remove.</summary>
    public string InterfaceAlias { get; init; } = "evernet";

    /// <summary>Resilient group size for class tables when there is no default route to copy it from.</summary>
    public int ClassBuckets { get; init; } = 64;

    /// <summary>Idle timer for class tables when there is no default route to copy it from.</summary>
    public int ClassIdleTimerSeconds { get; init; } = 120;

    /// <summary>
    /// Set loose reverse-path filtering (rp_filter=2) and src_valid_mark=1 on evernet's WireGuard interfaces. Needed
    /// because replies may return over a different tunnel than the multipath choice for the reverse flow, and in
    /// connection-mark mode the reverse lookup must see the mark. Effective rp_filter is max(all, interface), so this
    /// also relaxes a strict host default for these interfaces only.
    /// </summary>
    public bool ManageReversePathFilter { get; init; } = true;

    public const uint ConnectionMarkMask = 0xFFFF_0000;

    public const int MaxGatewaySlots = 255;

    internal uint ConnectionMarkFor(int slot) => (ConnectionMarkBase & ConnectionMarkMask) | (uint)slot;

    internal void Validate()
    {
        if (RouteProtocol is < 5 or > 255)
        {
            throw new DataplaneConfigurationException($"RouteProtocol {RouteProtocol} must be 5..255 (0-4 belong to the kernel)");
        }

        if ((NexthopIdBase & 0xFFFF) != 0 || NexthopIdBase == 0)
        {
            throw new DataplaneConfigurationException("NexthopIdBase must be a non-zero multiple of 0x10000");
        }

        if (GatewayTableBase is < 256 or > int.MaxValue - MaxGatewaySlots)
        {
            throw new DataplaneConfigurationException("GatewayTableBase must be above the reserved tables (>= 256)");
        }

        if (string.IsNullOrEmpty(NftTableName) || !NftTableName.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new DataplaneConfigurationException("NftTableName must be letters, digits and '_'");
        }

        if (string.IsNullOrEmpty(InterfaceAlias) || InterfaceAlias.Length > 64 || InterfaceAlias.Any(char.IsControl))
        {
            throw new DataplaneConfigurationException("InterfaceAlias must be 1..64 printable characters");
        }
    }
}

public enum MultipathModePreference : byte
{
    /// <summary>Resilient nexthop groups when the kernel has them, connection marks otherwise.</summary>
    Auto = 0,
    ResilientNexthopGroup = 1,
    ConnectionMark = 2,
}
