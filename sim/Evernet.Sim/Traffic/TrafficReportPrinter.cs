using System.Globalization;
using System.Text;

namespace Evernet.Sim.Traffic;

/// <summary>The traffic block of the readable report.</summary>
public static class TrafficReportPrinter
{
    private static string Seconds(double s) => s < 0 ? "never" : s.ToString("0", CultureInfo.InvariantCulture);

    public static string Render(TrafficReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.AppendLine(s.ToString(inv));
        var first = r.PerSeed[0];
        Line($"  traffic: offered {r.OfferedMbps:0.#} Mbit/s = {r.DemandFraction:P0} of {r.CapacityDownMbps:0.#} Mbit/s; judged {first.WindowFromS:0}..{first.WindowToS:0} s after traffic start; mean utilisation {r.MeanUtilization:0.000}; settings {r.Settings}");
        foreach (var g in r.Utilization)
        {
            var own = first.Gateways.Count > g.Slot ? first.Gateways[g.Slot] : null;
            string name = own?.Name ?? $"slot{g.Slot}";
            Line($"    {name,-6} {g.CapacityDownMbps,5:0.#}/{g.CapacityUpMbps:0.#} Mbit/s  utilization {g.Utilization:0.000}  load share {g.LoadShare:0.000} vs capacity share {g.TargetShare:0.000}  deviation {g.DeviationPct:+0.0;-0.0} % (worst seed {g.WorstAbsDeviationPct:0.0} %; p95 over {first.SmoothingS}-s averages {g.DeviationP95Pct:0.0} %); routed {g.RoutedDeviationPct:+0.0;-0.0} %; signed {own?.Publications} summaries ({own?.UrgentPublications} urgent)");
        }
        Line($"    max |deviation| {r.MaxAbsDeviationPct:0.0} %   weight_changes_per_node_per_min {r.WeightChangesPerNodePerMin:0.###}   misplaced {r.MisplacedPct:0.#} %   live gateways dropped from a route {r.LiveGatewayDrops} ({string.Join(", ", r.PerSeed.SelectMany(p => p.LiveGatewayDropReasons).GroupBy(kv => kv.Key).Select(g => $"{g.Key}={g.Sum(kv => kv.Value)}"))})");
        foreach (var s in r.PerSeed.Where(p => p.Step is not null).Select(p => p.Step!).Take(1))
            Line($"    step at {s.AtS:0} s: {s.Gateway} {s.FromDownMbps:0.#} -> {s.ToDownMbps:0.#} Mbit/s; initial deviation {s.InitialDeviationPct:0.#} %");
        if (r.SettleSMax is { } settle)
            Line($"    settle_s {(settle < 0 ? "never" : settle.ToString("0", inv))}  overshoot_pct {r.OvershootPctMax:0.0} (of the step: {r.OvershootOfStepPctMax:0.0} %)  reversals after settle {r.ReversalsAfterSettleMax}   (worst seed, {first.SmoothingS}-s averages of carried load)");
        if (r.RoutedSettleSMax is { } routed)
            Line($"    routed (bucket tables): settle_s {(routed < 0 ? "never" : routed.ToString("0", inv))}  overshoot_pct {r.RoutedOvershootPctMax:0.0}  reversals after settle {r.RoutedReversalsAfterSettleMax}");
        if (r.WeightSettleSMax is { } weightSettle)
            Line($"    weights (installed, demand-weighted): settle_s {Seconds(weightSettle)}  overshoot_pct {r.WeightOvershootPctMax:0.0}; per seed: {string.Join(", ", r.PerSeed.Where(p => p.Step is not null).Select(p => Seconds(p.Step!.WeightSettleS)))}");
        if (r.SteppedGatewaySettleSMax is { } stepped)
            Line($"    the stepped gateway alone: settle_s {Seconds(stepped)} (routed {Seconds(r.SteppedGatewayRoutedSettleSMax ?? -1)}); per seed: {string.Join(", ", r.PerSeed.Where(p => p.Step is not null).Select(p => $"{Seconds(p.Step!.SettleS)}/{Seconds(p.Step.RoutedSettleS)}/{Seconds(p.Step.SteppedGatewaySettleS)}/{Seconds(p.Step.SteppedGatewayRoutedSettleS)}"))} (all/all routed/stepped/stepped routed)");
        if (r.ReachSMax is { } reach)
            Line($"    reach_s (within the band for a minute) {Seconds(reach)} (routed {Seconds(r.RoutedReachSMax ?? -1)}); per seed: {string.Join(", ", r.PerSeed.Where(p => p.Step is not null).Select(p => $"{Seconds(p.Step!.ReachS)}/{Seconds(p.Step.RoutedReachS)}/{Seconds(p.Step.SteppedGatewayReachS)}/{Seconds(p.Step.SteppedGatewayRoutedReachS)}"))} (all/all routed/stepped/stepped routed)");
        foreach (var f in r.PerSeed.Where(p => p.Flap is not null).Select(p => p.Flap!))
            Line($"    flap {f.Gateway} down {f.DownS:0.#} s / up {f.UpS:0.#} s during {f.FromS:0}..{f.ToS:0} s: {f.PhysicalTransitions} line changes, {f.SignedUplinkChanges} signed uplink changes; weight changes/node/min {f.WeightChangesPerNodePerMin:0.###} (for {f.Gateway}: {f.FlapperWeightChangesPerNodePerMin:0.###}, most of one node {f.MaxFlapperWeightChangesOfANode}; before: {f.WeightChangesPerNodePerMinBefore:0.###}); {f.Gateway} utilization {f.MeanUtilizationOfFlapper:0.000}");
        Line($"    steady window: some gateway's {first.SmoothingS}-s load share outside the band in {r.SteadyOutOfBandPctMax:0.#} % of seconds (worst seed; the noise floor of settle_s); tunnel probes {r.TunnelProbesPerNodePerS:0.##}/node/s");
        Line($"    rebalancing: {r.RebalancingCount} weight changes keeping the gateway set; buckets moved mean {r.BucketsMovedPctMean:0.##} %; flows_moved_pct max {r.FlowsMovedPctMax:0.##}");
        Line($"    flows: {r.FlowsStarted} started; flows_broken {r.FlowsBroken} (busy bucket re-pointed {r.FlowsBrokenBusyBucketMoved}, live gateway dropped {r.FlowsBrokenZeroWeightWhileAlive}); moved by outage {r.FlowsMovedByOutage}");
        if (r.Outages > 0)
        {
            Line($"    outages: {r.Outages}; flows moved off other gateways meanwhile {r.OutageMovedFromOthers}; last flow moved off the dead gateway at most {r.OutageLastMoveAfterSMax:0.###} s after it died");
            foreach (var o in first.Outages.Take(8))
                Line($"      {o.Gateway} down at {o.AtS:0.0} s for {o.ForS:0.0} s: {o.FlowsOnGateway} flows on it, {o.MovedFromGateway} moved off it (last {o.LastMoveAfterS:0.###} s after), {o.MovedFromOthers} moved off others");
            if (first.Outages.Count > 8) Line($"      ... {first.Outages.Count - 8} more");
        }
        Line($"    stretch (flows ≥ 1 s at the cap): mean {first.Flows.MeanStretch:0.##} p99 {first.Flows.P99Stretch:0.##}; policy updates {r.PolicyUpdates} in {r.PolicyWallS:0.##} s wall");
        return sb.ToString();
    }
}
