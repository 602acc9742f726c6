using Evernet.Gossip.Runtime;
using Evernet.Sim.Engine;
using Evernet.Sim.Network;
using Evernet.Sim.Running;

namespace Evernet.Sim.Tests;

/// <summary>Nodes split over lanes on several threads (more lanes than cores too): the same trace and the same figures as on one thread.</summary>
public sealed class LaneTests
{
    [Theory]
    [InlineData("gateway-crash", 3)]
    [InlineData("churn", 2)]
    [InlineData("partition-heal", 4)]
    public void Lanes_on_threads_give_the_trace_and_figures_of_one_lane(string scenario, int lanes)
    {
        var config = SimRun.Config(scenario, nodes: 80, duration: TimeSpan.FromSeconds(30), seed: 5);
        var one = ScenarioRunner.RunSeed(config with { Lanes = 1 }, 5);
        var many = ScenarioRunner.RunSeed(config with { Lanes = lanes }, 5);
        Assert.Equal(1, one.Extras["lanes"]);
        Assert.Equal(lanes, many.Extras["lanes"]);
        Assert.True(one.TraceRecords > 10_000, $"only {one.TraceRecords} trace records");
        Assert.Equal(one.TraceHash, many.TraceHash);
        Assert.Equal(one.TraceRecords, many.TraceRecords);
        Assert.Equal(one.EventsProcessed, many.EventsProcessed);
        Assert.Equal(one.FailoverMs, many.FailoverMs);
        Assert.Equal(one.DisseminationMs.Order(), many.DisseminationMs.Order());
        Assert.Equal((one.FalseDead, one.FalseSuspect, one.FalseUnusable, one.SuspectEvents, one.UnusableEvents),
            (many.FalseDead, many.FalseSuspect, many.FalseUnusable, many.SuspectEvents, many.UnusableEvents));
        Assert.Equal(one.Drops, many.Drops);
        Assert.Equal(one.BytesPerNodePerS, many.BytesPerNodePerS);
        Assert.Equal(one.Converged, many.Converged);
    }

    [Theory]
    [InlineData(TopologyKind.Evernet, 1000, 2)]
    [InlineData(TopologyKind.Evernet, 103, 3)]
    [InlineData(TopologyKind.Geometric, 300, 2)]
    public void A_plan_balances_the_lanes_and_never_cuts_a_link_faster_than_its_lookahead(TopologyKind kind, int nodes, int lanes)
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions(kind, nodes, 3, 0.02), 9);
        var roles = Enumerable.Range(0, nodes).Select(i => topology.Gateways.Contains(i) ? NodeRole.Gateway : NodeRole.Member).ToArray();
        var plan = LanePlan.For(topology.Network, roles, lanes);
        Assert.Equal(lanes, plan.Lanes);
        Assert.True(plan.LookaheadTicks >= TimeSpan.FromMilliseconds(0.2).Ticks);
        for (int l = 0; l < topology.Network.LinkCount; l++)
        {
            var link = topology.Network.LinkAt(l);
            if (plan.LaneOf[link.A] != plan.LaneOf[link.B]) Assert.True(link.LatencyTicks >= plan.LookaheadTicks);
        }
        var sizes = Enumerable.Range(0, lanes).Select(k => plan.LaneOf.Count(x => x == k)).ToArray();
        Assert.All(sizes, s => Assert.True(s > 0));
    }

    [Fact]
    public void Links_with_queues_keep_one_lane()
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions(TopologyKind.Evernet, 200, 3, 0.02, Bandwidth: true), 9);
        var roles = Enumerable.Range(0, 200).Select(i => topology.Gateways.Contains(i) ? NodeRole.Gateway : NodeRole.Member).ToArray();
        Assert.Equal(1, LanePlan.For(topology.Network, roles, 2).Lanes);
    }

    [Fact]
    public void A_tap_on_a_simulation_with_several_lanes_is_refused()
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions(TopologyKind.Evernet, 200, 3, 0.02), 9);
        var roles = Enumerable.Range(0, 200).Select(i => topology.Gateways.Contains(i) ? NodeRole.Gateway : NodeRole.Member).ToArray();
        using var sim = new Simulation(new SimulationSetup(topology, new Evernet.Gossip.GossipOptions(), 1, roles, TimeSpan.FromSeconds(5), Lanes: 2));
        Assert.Equal(2, sim.Plan.Lanes);
        Assert.Throws<InvalidOperationException>(() => sim.EventTap = (_, _) => { });
        Assert.Throws<InvalidOperationException>(() => sim.DeliveryTap = (_, _, _) => { });
    }
}
