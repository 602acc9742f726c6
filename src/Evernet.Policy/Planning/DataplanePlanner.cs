using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.View;

namespace Evernet.Policy;

/// <summary>
/// What the planner carries between updates: the weight controller's state, the lowest-latency choices, and the last
/// tunnel address assignment (a pure function of the key set, kept only so it is not recomputed while the set is unchanged).
/// </summary>
public sealed record PolicyState(WeightState Weights, ImmutableSortedDictionary<string, LatencyChoice> Latency, TunnelAddressCache? Addressing = null)
{
    public static PolicyState Initial { get; } = new(WeightState.Initial, ImmutableSortedDictionary.Create<string, LatencyChoice>(StringComparer.Ordinal));
}

/// <summary>Everything one planning step reads. <see cref="NodeSeed"/>: see <see cref="StableHash.SeedFor"/>.</summary>
public sealed record PlanInputs(
    MeshView View,
    LocalNode Self,
    PathQualitySnapshot Paths,
    PolicyOptions Options,
    PolicyState Previous,
    long NowUnixMs,
    ulong NodeSeed,
    RevocationCheck? RevocationCheck = null);

/// <summary>
/// The result of one planning step: the dataplane to install and the state to carry forward, plus what the host shows
/// or logs (weights with their reasons, the tunnels to probe through, refused prefixes, address collisions, problems).
/// </summary>
public sealed record DataplanePlan(
    DesiredDataplane Dataplane,
    PolicyState State,
    WeightResult? Weights,
    ImmutableArray<GatewayTunnel> Tunnels,
    TunnelAddressAssignment Addressing,
    ImmutableArray<AllowedIpConflict> Conflicts,
    ImmutableArray<string> Problems);

/// <summary>
/// Assembles the <see cref="DesiredDataplane"/> from the mesh view. Pure: equal inputs give equal (==) outputs.
/// A gateway gets one WireGuard interface with a peer per certified node. A node gets one interface per certified
/// gateway, a weighted multipath default route (resilient nexthop group) in its own table for its client prefixes, and
/// its traffic classes' routes.
/// </summary>
public static class DataplanePlanner
{
    internal const string DrainingReason = "Draining";

    public static DataplanePlan Plan(PlanInputs inputs)
    {
        var (view, self, paths, options, previous, now, seed, revocation) = inputs;
        var subnets = new TunnelAddressing(options.Tunnel);
        var keys = WireGuardPeerPlanner.CertifiedKeys(view, self, now, revocation)
            .Where(k => k.Length == 32).Select(k => Convert.ToBase64String(k.Span)).Distinct().Order(StringComparer.Ordinal).ToImmutableArray();
        var cache = previous.Addressing is { } c && c.Matches(keys, options.Tunnel)
            ? c
            : new TunnelAddressCache(keys, options.Tunnel.IPv4Prefix, options.Tunnel.IPv6Prefix, subnets.Assign(keys.Select(k => (ReadOnlyMemory<byte>)Convert.FromBase64String(k))));
        var addressing = cache.Assignment;
        previous = previous with { Addressing = cache };
        var problems = new List<string>();
        if (self.Certificate.Node != self.Id) problems.Add("this router's certificate is for another node id");
        if (!addressing.Collisions.IsEmpty)
            problems.AddRange(addressing.Collisions.Select(c => $"tunnel address {c.Address} collided between {c.Keys.Length} keys; {c.Winner} kept it, the others re-hashed"));
        problems.AddRange(addressing.Unassigned.Select(k => $"no tunnel address left for key {k}: the tunnel subnet is too small"));

        if (self.IsGateway)
        {
            var gw = WireGuardPeerPlanner.PlanGateway(view, self, addressing, subnets, options.WireGuard, now, revocation);
            problems.AddRange(gw.Problems);
            var gatewayPlane = new DesiredDataplane([gw.Interface], null, []);
            return new DataplanePlan(gatewayPlane, previous, null, [], addressing, gw.Conflicts, [.. problems]);
        }

        var tunnels = WireGuardPeerPlanner.PlanNode(view, self, addressing, subnets, options.WireGuard, now, revocation);
        problems.AddRange(tunnels.Problems);
        var interfaces = tunnels.Tunnels.ToDictionary(t => t.Gateway, t => t.Interface);

        var weights = WeightCalculator.Compute(view, paths, options.Weights, previous.Weights, now, seed, revocation);
        var routable = weights.Gateways.Where(g => g.Weight > 0 && interfaces.ContainsKey(g.Gateway)).ToList();
        foreach (var g in weights.Gateways.Where(g => g.Weight > 0 && !interfaces.ContainsKey(g.Gateway)))
            problems.Add($"gateway {g.Name} ({g.Gateway}) is usable but has no tunnel; left out of the route");
        var nexthopWeights = routable.Count == weights.Gateways.Count(g => g.Weight > 0)
            ? routable.ToDictionary(g => g.Gateway, g => g.Weight)
            : WeightCalculator.Apportion(routable.ToDictionary(g => g.Gateway, g => (double)g.Weight), options.Weights.Total);
        // A draining gateway (alive, uplink up, asked to shed load) keeps one weight unit in the group instead of
        // leaving it: the resilient group then keeps its busy buckets (active flows, NATed there) until they are idle
        // and gives its idle ones, i.e. new flows, to the others. Removing it would move and so break those flows.
        foreach (var g in weights.Gateways.Where(g => g.Weight == 0 && g.Reason == DrainingReason && interfaces.ContainsKey(g.Gateway)))
        {
            routable.Add(g);
            nexthopWeights[g.Gateway] = 1;
        }

        MultipathRouteSpec? route = null;
        if (routable.Count > 0)
        {
            var sources = SourcePrefixes(self, problems);
            if (sources.IsEmpty) problems.Add("this node announces no client prefixes; the multipath route has no rule to send traffic to it");
            route = new MultipathRouteSpec(
                options.Routing.Table,
                options.Routing.RulePriority,
                sources,
                [.. routable.Select(g => new GatewayNexthop(g.Name, interfaces[g.Gateway], null, nexthopWeights[g.Gateway]))],
                options.Routing.Buckets,
                options.Routing.IdleTimerSeconds);
        }
        else problems.Add("no usable gateway: no default route");
        if (routable.Count > 0 && routable.All(g => g.Weight == 0))
            problems.Add("every usable gateway is draining: traffic stays on them until another gateway is usable");

        var (classRoutes, latency) = TrafficClassPlanner.Plan(options, view, paths, weights, interfaces, previous.Latency, now);
        var dataplane = new DesiredDataplane(tunnels.Interfaces, route, classRoutes);
        return new DataplanePlan(dataplane, new PolicyState(weights.State, latency, cache), weights, tunnels.Tunnels, addressing, [], [.. problems]);
    }

    private static ImmutableArray<string> SourcePrefixes(LocalNode self, List<string> problems)
    {
        var parsed = new SortedSet<System.Net.IPNetwork>(Prefixes.Order);
        foreach (var text in self.ClientPrefixes.IsDefault ? [] : self.ClientPrefixes)
        {
            if (Prefixes.TryParse(text, out var p)) parsed.Add(p);
            else problems.Add($"client prefix '{text}' is not an IP prefix; ignored");
        }
        return [.. parsed.Select(Prefixes.Format)];
    }
}
