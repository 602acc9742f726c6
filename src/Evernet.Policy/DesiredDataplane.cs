using System.Collections.Immutable;

namespace Evernet.Policy;

/// <summary>
/// What a router must have installed, derived from the converged mesh state by pure functions.
/// The dataplane applies it idempotently and diffs it against what is installed. Equal inputs give equal (==) values,
/// so a host can skip an apply when nothing changed.
/// </summary>
public sealed record DesiredDataplane(
    ImmutableArray<WireGuardInterfaceSpec> Interfaces,
    MultipathRouteSpec? DefaultRoute,
    ImmutableArray<ClassRouteSpec> ClassRoutes)
{
    public static DesiredDataplane Empty { get; } = new([], null, []);

    // Records compare ImmutableArray fields by reference; these compare them element by element, so "no change" is
    // detectable with ==. The planner emits every array in a canonical order, so equal content means equal arrays.
    public bool Equals(DesiredDataplane? other) =>
        other is not null
        && ValueEquality.Same(Interfaces, other.Interfaces)
        && Equals(DefaultRoute, other.DefaultRoute)
        && ValueEquality.Same(ClassRoutes, other.ClassRoutes);

    public override int GetHashCode() => HashCode.Combine(ValueEquality.Hash(Interfaces), DefaultRoute, ValueEquality.Hash(ClassRoutes));

    /// <summary>A stable, complete, human-readable rendering: equal values give equal strings (for logs, diffs and hashing).</summary>
    public string ToCanonicalString() => DataplaneText.Render(this);
}

/// <summary>One WireGuard interface. Private keys are never in here: the dataplane reads them from <see cref="PrivateKeyFile"/>.</summary>
public sealed record WireGuardInterfaceSpec(
    string Name,
    string PrivateKeyFile,
    int? ListenPort,
    ImmutableArray<string> Addresses,
    int Mtu,
    ImmutableArray<WireGuardPeerSpec> Peers)
{
    public bool Equals(WireGuardInterfaceSpec? other) =>
        other is not null && Name == other.Name && PrivateKeyFile == other.PrivateKeyFile && ListenPort == other.ListenPort
        && ValueEquality.Same(Addresses, other.Addresses) && Mtu == other.Mtu && ValueEquality.Same(Peers, other.Peers);

    public override int GetHashCode() => HashCode.Combine(Name, PrivateKeyFile, ListenPort, ValueEquality.Hash(Addresses), Mtu, ValueEquality.Hash(Peers));
}

/// <summary>PublicKey in base64 as `wg` prints it. Endpoint "host:port" or null (a gateway learns nodes' endpoints from their handshakes).</summary>
public sealed record WireGuardPeerSpec(
    string PublicKey,
    string? Endpoint,
    ImmutableArray<string> AllowedIps,
    int PersistentKeepaliveSeconds)
{
    public bool Equals(WireGuardPeerSpec? other) =>
        other is not null && PublicKey == other.PublicKey && Endpoint == other.Endpoint
        && ValueEquality.Same(AllowedIps, other.AllowedIps) && PersistentKeepaliveSeconds == other.PersistentKeepaliveSeconds;

    public override int GetHashCode() => HashCode.Combine(PublicKey, Endpoint, ValueEquality.Hash(AllowedIps), PersistentKeepaliveSeconds);
}

/// <summary>One usable gateway as a next hop: out of its tunnel interface, with its integer weight.</summary>
public sealed record GatewayNexthop(string GatewayName, string Interface, string? Via, int Weight);

/// <summary>
/// Weighted multipath default route in its own table, as a resilient nexthop group (a weight change moves no active flow),
/// and the policy rules that send the listed source prefixes' traffic there.
/// </summary>
public sealed record MultipathRouteSpec(
    int Table,
    int RulePriority,
    ImmutableArray<string> SourcePrefixes,
    ImmutableArray<GatewayNexthop> Nexthops,
    int Buckets,
    int IdleTimerSeconds)
{
    public bool Equals(MultipathRouteSpec? other) =>
        other is not null && Table == other.Table && RulePriority == other.RulePriority
        && ValueEquality.Same(SourcePrefixes, other.SourcePrefixes) && ValueEquality.Same(Nexthops, other.Nexthops)
        && Buckets == other.Buckets && IdleTimerSeconds == other.IdleTimerSeconds;

    public override int GetHashCode() => HashCode.Combine(Table, RulePriority, ValueEquality.Hash(SourcePrefixes), ValueEquality.Hash(Nexthops), Buckets, IdleTimerSeconds);
}

public enum TrafficStrategy : byte
{
    Balance = 0,
    LowestLatency = 1,
    Pinned = 2,
}

/// <summary>A traffic class: packets matching it get <see cref="FirewallMark"/> (nftables) and are routed by <see cref="Table"/>, whose nexthops are chosen by <see cref="Strategy"/>.</summary>
public sealed record ClassRouteSpec(
    string Name,
    TrafficStrategy Strategy,
    uint FirewallMark,
    int Table,
    int RulePriority,
    TrafficMatch Match,
    ImmutableArray<GatewayNexthop> Nexthops)
{
    public bool Equals(ClassRouteSpec? other) =>
        other is not null && Name == other.Name && Strategy == other.Strategy && FirewallMark == other.FirewallMark
        && Table == other.Table && RulePriority == other.RulePriority && Equals(Match, other.Match) && ValueEquality.Same(Nexthops, other.Nexthops);

    public override int GetHashCode() => HashCode.Combine(Name, Strategy, FirewallMark, Table, RulePriority, Match, ValueEquality.Hash(Nexthops));
}

/// <summary>Protocol "tcp"/"udp"/null(any), destination ports (empty: any), DSCP values (empty: any).</summary>
public sealed record TrafficMatch(string? Protocol, ImmutableArray<int> DestinationPorts, ImmutableArray<int> Dscp)
{
    public bool Equals(TrafficMatch? other) =>
        other is not null && Protocol == other.Protocol
        && ValueEquality.Same(DestinationPorts, other.DestinationPorts) && ValueEquality.Same(Dscp, other.Dscp);

    public override int GetHashCode() => HashCode.Combine(Protocol, ValueEquality.Hash(DestinationPorts), ValueEquality.Hash(Dscp));
}
