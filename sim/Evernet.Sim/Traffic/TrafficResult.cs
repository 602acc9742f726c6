namespace Evernet.Sim.Traffic;

/// <summary>
/// One gateway over the judged window. <see cref="Utilization"/> is mean download / capacity; <see cref="TargetShare"/>
/// its share of the gateways' capacity (what the policy balances towards: equal utilisation everywhere);
/// <see cref="LoadShare"/> its share of the carried load; <see cref="DeviationPct"/> = (load share / target share − 1)·100.
/// <see cref="RoutedDeviationPct"/>: the same for the share of new flows the nodes' bucket tables send it (noise-free).
/// <see cref="DeviationP95Pct"/>: 95th percentile of |deviation| over the window's moving averages (<see cref="TrafficResult.SmoothingS"/> long): the noise.
/// </summary>
public sealed record TrafficGatewayResult(
    int Slot,
    string Name,
    double CapacityDownMbps,
    double CapacityUpMbps,
    double Utilization,
    double UtilizationUp,
    double TargetShare,
    double LoadShare,
    double DeviationPct,
    double DeviationP95Pct,
    double RoutedDeviationPct,
    double MeanActiveFlows,
    long Publications,
    long UrgentPublications);

/// <summary>
/// The response to a capacity step. <see cref="SettleS"/>: from the step until every gateway's smoothed load share stays
/// within the band of its new capacity share until the end (−1: never). <see cref="OvershootPct"/>: the largest
/// excursion past the new target after crossing it, in % of the target share (same unit as the band);
/// <see cref="OvershootOfStepPct"/> the same in % of the initial error. <see cref="ReversalsAfterSettle"/>: sign
/// changes of errors larger than half the band after settling (ringing). The Routed* figures judge the same on the share
/// of new flows the bucket tables send each gateway, per second: the controller's output without the traffic's noise.
/// <see cref="SteppedGatewaySettleS"/> / <see cref="SteppedGatewayRoutedSettleS"/>: the same settle times for the
/// stepped gateway alone (the others also move, but by less, and their noise can dominate the all-gateway figure).
/// The *ReachS figures: from the step until the shares first stay within the band for at least a minute (settle_s asks
/// them to stay until the end of the run, which a noisy share on a small gateway may never do).
/// The Weight* figures judge the share the installed weights ask for (demand-weighted over the nodes): the policy's
/// output before the bucket tables' idle timers and the traffic's noise.
/// </summary>
public sealed record TrafficStepResult(
    double AtS,
    int Slot,
    string Gateway,
    double FromDownMbps,
    double ToDownMbps,
    double InitialDeviationPct,
    double SettleS,
    double OvershootPct,
    double OvershootOfStepPct,
    int ReversalsAfterSettle,
    double MaxDeviationAfterSettlePct,
    double RoutedInitialDeviationPct,
    double RoutedSettleS,
    double RoutedOvershootPct,
    double RoutedOvershootOfStepPct,
    int RoutedReversalsAfterSettle,
    double RoutedMaxDeviationAfterSettlePct,
    double SteppedGatewaySettleS,
    double SteppedGatewayRoutedSettleS,
    double ReachS,
    double RoutedReachS,
    double SteppedGatewayReachS,
    double SteppedGatewayRoutedReachS,
    double WeightSettleS,
    double WeightOvershootPct,
    double WeightReachS);

/// <summary>
/// A flapping uplink. Weight changes per node per minute while it flaps (all gateways, and only the flapping one's)
/// and before it began; the maximum any single node made for the flapping gateway; how often the physical line changed
/// and how often the gateway signed an uplink change.
/// </summary>
public sealed record TrafficFlapResult(
    int Slot,
    string Gateway,
    double FromS,
    double ToS,
    double DownS,
    double UpS,
    int PhysicalTransitions,
    int SignedUplinkChanges,
    double WeightChangesPerNodePerMin,
    double FlapperWeightChangesPerNodePerMin,
    double WeightChangesPerNodePerMinBefore,
    int MaxFlapperWeightChangesOfANode,
    double MeanUtilizationOfFlapper);

