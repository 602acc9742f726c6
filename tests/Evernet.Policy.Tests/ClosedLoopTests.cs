using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Xunit.Abstractions;

namespace Evernet.Policy.Tests;

/// <summary>
/// A small closed-loop model: 100 nodes run the real weight controller against 3 gateways whose summaries report the load
/// the nodes themselves cause. Flows are sticky: a node's load on a gateway follows its weights only with a lag (flow
/// turnover), which is what makes naive controllers oscillate. The real closed loop (gossip delays, SWIM) is the simulator's.
/// </summary>
public sealed class ClosedLoopTests(ITestOutputHelper output)
{
    private sealed record GatewayModel(string Name, double CapacityMbps, double BackgroundMbps);

    private sealed class NodeModel(NodeId id, double demandMbps, int rttProfile)
    {
        public NodeId Id { get; } = id;
        public ulong Seed { get; } = StableHash.SeedFor(id);
        public double DemandMbps { get; } = demandMbps;
        public int RttProfile { get; } = rttProfile;
        public WeightState State { get; set; } = WeightState.Initial;
        public double[] LoadMbps { get; } = new double[3];
        public int[] Weights { get; set; } = new int[3];
        public int Changes { get; set; }
    }

    private sealed record Trace(double[][] Utilisation, double[] Mean, List<(int Node, long T, int[] Weights)> WeightChanges, int[][] ZeroAtSecond);

    private static readonly GatewayModel[] Gateways = [new("gw-a", 100, 25), new("gw-b", 50, 0), new("gw-c", 30, 0)];
    private const double FlowTurnoverSeconds = 20;

    private static Trace Run(WeightOptions options, int seconds, Func<int, int, bool>? gatewayUp = null)
    {
        gatewayUp ??= (_, _) => true;
        var random = new SeededRandom(7);
        var nodes = Enumerable.Range(0, 100)
            .Select(i => new NodeModel(Mesh.Id($"node{i}"), 0.4 + 0.8 * random.NextDouble(), i % 3))
            .ToList();
        var members = Gateways.Select((g, i) => Mesh.Member(g.Name, NodeRoles.Gateway, [$"10.0.0.{i + 1}:7946"])).ToImmutableArray();
        var published = new GatewaySummary?[3];
        var publishedAt = new long[3];
        var lastUp = new bool[3];
        var utilisation = Gateways.Select(_ => new double[seconds]).ToArray();
        var mean = new double[seconds];
        var changes = new List<(int, long, int[])>();
        var zeroAt = new int[seconds][];
        double alpha = 1 - Math.Exp(-1 / FlowTurnoverSeconds);

        for (int s = 0; s < seconds; s++)
        {
            long now = Mesh.Now + s * 1000L;
            var load = new double[3];
            for (int g = 0; g < 3; g++) load[g] = Math.Min(Gateways[g].CapacityMbps, Gateways[g].BackgroundMbps + nodes.Sum(n => n.LoadMbps[g]));
            for (int g = 0; g < 3; g++)
            {
                bool up = gatewayUp(g, s);
                // Routine summaries every 5 s; an uplink change is published at once (urgent).
                if (published[g] is null || now - publishedAt[g] >= 5_000 || up != lastUp[g])
                {
                    published[g] = Mesh.Summary(Gateways[g].Name, up ? UplinkState.Up : UplinkState.Down, Gateways[g].CapacityMbps, load[g], at: now);
                    publishedAt[g] = now;
                    lastUp[g] = up;
                }
            }
            // Three RTT profiles: nodes near a, near b, near c see that gateway 10 ms closer.
            var views = Enumerable.Range(0, 3).Select(profile => Mesh.View(now, default, members,
                Gateways.Select((gw, g) => Mesh.Gateway(gw.Name, published[g], rttMs: profile == g ? 5 : 15)))).ToArray();

            zeroAt[s] = new int[3];
            foreach (var node in nodes)
            {
                var r = WeightCalculator.Compute(views[node.RttProfile], PathQualitySnapshot.Empty, options, node.State, now, node.Seed);
                node.State = r.State;
                var w = Gateways.Select(gw => r.WeightOf(Mesh.Id(gw.Name))).ToArray();
                if (r.Changed) changes.Add((nodes.IndexOf(node), s, w));
                node.Weights = w;
                for (int g = 0; g < 3; g++) if (w[g] == 0) zeroAt[s][g]++;
                int total = w.Sum();
                // Sticky flows: load follows weights with the flow-turnover lag ...
                for (int g = 0; g < 3; g++) node.LoadMbps[g] += alpha * (node.DemandMbps * w[g] / Math.Max(1, total) - node.LoadMbps[g]);
                // ... except flows on a gateway that became unusable: they break and re-establish on the others at once.
                double orphaned = 0;
                for (int g = 0; g < 3; g++) if (w[g] == 0) { orphaned += node.LoadMbps[g]; node.LoadMbps[g] = 0; }
                if (total > 0) for (int g = 0; g < 3; g++) node.LoadMbps[g] += orphaned * w[g] / total;
            }
            double totalLoad = 0, totalCapacity = 0;
            for (int g = 0; g < 3; g++)
            {
                double l = Math.Min(Gateways[g].CapacityMbps, Gateways[g].BackgroundMbps + nodes.Sum(n => n.LoadMbps[g]));
                utilisation[g][s] = l / Gateways[g].CapacityMbps;
                if (gatewayUp(g, s)) { totalLoad += l; totalCapacity += Gateways[g].CapacityMbps; }
            }
            mean[s] = totalLoad / totalCapacity;
        }
        return new Trace(utilisation, mean, changes, zeroAt);
    }

