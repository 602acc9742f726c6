using Evernet.Gossip;
using Evernet.Sim.Network;
using Evernet.Sim.Running;
using Evernet.Sim.Scenarios;
using Evernet.Sim.Traffic;

namespace Evernet.Sim.Tests;

/// <summary>
/// The traffic scenarios at small size (25 nodes) against the real core, policy engine and gateway publishers, asserting
/// the issue's figures with margin. Most run on a loss-free mesh (faster, less noise); the lossy ones check that the
/// tunnel-probe dead-path verdict never drops a live gateway.
/// </summary>
public sealed class TrafficScenarioTests
{
    private static SeedResult Run(string scenario, double loss = 0, TimeSpan? duration = null, ulong seed = 1, int nodes = 25)
    {
        var config = new RunConfig(scenario, new TopologyOptions(TopologyKind.Evernet, nodes, 3, loss), () => new GossipOptions(),
            seed, 1, duration, MaxWarmup: TimeSpan.FromSeconds(90));
        var result = ScenarioRunner.RunSeed(config, seed);
        Assert.True(result.WarmupConverged, SimRun.Describe(result));
        Assert.NotNull(result.Traffic);
        return result;
    }

    private static string Describe(SeedResult r)
    {
        var t = r.Traffic!;
        return $"seed {r.Seed}: " + string.Join("; ", t.Gateways.Select(g => $"{g.Name} util {g.Utilization} dev {g.DeviationPct}% routed {g.RoutedDeviationPct}%"))
            + $"; step {t.Step}; flap {t.Flap}; flows {t.Flows}; rebalancing {t.Rebalancing}; outages [{string.Join(", ", t.Outages)}]; weight changes/node/min {t.WeightChangesPerNodePerMin}";
    }

    [Fact]
    public void Steady_traffic_puts_every_gateway_within_10_percent_of_its_capacity_share_without_breaking_a_flow()
    {
        var r = Run("load-balance", duration: TimeSpan.FromSeconds(300));
        var t = r.Traffic!;
        Assert.Equal(3, t.Gateways.Count);
        Assert.InRange(t.MeanUtilization, 0.55, 0.75);
        Assert.All(t.Gateways, g => Assert.InRange(g.DeviationPct, -10, 10));
        Assert.All(t.Gateways, g => Assert.InRange(g.RoutedDeviationPct, -6, 6));
        Assert.True(t.Flows.Started > 30_000, Describe(r));
        Assert.Equal(0, t.Flows.Broken);
        Assert.Equal(0, t.Rebalancing.FlowsMovedPctMax);
        Assert.True(t.Rebalancing.Count > 0, "the weights never moved, so nothing was tested: " + Describe(r));
        // The fast correction re-weights on the carried load's excursions (about 7 changes per node per minute here,
        // where each node opens four times as many flows as in the 103-node mesh); a runaway would be many more.
        Assert.True(t.WeightChangesPerNodePerMin < 10, Describe(r));
        Assert.True(r.Converged, SimRun.Describe(r));
    }

    [Fact]
    public void On_a_lossy_mesh_weight_changes_never_move_a_busy_bucket()
    {
        var r = Run("load-balance", loss: 0.02, duration: TimeSpan.FromSeconds(240));
        var t = r.Traffic!;
        Assert.True(t.Rebalancing.Count > 100, Describe(r));
        Assert.Equal(0, t.Flows.BrokenBusyBucketMoved);
        Assert.Equal(0, t.Rebalancing.FlowsMovedPctMax);
        Assert.Equal(0, t.Flows.MovedByOutage);
        Assert.All(t.Gateways, g => Assert.InRange(g.DeviationPct, -12, 12));
    }

    [Fact]
    public void On_a_lossy_mesh_no_flow_breaks_while_its_gateway_lives()
    {
        var r = Run("load-balance", loss: 0.02, duration: TimeSpan.FromSeconds(300));
        Assert.Equal(0, r.Traffic!.Flows.Broken);
        Assert.Equal(0, r.Traffic.LiveGatewayDrops);
    }

    // Resilient groups re-point only buckets idle for the idle timer. A bucket's chance to be idle depends on the node's
    // flow rate × idle timer / buckets: with 25 nodes each node opens ~13 flows a second, four times as many as in the
    // 103-node mesh, so a 30-s idle timer here keeps as many buckets busy as the default 120 s does there.
    private const string StepAt103NodeOccupancy = "load-step:Routing.IdleTimerSeconds=30";

    [Fact]
    public void When_the_capacity_of_a_gateway_halves_load_moves_off_it_without_overshoot()
    {
        var r = Run(StepAt103NodeOccupancy);
        var s = r.Traffic!.Step!;
        Assert.Equal(50, s.ToDownMbps);
        Assert.True(s.InitialDeviationPct > 25, Describe(r));
        // Feed-forward: the routed share jumps with the signed capacity, it does not wait for the load to show it.
        Assert.InRange(Math.Abs(s.RoutedInitialDeviationPct), 0, 15);
        Assert.InRange(s.RoutedOvershootPct, 0, 10);
        Assert.InRange(s.RoutedReversalsAfterSettle, 0, 2);
        Assert.All(r.Traffic.Gateways, g => Assert.InRange(g.DeviationPct, -10, 10));
        Assert.Equal(0, r.Traffic.Flows.Broken);
    }

