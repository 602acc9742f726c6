using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Policy.Tests;

public sealed class PlannerTests
{
    private static PolicyOptions Options(params TrafficClassOptions[] classes) => new() { TrafficClasses = [.. classes] };

    private static DataplanePlan Plan(MeshView view, LocalNode self, PolicyOptions? options = null, PolicyState? state = null, PathQualitySnapshot? paths = null, long? now = null) =>
        DataplanePlanner.Plan(new PlanInputs(view, self, paths ?? PathQualitySnapshot.Empty, options ?? Options(), state ?? PolicyState.Initial, now ?? view.AtUnixMs, StableHash.SeedFor(self.Id)));

    private static readonly LocalNode Node = Mesh.Local("node", NodeRoles.Node, "192.168.1.0/24", "2001:db8:1::/48");

    [Fact]
    public void A_node_gets_a_tunnel_per_gateway_and_a_weighted_multipath_route()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 0), ("b", 50, 0));
        var plan = Plan(view, Node);
        var d = plan.Dataplane;
        Assert.Equal(2, d.Interfaces.Length);
        var addressing = new TunnelAddressing(new TunnelAddressingOptions());
        foreach (var (name, index) in new[] { ("a", 1), ("b", 2) })
        {
            var tunnel = plan.Tunnels.Single(t => t.GatewayName == name);
            var iface = d.Interfaces.Single(i => i.Name == tunnel.Interface);
            Assert.Equal("evg-" + Mesh.Id(name).ToHex()[..11], iface.Name);
            Assert.Equal(1420, iface.Mtu);
            Assert.Null(iface.ListenPort);
            var peer = Assert.Single(iface.Peers);
            Assert.Equal(Convert.ToBase64String(Mesh.WgKey(name)), peer.PublicKey);
            Assert.Equal($"10.0.0.{index}:51820", peer.Endpoint);
            Assert.Equal(["0.0.0.0/0", "::/0"], peer.AllowedIps.AsEnumerable());
            Assert.Equal(15, peer.PersistentKeepaliveSeconds);
            var own = plan.Addressing.For(Mesh.WgKey("node"))!;
            // the subnet's prefix length: the connected route carries the path probe replies through reverse-path filtering
            Assert.Equal([$"{own.IPv4}/{addressing.IPv4Network.PrefixLength}", $"{own.IPv6}/{addressing.IPv6Network.PrefixLength}"], iface.Addresses.AsEnumerable());
            Assert.True(addressing.IPv4Network.Contains(own.IPv4));
            Assert.NotNull(tunnel.GatewayAddresses);
        }
        var route = Assert.IsType<MultipathRouteSpec>(d.DefaultRoute);
        Assert.Equal(4200, route.Table);
        Assert.Equal(["192.168.1.0/24", "2001:db8:1::/48"], route.SourcePrefixes.AsEnumerable());
        Assert.Equal(4096, route.Buckets);
        Assert.Equal(1000, route.Nexthops.Sum(n => n.Weight));
        Assert.Equal(667, route.Nexthops.Single(n => n.GatewayName == "a").Weight);
        Assert.All(route.Nexthops, n => Assert.Null(n.Via));
        Assert.Empty(d.ClassRoutes);
    }

    [Fact]
    public void Equal_inputs_give_equal_dataplanes_and_canonical_text()
    {
        var view1 = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 30), ("b", 50, 10), ("c", 30, 0));
        var view2 = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 30), ("b", 50, 10), ("c", 30, 0));   // built again, no shared arrays
        var options = Options(new TrafficClassOptions { Name = "dns", Strategy = "lowest-latency", Protocol = "udp", Ports = [53] });
        var p1 = Plan(view1, Node, options);
        var p2 = Plan(view2, Mesh.Local("node", NodeRoles.Node, "192.168.1.0/24", "2001:db8:1::/48"), options);
        Assert.False(ReferenceEquals(p1.Dataplane, p2.Dataplane));
        Assert.Equal(p1.Dataplane, p2.Dataplane);
        Assert.True(p1.Dataplane == p2.Dataplane);
        Assert.Equal(p1.Dataplane.GetHashCode(), p2.Dataplane.GetHashCode());
        Assert.Equal(p1.Dataplane.ToCanonicalString(), p2.Dataplane.ToCanonicalString());
        // The next tick with nothing changed: still equal, so the host skips the apply.
        var p3 = Plan(view1 with { AtUnixMs = Mesh.Now + 1000 }, Node, options, p1.State, now: Mesh.Now + 1000);
        Assert.Equal(p1.Dataplane, p3.Dataplane);
        // A real change is not equal.
        var changed = view1 with { Gateways = [.. view1.Gateways.Select(g => g.Name == "c" ? g with { Summary = g.Summary! with { Draining = true } } : g)] };
        Assert.NotEqual(p1.Dataplane, Plan(changed, Node, options, p1.State).Dataplane);
    }

    [Fact]
    public void Dataplane_equality_is_by_value_and_treats_default_arrays_as_empty()
    {
        var a = new DesiredDataplane([], null, []);
        var b = new DesiredDataplane(default, null, default);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(DesiredDataplane.Empty, a);
        var peer1 = new WireGuardPeerSpec("k", null, ["10.0.0.1/32"], 0);
        var peer2 = new WireGuardPeerSpec("k", null, ["10.0.0.1/32"], 0);
        Assert.Equal(peer1, peer2);
        Assert.NotEqual(peer1, peer2 with { AllowedIps = ["10.0.0.2/32"] });
        Assert.Contains("default-route none", a.ToCanonicalString());
    }

    [Fact]
    public void No_usable_gateway_means_no_default_route_but_tunnels_stay_up()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 0), ("b", 50, 0));
        view = view with { Gateways = [.. view.Gateways.Select(g => g with { Summary = g.Summary! with { Uplink = UplinkState.Down } })] };
        var plan = Plan(view, Node);
        Assert.Null(plan.Dataplane.DefaultRoute);
        Assert.Equal(2, plan.Dataplane.Interfaces.Length);   // failback will be instant
        Assert.Contains(plan.Problems, p => p.Contains("no usable gateway"));
    }

    [Fact]
    public void A_draining_gateway_keeps_one_weight_unit_so_its_active_flows_stay_but_not_over_a_dead_path()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 0), ("b", 50, 0));
        view = view with { Gateways = [.. view.Gateways.Select(g => g.Name == "b" ? g with { Summary = g.Summary! with { Draining = true } } : g)] };
        var plan = Plan(view, Node);
        Assert.Equal(0, plan.Weights!.Gateways.Single(g => g.Name == "b").Weight);
        var route = Assert.IsType<MultipathRouteSpec>(plan.Dataplane.DefaultRoute);
        Assert.Equal(1000, route.Nexthops.Single(n => n.GatewayName == "a").Weight);
        Assert.Equal(1, route.Nexthops.Single(n => n.GatewayName == "b").Weight);

        // every gateway draining: traffic stays on them rather than nowhere
        var allDraining = view with { Gateways = [.. view.Gateways.Select(g => g with { Summary = g.Summary! with { Draining = true } })] };
        var both = Plan(allDraining, Node);
        Assert.Equal(2, Assert.IsType<MultipathRouteSpec>(both.Dataplane.DefaultRoute).Nexthops.Length);
        Assert.Contains(both.Problems, p => p.Contains("draining"));

        // a dead path rules the draining gateway out completely
        var b = Mesh.Id("b");
        var paths = new PathQualitySnapshot(ImmutableSortedDictionary<NodeId, PathEstimate>.Empty.Add(b, new PathEstimate(b, 5, 1.0, 5, true, Mesh.Now, 10)));
        var dead = Plan(view, Node, paths: paths);
        Assert.Equal(["a"], Assert.IsType<MultipathRouteSpec>(dead.Dataplane.DefaultRoute).Nexthops.Select(n => n.GatewayName).ToArray());
    }

    [Fact]
    public void Dead_gateways_keep_their_tunnel_for_the_grace_period_revoked_ones_lose_it_at_once()
    {
        long t = Mesh.Now;
        var view = Mesh.Healthy(t, "node", ("a", 100, 0), ("b", 50, 0), ("c", 50, 0));
        int grace = new WireGuardOptions().RemoveAfterMs;
        MeshView With(long at, MemberState bState, long bSince) => view with
        {
            AtUnixMs = at,
            Members = [.. view.Members.Select(m => m.Name == "b" ? m with { State = bState, StateSinceUnixMs = bSince } : m)],
            Gateways = [.. view.Gateways.Select(g => g.Name == "b" ? g with { Usable = false, Reason = UsabilityReason.Dead } : g)],
            Revocations = [Mesh.Revoke("c", serial: 1)],
        };
        var plan = Plan(With(t + 1000, MemberState.Dead, t), Node);
        Assert.Equal(["a", "b"], plan.Tunnels.Select(x => x.GatewayName).Order());   // c revoked: gone; b dead 1 s: kept
        Assert.DoesNotContain(plan.Dataplane.DefaultRoute!.Nexthops, n => n.GatewayName is "b" or "c");
        Assert.Contains(plan.Problems, p => p.Contains("Revoked"));
        var later = Plan(With(t + grace, MemberState.Dead, t), Node);
        Assert.Equal(["a"], later.Tunnels.Select(x => x.GatewayName));
    }

    [Fact]
    public void An_extra_revocation_check_from_the_host_is_honoured()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 0), ("b", 50, 0));
        var plan = DataplanePlanner.Plan(new PlanInputs(view, Node, PathQualitySnapshot.Empty, Options(), PolicyState.Initial, Mesh.Now, 1,
            (node, serial) => node == Mesh.Id("a") && serial == 1));
        Assert.Equal(["b"], plan.Tunnels.Select(t => t.GatewayName));
        Assert.Equal(1000, plan.Dataplane.DefaultRoute!.Nexthops.Single().Weight);
    }

    [Fact]
    public void A_gateway_gets_one_interface_with_a_peer_per_node_and_resolves_prefix_conflicts_by_lowest_id()
    {
        var names = Enumerable.Range(0, 4).Select(i => $"n{i}").OrderBy(n => Mesh.Id(n)).ToList();   // ascending id
        var members = new List<MemberView>
        {
            Mesh.Member(names[0], NodeRoles.Node, prefixes: ["10.1.0.0/16"]),
            Mesh.Member(names[1], NodeRoles.Node, prefixes: ["10.1.2.0/24", "10.2.0.0/24"]),           // 10.1.2/24 loses to names[0]
            Mesh.Member(names[2], NodeRoles.Node, prefixes: ["10.2.0.0/24", "fd00:2::/48", "0.0.0.0/0"]),   // 10.2/24 loses to names[1]; 0/0 refused
            Mesh.Member(names[3], NodeRoles.Node, prefixes: ["10.3.0.0/24"], state: MemberState.Left, stateSince: Mesh.Now - 3_600_000),
            Mesh.Member("other-gw", NodeRoles.Gateway),
        };
        var self = Mesh.Local("gw", NodeRoles.Gateway, "10.9.0.0/16");
        var plan = Plan(Mesh.View(Mesh.Now, self.Id, members, []), self);
        var iface = Assert.Single(plan.Dataplane.Interfaces);
        Assert.Equal("evgw0", iface.Name);
        Assert.Equal(51820, iface.ListenPort);
        Assert.EndsWith("/16", iface.Addresses[0]);
        Assert.EndsWith("/64", iface.Addresses[1]);
        Assert.Equal(3, iface.Peers.Length);   // left long ago and the other gateway are not peers
        string Key(string n) => Convert.ToBase64String(Mesh.WgKey(n));
        var p0 = iface.Peers.Single(p => p.PublicKey == Key(names[0]));
        var p1 = iface.Peers.Single(p => p.PublicKey == Key(names[1]));
        var p2 = iface.Peers.Single(p => p.PublicKey == Key(names[2]));
        Assert.Contains("10.1.0.0/16", p0.AllowedIps);
        Assert.DoesNotContain("10.1.2.0/24", p1.AllowedIps);
        Assert.Contains("10.2.0.0/24", p1.AllowedIps);
        Assert.DoesNotContain("10.2.0.0/24", p2.AllowedIps);
        Assert.Contains("fd00:2::/48", p2.AllowedIps);
        Assert.DoesNotContain("0.0.0.0/0", p2.AllowedIps);
        Assert.All(iface.Peers, p => Assert.Null(p.Endpoint));
        var tunnel = plan.Addressing.For(Mesh.WgKey(names[0]))!;
        Assert.Contains(tunnel.IPv4HostPrefix, p0.AllowedIps);
        Assert.Contains(tunnel.IPv6HostPrefix, p0.AllowedIps);
        Assert.Contains(plan.Conflicts, c => c.Prefix == "10.1.2.0/24" && c.Claimant == Mesh.Id(names[1]) && c.Holder == Mesh.Id(names[0]));
        Assert.Contains(plan.Conflicts, c => c.Prefix == "10.2.0.0/24" && c.Claimant == Mesh.Id(names[2]) && c.Holder == Mesh.Id(names[1]));
        Assert.Contains(plan.Conflicts, c => c.Prefix == "0.0.0.0/0" && c.Holder is null);
        Assert.Null(plan.Dataplane.DefaultRoute);
        Assert.Empty(plan.Dataplane.ClassRoutes);
    }

    [Fact]
    public void Interface_names_fit_ifnamsiz_and_stay_distinct_even_for_shared_prefixes()
    {
        var ids = Enumerable.Range(0, 50).Select(i => Mesh.Id($"g{i}")).ToList();
        var names = InterfaceNames.ForGateways(ids, "evg-");
        Assert.Equal(50, names.Values.Distinct().Count());
        Assert.All(names.Values, n => Assert.True(n.Length <= 15 && InterfaceNames.IsValidName(n)));
        // Two ids that agree on the first 11 hex digits.
        var bytes = Mesh.Id("x").ToArray();
        var twin = (byte[])bytes.Clone();
        twin[31] ^= 1;
        var pair = InterfaceNames.ForGateways([NodeId.FromBytes(twin), NodeId.FromBytes(bytes)], "evg-");
        Assert.Equal(2, pair.Values.Distinct().Count());
        Assert.Equal(pair, InterfaceNames.ForGateways([NodeId.FromBytes(bytes), NodeId.FromBytes(twin)], "evg-"));
    }

    [Theory]
    [InlineData("192.0.2.1:7946", 51820, "192.0.2.1:51820")]
    [InlineData("[2001:db8::1]:7946", 51820, "[2001:db8::1]:51820")]
    [InlineData("2001:db8::1", 51820, "[2001:db8::1]:51820")]
    [InlineData("192.0.2.1", 4000, "192.0.2.1:4000")]
    [InlineData("sim:17", 51820, null)]
    [InlineData("gw.example.net:7946", 51820, null)]
    public void Endpoints_come_from_the_first_ip_address_announced(string address, int port, string? endpoint) =>
        Assert.Equal(endpoint, WireGuardPeerPlanner.Endpoint([address], port));
}
