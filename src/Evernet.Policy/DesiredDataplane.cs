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
}

/// <summary>One WireGuard interface. Private keys are never in here: the dataplane reads them from <see cref="PrivateKeyFile"/>.</summary>
public sealed record WireGuardInterfaceSpec(
    string Name,
    string PrivateKeyFile,
    int? ListenPort,
    ImmutableArray<string> Addresses,
    int Mtu,
    ImmutableArray<WireGuardPeerSpec> Peers);

/// <summary>PublicKey in base64 as `wg` prints it. Endpoint "host:port" or null (a gateway learns nodes' endpoints from their handshakes).</summary>
public sealed record WireGuardPeerSpec(
    string PublicKey,
    string? Endpoint,
    ImmutableArray<string> AllowedIps,
    int PersistentKeepaliveSeconds);

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
    int IdleTimerSeconds);

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
    ImmutableArray<GatewayNexthop> Nexthops);

/// <summary>Protocol "tcp"/"udp"/null(any), destination ports (empty: any), DSCP values (empty: any).</summary>
public sealed record TrafficMatch(string? Protocol, ImmutableArray<int> DestinationPorts, ImmutableArray<int> Dscp);