    /// <summary>
    /// The issue's figure, on the carried load (30-s averages of each gateway's share of carried bytes): every gateway
    /// within ±10 % of its new capacity share within 30 s and until the end of the run, overshoot at most 10 %, no
    /// ringing. Not asserted any more: the weights' and the routed share's own settle times. The fast correction moves
    /// them off the capacity shares on purpose, to make up for the carried load's excursions (a few big flows on one
    /// gateway), so they leave that band while the carried load stays in it.
    /// </summary>
    [Fact]
    public void When_the_capacity_of_a_gateway_halves_the_mesh_settles_within_30_seconds()
    {
        var r = Run(StepAt103NodeOccupancy);
        var s = r.Traffic!.Step!;
        Assert.InRange(s.SettleS, 0, 30);
        Assert.InRange(s.OvershootPct, 0, 10);
        Assert.InRange(s.SteppedGatewayReachS, 0, 30);
        Assert.InRange(s.ReversalsAfterSettle, 0, 3);
        Assert.InRange(s.RoutedOvershootPct, 0, 10);
        Assert.Equal(0, r.Traffic.Flows.Broken);
    }

    [Fact]
    public void An_uplink_flapping_every_few_seconds_does_not_drag_the_weights_along()
    {
        var r = Run("uplink-flap");
        var f = r.Traffic!.Flap!;
        Assert.True(f.PhysicalTransitions >= 50, Describe(r));
        // The gateway's uplink judgement needs 10 s of unbroken success to say Up again: one Down, one Up in all.
        Assert.InRange(f.SignedUplinkChanges, 1, 3);
        Assert.InRange(f.MaxFlapperWeightChangesOfANode, 1, 3);
        Assert.InRange(f.FlapperWeightChangesPerNodePerMin, 0, 1);
        Assert.True(f.MeanUtilizationOfFlapper < 0.02, Describe(r));
        Assert.Equal(0, r.Traffic.Flows.Broken);
        Assert.All(r.Traffic.Outages, o => Assert.Equal(0, o.MovedFromOthers));
    }

    [Fact]
    public void An_uplink_whose_up_phases_outlast_the_gateways_hold_is_held_down_by_the_nodes()
    {
        var r = Run("uplink-flap-slow");
        var f = r.Traffic!.Flap!;
        Assert.True(f.SignedUplinkChanges >= 20, Describe(r));
        // Every flap is signed, but the nodes' hold-down (2, 4, 8 ... s) soon outlasts the 5 s it stays Up.
        Assert.True(f.MaxFlapperWeightChangesOfANode <= f.SignedUplinkChanges / 2, Describe(r));
        Assert.True(f.MeanUtilizationOfFlapper < 0.1, Describe(r));
        Assert.Equal(0, r.Traffic.Flows.Broken);
    }

    [Fact]
    public void An_uplink_outage_moves_only_the_dead_gateways_flows()
    {
        var r = Run("uplink-outage-traffic");
        var t = r.Traffic!;
        Assert.Equal(3, t.Outages.Count);
        Assert.All(t.Outages, o =>
        {
            Assert.True(o.MovedFromGateway > 0, Describe(r));
            Assert.Equal(0, o.MovedFromOthers);
            Assert.InRange(o.LastMoveAfterS, 0.3, 1.5);
        });
        Assert.Equal(0, t.Flows.Broken);
        Assert.Equal(t.Outages.Sum(o => o.MovedFromGateway), t.Flows.MovedByOutage);
        Assert.True(r.Converged, SimRun.Describe(r));
    }

    [Fact]
    public void A_gateway_crash_moves_only_the_crashed_gateways_flows()
    {
        var r = Run("gateway-crash-traffic", seed: 2);
        var t = r.Traffic!;
        Assert.Equal(3, t.Outages.Count);
        Assert.All(t.Outages, o =>
        {
            Assert.True(o.MovedFromGateway > 0, Describe(r));
            Assert.Equal(0, o.MovedFromOthers);
            Assert.InRange(o.LastMoveAfterS, 0.3, 2);
        });
        Assert.Equal(0, t.Flows.Broken);
        Assert.True(r.Converged, SimRun.Describe(r));
    }

    [Fact]
    public void The_same_seed_gives_the_same_traffic_and_trace()
    {
        var a = Run("load-balance", loss: 0.02, duration: TimeSpan.FromSeconds(60), seed: 7, nodes: 15);
        var b = Run("load-balance", loss: 0.02, duration: TimeSpan.FromSeconds(60), seed: 7, nodes: 15);
        Assert.Equal(a.TraceHash, b.TraceHash);
        Assert.Equal(a.Traffic!.Flows, b.Traffic!.Flows);
        Assert.Equal(a.Traffic.Gateways, b.Traffic.Gateways);
        Assert.Equal(a.Traffic.PolicyUpdates, b.Traffic.PolicyUpdates);
    }

    [Fact]
    public void Traffic_settings_come_from_the_scenario_name_and_bad_ones_are_refused()
    {
        var scenario = ScenarioCatalog.Create("load-step:Weights.ControllerTimeConstantMs=20000,OfferedLoad=0.6") as TrafficScenario;
        Assert.NotNull(scenario);
        Assert.Equal(20_000, scenario.Traffic.Policy.Weights.ControllerTimeConstantMs);
        Assert.Equal(0.6, scenario.Traffic.OfferedLoad);
        Assert.Null(ScenarioCatalog.Create("load-step:NoSuchKey=1"));
        Assert.Null(ScenarioCatalog.Create("load-step:OfferedLoad=banana"));
        Assert.Null(ScenarioCatalog.Create("load-step:Weights.ControllerTimeConstantMs=10")); // fails the policy's own validation
        Assert.Null(ScenarioCatalog.Create("lossy-steady:OfferedLoad=0.5")); // not a traffic scenario
        Assert.Contains("load-balance", ScenarioCatalog.Names);
        Assert.Contains("uplink-flap-slow", ScenarioCatalog.Names);
    }
}