    private static double Spread(Trace trace, int g, int from, int to) =>
        trace.Utilisation[g][from..to].Max() - trace.Utilisation[g][from..to].Min();

    private static double MaxImbalance(Trace trace, int from, int to) =>
        Enumerable.Range(from, to - from).Max(s => Enumerable.Range(0, 3).Max(g => Math.Abs(trace.Utilisation[g][s] - trace.Mean[s])));

    private void Log(Trace trace, int every)
    {
        for (int s = 0; s < trace.Mean.Length; s += every)
            output.WriteLine($"t={s,5}s  u_a={trace.Utilisation[0][s]:F3} u_b={trace.Utilisation[1][s]:F3} u_c={trace.Utilisation[2][s]:F3}  mean={trace.Mean[s]:F3}");
    }

    /// <summary>How often a gateway's utilisation error changes sign (ignoring errors smaller than <paramref name="band"/>): ringing.</summary>
    private static int Reversals(Trace trace, int g, int from, int to, double band = 0.01)
    {
        int reversals = 0, sign = 0;
        for (int s = from; s < to; s++)
        {
            double e = trace.Utilisation[g][s] - trace.Mean[s];
            if (Math.Abs(e) < band) continue;
            int now = Math.Sign(e);
            if (sign != 0 && now != sign) reversals++;
            sign = now;
        }
        return reversals;
    }

    [Fact]
    public void Hundred_nodes_converge_to_equal_utilisation_without_oscillating()
    {
        var trace = Run(new WeightOptions(), 900);
        Log(trace, 60);
        // Start: capacity shares, but gw-a carries 25 Mbit/s of its own, so it starts hotter than the others.
        Assert.True(MaxImbalance(trace, 20, 60) > 0.05, "the scenario must start unbalanced or the test proves nothing");
        // Settled: every gateway within the deadband (+ a little) of the mean utilisation ...
        Assert.True(MaxImbalance(trace, 400, 900) < 0.04, $"imbalance {MaxImbalance(trace, 400, 900):F3}");
        // ... approached monotonically: no gateway's error ever changed sign (no overshoot, no ringing) ...
        for (int g = 0; g < 3; g++) Assert.True(Reversals(trace, g, 30, 900) == 0, $"gateway {g} reversed {Reversals(trace, g, 30, 900)} times");
        // ... and steady, with the nodes' routes quiet once settled (hysteresis).
        for (int g = 0; g < 3; g++) Assert.True(Spread(trace, g, 400, 900) < 0.01, $"gateway {g} swings {Spread(trace, g, 400, 900):F3}");
        int lateChanges = trace.WeightChanges.Count(c => c.T >= 400);
        output.WriteLine($"weight changes: total {trace.WeightChanges.Count}, after 400 s {lateChanges}");
        Assert.True(lateChanges <= 20, $"{lateChanges} weight changes in the settled phase");
    }

    [Fact]
    public void A_fast_integrator_rings_which_is_what_the_slow_one_avoids()
    {
        // Negative control: the same loop with the integrator 90 times faster, no deadband or hysteresis, and no
        // proportional correction to damp it rings for minutes. If this did not show reversals, the convergence test
        // above would not be showing anything.
        var trace = Run(new WeightOptions { ControllerTimeConstantMs = 1_000, BalanceIntervalMs = 1_000, DeadbandUtilisation = 0, HysteresisWeight = 0, CorrectionLimit = 0 }, 400);
        Log(trace, 15);
        int reversals = Enumerable.Range(0, 3).Max(g => Reversals(trace, g, 30, 400));
        output.WriteLine($"reversals {reversals}");
        Assert.True(reversals >= 4, $"expected ringing, got {reversals} reversals");
    }

    [Fact]
    public void Failover_is_immediate_and_failback_ramps_without_overshoot()
    {
        // gw-b's uplink dies at 300 s and comes back at 420 s.
        var trace = Run(new WeightOptions(), 1000, (g, s) => g != 1 || s < 300 || s >= 420);
        Log(trace, 30);
        Assert.Equal(0, trace.ZeroAtSecond[299][1]);
        Assert.Equal(100, trace.ZeroAtSecond[300][1]);               // every node, in the same second
        Assert.Equal(0.0, trace.Utilisation[1][300]);
        // The survivors carry it (they have the capacity): their mean utilisation rises at once.
        Assert.True(trace.Mean[301] > trace.Mean[299] + 0.1);
        // Back at 420 s: slow start, no stampede onto the idle gateway — it never runs hotter than the mean, and the
        // others come down to it without ringing.
        Assert.Equal(0, trace.ZeroAtSecond[420][1]);
        double worstOvershoot = Enumerable.Range(420, 580).Max(s => trace.Utilisation[1][s] - trace.Mean[s]);
        output.WriteLine($"worst overshoot of gw-b after failback {worstOvershoot:F3}");
        Assert.True(worstOvershoot < 0.03, $"gw-b overshoot {worstOvershoot:F3}");
        for (int g = 0; g < 3; g++) Assert.True(Reversals(trace, g, 420, 1000) == 0, $"gateway {g} reversed after failback");
        Assert.True(MaxImbalance(trace, 800, 1000) < 0.04, $"imbalance {MaxImbalance(trace, 800, 1000):F3}");
    }
}
