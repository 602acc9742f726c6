using Evernet.Gossip.Records;

namespace Evernet.Policy.Tests;

public sealed class TrafficClassTests
{
    private static readonly LocalNode Node = Mesh.Local("node", Evernet.Gossip.Identity.NodeRoles.Node, "192.168.1.0/24");

    private static readonly TrafficClassOptions Dns = new() { Name = "dns", Strategy = "lowest-latency", Protocol = "udp", Ports = [53, 53] };
    private static readonly TrafficClassOptions Voip = new() { Name = "voip", Strategy = "lowest-latency", Dscp = [46] };
    private static readonly TrafficClassOptions Backup = new() { Name = "backup", Strategy = "pinned", Protocol = "tcp", Ports = [873], Gateways = ["b", "a"] };
    private static readonly TrafficClassOptions Web = new() { Name = "web", Strategy = "balance", Protocol = "tcp", Ports = [443, 80] };

    private static PolicyOptions Options(params TrafficClassOptions[] classes) => new() { TrafficClasses = [.. classes] };

    private static Gossip.View.MeshView View(long at, double rttA, double rttB, bool aUp = true, bool bUp = true)
    {
        var view = Mesh.Healthy(at, "node", ("a", 100, 0), ("b", 100, 0));
        return view with
        {
            Gateways = [.. view.Gateways.Select(g => g with
            {
                SmoothedRttMs = g.Name == "a" ? rttA : rttB,
                Summary = g.Summary! with { Uplink = (g.Name == "a" ? aUp : bUp) ? UplinkState.Up : UplinkState.Down },
            })],
        };
    }

    [Fact]
    public void Classes_get_marks_tables_and_matches_and_balance_follows_the_default_route()
    {
        var plan = DataplanePlanner.Plan(new PlanInputs(View(Mesh.Now, 10, 10), Node, PathQualitySnapshot.Empty, Options(Dns, Web), PolicyState.Initial, Mesh.Now, 1));
        var dns = plan.Dataplane.ClassRoutes[0];
        Assert.Equal(("dns", TrafficStrategy.LowestLatency, 0x4201u, 4201, 4100), (dns.Name, dns.Strategy, dns.FirewallMark, dns.Table, dns.RulePriority));
        Assert.Equal(new TrafficMatch("udp", [53], []), dns.Match);
        Assert.Single(dns.Nexthops);
        var web = plan.Dataplane.ClassRoutes[1];
        Assert.Equal((0x4202u, 4202, 4101), (web.FirewallMark, web.Table, web.RulePriority));
        Assert.Equal([80, 443], web.Match.DestinationPorts.AsEnumerable());
        Assert.Equal(plan.Dataplane.DefaultRoute!.Nexthops.AsEnumerable(), web.Nexthops.AsEnumerable());
    }

    [Fact]
    public void Lowest_latency_does_not_flap_between_similar_paths_and_moves_only_after_a_clear_and_lasting_gain()
    {
        var options = Options(Dns);
        var state = PolicyState.Initial;
        long t = Mesh.Now;
        string Chosen(double rttA, double rttB)
        {
            var plan = DataplanePlanner.Plan(new PlanInputs(View(t, rttA, rttB), Node, PathQualitySnapshot.Empty, options, state, t, 1));
            state = plan.State;
            t += 1000;
            return plan.Dataplane.ClassRoutes[0].Nexthops.Single().GatewayName;
        }
        Assert.Equal("a", Chosen(10, 11));
        // Similar paths trading places every second: no flapping.
        for (int i = 0; i < 30; i++) Assert.Equal("a", Chosen(i % 2 == 0 ? 12 : 10, i % 2 == 0 ? 10 : 12));
        // b clearly better, but only for 5 s: stays.
        for (int i = 0; i < 5; i++) Assert.Equal("a", Chosen(40, 10));
        Assert.Equal("a", Chosen(10, 10));
        // b clearly better for the whole hold time: moves once, and stays.
        var seen = Enumerable.Range(0, 12).Select(_ => Chosen(40, 10)).ToList();
        Assert.Equal("a", seen[0]);
        Assert.Equal("b", seen[^1]);
        Assert.Equal(1, seen.Zip(seen.Skip(1)).Count(p => p.First != p.Second));
    }

    [Fact]
    public void Lowest_latency_leaves_an_unusable_gateway_at_once()
    {
        var options = Options(Voip);
        var first = DataplanePlanner.Plan(new PlanInputs(View(Mesh.Now, 10, 30), Node, PathQualitySnapshot.Empty, options, PolicyState.Initial, Mesh.Now, 1));
        Assert.Equal("a", first.Dataplane.ClassRoutes[0].Nexthops.Single().GatewayName);
        var next = DataplanePlanner.Plan(new PlanInputs(View(Mesh.Now + 100, 10, 30, aUp: false), Node, PathQualitySnapshot.Empty, options, first.State, Mesh.Now + 100, 1));
        Assert.Equal("b", next.Dataplane.ClassRoutes[0].Nexthops.Single().GatewayName);
    }

    [Fact]
    public void Lowest_latency_counts_the_gateways_internet_rtt_too()
    {
        var view = View(Mesh.Now, 5, 10);
        view = view with
        {
            Gateways = [.. view.Gateways.Select(g => g.Name == "a"
                ? g with { Summary = g.Summary! with { Targets = [new ProbeTargetStats("icmp:1.1.1.1", 0, 80_000, 1_000)] } }
                : g with { Summary = g.Summary! with { Targets = [new ProbeTargetStats("icmp:1.1.1.1", 0, 15_000, 1_000)] } })],
        };
        var plan = DataplanePlanner.Plan(new PlanInputs(view, Node, PathQualitySnapshot.Empty, Options(Dns), PolicyState.Initial, Mesh.Now, 1));
        Assert.Equal("b", plan.Dataplane.ClassRoutes[0].Nexthops.Single().GatewayName);
    }

    [Fact]
    public void Pinned_follows_its_failover_order_then_falls_back()
    {
        DataplanePlan P(bool aUp, bool bUp, TrafficClassOptions c) =>
            DataplanePlanner.Plan(new PlanInputs(View(Mesh.Now, 10, 10, aUp, bUp), Node, PathQualitySnapshot.Empty, Options(c), PolicyState.Initial, Mesh.Now, 1));
        Assert.Equal("b", P(true, true, Backup).Dataplane.ClassRoutes[0].Nexthops.Single().GatewayName);
        Assert.Equal("a", P(true, false, Backup).Dataplane.ClassRoutes[0].Nexthops.Single().GatewayName);
        var byId = new TrafficClassOptions { Name = "x", Strategy = "pinned", Protocol = "tcp", Gateways = [Mesh.Id("a").Fingerprint], FallbackToBalance = false };
        Assert.Equal("a", P(true, true, byId).Dataplane.ClassRoutes[0].Nexthops.Single().GatewayName);
        Assert.Empty(P(false, true, byId).Dataplane.ClassRoutes[0].Nexthops);
        var fallback = new TrafficClassOptions { Name = "y", Strategy = "pinned", Protocol = "tcp", Gateways = ["nonexistent"] };
        var plan = P(true, true, fallback);
        Assert.Equal(plan.Dataplane.DefaultRoute!.Nexthops.AsEnumerable(), plan.Dataplane.ClassRoutes[0].Nexthops.AsEnumerable());
    }
}