/// <summary>One physical outage (uplink down or gateway stopped): the flows it held, and which flows moved while it lasted.</summary>
public sealed record TrafficOutageResult(
    int Slot,
    string Gateway,
    double AtS,
    double ForS,
    int FlowsOnGateway,
    long MovedFromGateway,
    long MovedFromOthers,
    double LastMoveAfterS);

/// <summary>
/// Flow accounting. <see cref="Broken"/>: flows whose gateway changed while that gateway was alive (it could have carried
/// them on) — split into <see cref="BrokenBusyBucketMoved"/> (a busy bucket re-pointed away from a gateway still in the
/// group: a resilient-hashing defect) and <see cref="BrokenZeroWeightWhileAlive"/> (the node dropped a live gateway: a
/// false failover). <see cref="MovedByOutage"/>: flows moved off a gateway that was physically down at that moment.
/// </summary>
public sealed record TrafficFlowCounts(
    long Started,
    long Completed,
    long ActiveAtEnd,
    long NoRoute,
    long Broken,
    long BrokenBusyBucketMoved,
    long BrokenZeroWeightWhileAlive,
    long MovedByOutage,
    double MeanStretch,
    double P99Stretch);

/// <summary>
/// Weight changes that kept the set of usable gateways (balancing): how many buckets each moved, and how many of the
/// node's active flows changed gateway (0 by construction of resilient buckets, measured).
/// </summary>
public sealed record TrafficRebalanceResult(
    long Count,
    double BucketsMovedPctMean,
    double BucketsMovedPctMax,
    double FlowsMovedPctMean,
    double FlowsMovedPctMax,
    long DeferredBucketMigrations);

/// <summary>Every 5 s: per-slot utilisation, share of the carried load, capacity share and routed share (for plots); misplaced %.</summary>
public sealed record TrafficSample(double TS, double[] Utilization, double[] LoadShare, double[] TargetShare, double[] RoutedShare, double MisplacedPct);

/// <summary>
/// Everything the traffic model measured in one seed's run. Times are seconds since traffic started.
/// <see cref="MisplacedPct"/>: mean share of new traffic (over the window) hashed into buckets that the current weights
/// want on another gateway but that stay put because they are busy (the resilient group's lag).
/// <see cref="LiveGatewayDrops"/>: how often a node took a physically working gateway out of its route (weight 0) —
/// false failovers — by the policy's reason (PathDead: the tunnel probes' dead-path verdict; Unreachable: the core's gateway probes).
/// <see cref="SteadyOutOfBandPct"/>: % of the judged window's seconds in which some gateway's smoothed load share was
/// outside the band (the traffic's noise floor for settle_s). <see cref="TunnelProbesPerNodePerS"/>: tunnel probes sent
/// per member per second (all gateways, retries included).
/// </summary>
public sealed record TrafficResult(
    string Settings,
    int SmoothingS,
    double OfferedMbps,
    double CapacityDownMbps,
    double DemandFraction,
    double MeanUtilization,
    double WindowFromS,
    double WindowToS,
    List<TrafficGatewayResult> Gateways,
    double MaxAbsDeviationPct,
    TrafficStepResult? Step,
    TrafficFlapResult? Flap,
    List<TrafficOutageResult> Outages,
    double WeightChangesPerNodePerMin,
    double MisplacedPct,
    long LiveGatewayDrops,
    SortedDictionary<string, long> LiveGatewayDropReasons,
    TrafficRebalanceResult Rebalancing,
    TrafficFlowCounts Flows,
    long PolicyUpdates,
    double PolicyWallS,
    List<TrafficSample> Series,
    double SteadyOutOfBandPct,
    double TunnelProbesPerNodePerS);
