using Evernet.Sim.Running;

namespace Evernet.Sim.Traffic;

/// <summary>One gateway slot over all seeds: mean utilisation and deviation from its capacity share, and the worst seed's.</summary>
public sealed record TrafficGatewaySummary(
    int Slot,
    double CapacityDownMbps,
    double CapacityUpMbps,
    double Utilization,
    double TargetShare,
    double LoadShare,
    double DeviationPct,
    double WorstAbsDeviationPct,
    double DeviationP95Pct,
    double RoutedDeviationPct);

/// <summary>
/// The traffic figures of all seeds: per slot (gateways are assigned links by slot, so slots compare across seeds),
/// the worst case of each judged figure, flow totals, and every seed's full result.
/// <see cref="SettleSMax"/> is −1 if any seed never settled.
/// </summary>
public sealed record TrafficReport(
    string Settings,
    double OfferedMbps,
    double CapacityDownMbps,
    double DemandFraction,
    double MeanUtilization,
    List<TrafficGatewaySummary> Utilization,
    double MaxAbsDeviationPct,
    double WeightChangesPerNodePerMin,
    double MisplacedPct,
    long LiveGatewayDrops,
    double? SettleSMax,
    double? OvershootPctMax,
    double? OvershootOfStepPctMax,
    int? ReversalsAfterSettleMax,
    double? RoutedSettleSMax,
    double? SteppedGatewaySettleSMax,
    double? SteppedGatewayRoutedSettleSMax,
    double? ReachSMax,
    double? RoutedReachSMax,
    double? RoutedOvershootPctMax,
    int? RoutedReversalsAfterSettleMax,
    double? FlapWeightChangesPerNodePerMinMax,
    double? FlapperWeightChangesPerNodePerMinMax,
    long RebalancingCount,
    double BucketsMovedPctMean,
    double FlowsMovedPctMax,
    long FlowsStarted,
    long FlowsBroken,
    long FlowsBrokenBusyBucketMoved,
    long FlowsBrokenZeroWeightWhileAlive,
    long FlowsMovedByOutage,
    int Outages,
    long OutageMovedFromOthers,
    double OutageLastMoveAfterSMax,
    long PolicyUpdates,
    double PolicyWallS,
    List<TrafficResult> PerSeed,
    double? WeightSettleSMax,
    double? WeightOvershootPctMax,
    double SteadyOutOfBandPctMax,
    double TunnelProbesPerNodePerS)
{
    public static TrafficReport? Merge(IReadOnlyList<SeedResult> results)
    {
        var seeds = results.Where(r => r.Traffic is not null).Select(r => r.Traffic!).ToList();
        if (seeds.Count == 0) return null;
        var first = seeds[0];
        var slots = new List<TrafficGatewaySummary>();
        for (int s = 0; s < first.Gateways.Count; s++)
        {
            var of = seeds.Where(r => r.Gateways.Count > s).Select(r => r.Gateways[s]).ToList();
            slots.Add(new TrafficGatewaySummary(s,
                of[0].CapacityDownMbps,
                of[0].CapacityUpMbps,
                Math.Round(of.Average(g => g.Utilization), 4),
                Math.Round(of.Average(g => g.TargetShare), 4),
                Math.Round(of.Average(g => g.LoadShare), 4),
                Math.Round(of.Average(g => g.DeviationPct), 2),
                of.Max(g => Math.Abs(g.DeviationPct)),
                of.Max(g => g.DeviationP95Pct),
                Math.Round(of.Average(g => g.RoutedDeviationPct), 2)));
        }
        var steps = seeds.Where(r => r.Step is not null).Select(r => r.Step!).ToList();
        var flaps = seeds.Where(r => r.Flap is not null).Select(r => r.Flap!).ToList();
        var rebalancing = seeds.Select(r => r.Rebalancing).ToList();
        var outages = seeds.SelectMany(r => r.Outages).ToList();
        return new TrafficReport(
            first.Settings,
            first.OfferedMbps,
            first.CapacityDownMbps,
            first.DemandFraction,
            Math.Round(seeds.Average(r => r.MeanUtilization), 4),
            slots,
            seeds.Max(r => r.MaxAbsDeviationPct),
            Math.Round(seeds.Average(r => r.WeightChangesPerNodePerMin), 3),
            Math.Round(seeds.Average(r => r.MisplacedPct), 2),
            seeds.Sum(r => r.LiveGatewayDrops),
            steps.Count == 0 ? null : steps.Any(s => s.SettleS < 0) ? -1 : steps.Max(s => s.SettleS),
            steps.Count == 0 ? null : steps.Max(s => s.OvershootPct),
            steps.Count == 0 ? null : steps.Max(s => s.OvershootOfStepPct),
            steps.Count == 0 ? null : steps.Max(s => s.ReversalsAfterSettle),
            steps.Count == 0 ? null : steps.Any(s => s.RoutedSettleS < 0) ? -1 : steps.Max(s => s.RoutedSettleS),
            steps.Count == 0 ? null : steps.Any(s => s.SteppedGatewaySettleS < 0) ? -1 : steps.Max(s => s.SteppedGatewaySettleS),
            steps.Count == 0 ? null : steps.Any(s => s.SteppedGatewayRoutedSettleS < 0) ? -1 : steps.Max(s => s.SteppedGatewayRoutedSettleS),
            steps.Count == 0 ? null : steps.Any(s => s.ReachS < 0) ? -1 : steps.Max(s => s.ReachS),
            steps.Count == 0 ? null : steps.Any(s => s.RoutedReachS < 0) ? -1 : steps.Max(s => s.RoutedReachS),
            steps.Count == 0 ? null : steps.Max(s => s.RoutedOvershootPct),
            steps.Count == 0 ? null : steps.Max(s => s.RoutedReversalsAfterSettle),
            flaps.Count == 0 ? null : flaps.Max(f => f.WeightChangesPerNodePerMin),
            flaps.Count == 0 ? null : flaps.Max(f => f.FlapperWeightChangesPerNodePerMin),
            rebalancing.Sum(r => r.Count),
            Math.Round(rebalancing.Sum(r => r.Count) == 0 ? 0 : rebalancing.Sum(r => r.BucketsMovedPctMean * r.Count) / rebalancing.Sum(r => r.Count), 3),
            rebalancing.Max(r => r.FlowsMovedPctMax),
            seeds.Sum(r => r.Flows.Started),
            seeds.Sum(r => r.Flows.Broken),
            seeds.Sum(r => r.Flows.BrokenBusyBucketMoved),
            seeds.Sum(r => r.Flows.BrokenZeroWeightWhileAlive),
            seeds.Sum(r => r.Flows.MovedByOutage),
            outages.Count,
            outages.Sum(o => o.MovedFromOthers),
            outages.Count == 0 ? 0 : outages.Max(o => o.LastMoveAfterS),
            seeds.Sum(r => r.PolicyUpdates),
            Math.Round(seeds.Sum(r => r.PolicyWallS), 3),
            seeds,
            steps.Count == 0 ? null : steps.Any(s => s.WeightSettleS < 0) ? -1 : steps.Max(s => s.WeightSettleS),
            steps.Count == 0 ? null : steps.Max(s => s.WeightOvershootPct),
            seeds.Max(r => r.SteadyOutOfBandPct),
            Math.Round(seeds.Average(r => r.TunnelProbesPerNodePerS), 3));
    }
}
