namespace Evernet.Policy;

/// <summary>
/// The node-side weight controller (see docs/design.md, "Weight controller"). Defaults suit a mesh whose load moves
/// between gateways only as flows end and new ones start (resilient nexthop groups): the balancing loop is slow
/// (tens of seconds) on purpose, failover is not (an unusable gateway drops to zero at once).
/// </summary>
public sealed class WeightOptions
{
    /// <summary>Weights of usable gateways always sum to this.</summary>
    public int Total { get; set; } = 1000;
    /// <summary>No eligible gateway's balance share falls below this: a full gateway still gets a trickle of new flows.</summary>
    public double FloorShare { get; set; } = 0.02;
    /// <summary>
    /// Integral time constant of the balancing loop: a share error of e moves this node's shares by e·dt/τ. Must be at
    /// least about four times the lag between a weight change and the load summaries showing it (flow turnover plus
    /// summary interval), or the loop overshoots.
    /// </summary>
    public int ControllerTimeConstantMs { get; set; } = 90_000;
    /// <summary>
    /// After a gateway's signed capacity changes, every share is reset to its capacity share at once (feed-forward: the
    /// weights land on the new capacity-proportional target) and the integrator pauses this long, because until the
    /// bucket tables and the load summaries catch up, the measured load still shows the old routing and integrating
    /// that error would wind the shares past the target.
    /// </summary>
    public int CapacityStepHoldMs { get; set; } = 60_000;
    /// <summary>
    /// Time constant of the fast correction: a share error of e moves it by e·dt/τ. The correction is the proportional
    /// part of the controller (a leaky integrator, so in steady state it holds about
    /// <see cref="CorrectionMemoryMs"/>/τ times the error): it makes new flows make up for the carried load's short
    /// excursions (a burst of big flows on one gateway) within seconds, which the slow integrator cannot. Being
    /// proportional, not integral, it damps a loop whose load follows the weights slowly (long-lived flows) instead of
    /// ringing in it.
    /// </summary>
    public int CorrectionTimeConstantMs { get; set; } = 3_000;
    /// <summary>The correction decays towards zero with this time constant (its memory; 0: no correction at all).</summary>
    public int CorrectionMemoryMs { get; set; } = 6_000;
    /// <summary>The correction never moves a gateway's share by more than this fraction of its balance share (0: off).</summary>
    public double CorrectionLimit { get; set; } = 0.5;
    /// <summary>
    /// Time constant of the persistent part of the fast correction (0: off): while a gateway's load-share error stays
    /// beyond <see cref="PersistentThreshold"/> with the same sign, it integrates e·dt/τ on top of the proportional
    /// correction, so an excursion that lasts (a long big flow holding a quarter of a small gateway for minutes) is
    /// removed instead of only two thirds of it. It is let go of at once when the error changes sign (what it wound up
    /// during the approach is not carried past the target, as a plain fast integrator's is behind sticky flows), fades with this time constant
    /// while the error is within the threshold, and is bounded by <see cref="PersistentLimit"/>.
    /// </summary>
    public int PersistentTimeConstantMs { get; set; } = 15_000;
    /// <summary>The persistent part never exceeds this fraction of the balance share.</summary>
    public double PersistentLimit { get; set; } = 0.3;
    /// <summary>
    /// The persistent part builds only while the error exceeds this fraction of the gateway's balance share (a relative
    /// load-share error): smaller errors are noise the proportional part and the slow integrator deal with.
    /// </summary>
    public double PersistentThreshold { get; set; } = 0.07;
    /// <summary>
    /// After a capacity step the correction is zeroed and resumes after this long (the load summaries must first show
    /// the new routing); the slow integrator waits <see cref="CapacityStepHoldMs"/>.
    /// </summary>
    public int CorrectionStepHoldMs { get; set; } = 10_000;
    /// <summary>Only a capacity change by at least this fraction is a step (a modem reporting its sync rate with jitter must not keep resetting the shares).</summary>
    public double CapacityStepFraction { get; set; } = 0.05;
    /// <summary>How often a node takes a balancing step ...</summary>
    public int BalanceIntervalMs { get; set; } = 2_000;
    /// <summary>... ± this fraction, from the node's seed, so nodes do not step in lockstep.</summary>
    public double BalanceJitterFraction { get; set; } = 0.5;
    /// <summary>Per-node gain spread (from the node's seed): the gain is multiplied by 1 ± this.</summary>
    public double GainJitterFraction { get; set; } = 0.2;
    /// <summary>No balancing while every gateway's utilisation is within this of the mean: noise must not steer.</summary>
    public double DeadbandUtilisation { get; set; } = 0.03;
    /// <summary>Integer weights are re-published only when one moved by at least this much (or the usable set changed).</summary>
    public int HysteresisWeight { get; set; } = 20;
    /// <summary>A gateway that becomes usable ramps from <see cref="SlowStartInitialFraction"/> of its share to all of it over this time.</summary>
    public int SlowStartMs { get; set; } = 30_000;
    public double SlowStartInitialFraction { get; set; } = 0.05;
    /// <summary>The ramp rises in this many equal steps (0: continuously, one small weight change per replan).</summary>
    public int SlowStartSteps { get; set; } = 4;
    /// <summary>A gateway that failed more than once within <see cref="FlapWindowMs"/> waits a hold-down before it gets weight again: base · 2^(failures−2), capped.</summary>
    public int HoldDownBaseMs { get; set; } = 2_000;
    public int HoldDownMaxMs { get; set; } = 60_000;
    public int FlapWindowMs { get; set; } = 300_000;
    /// <summary>A gateway whose summary says Degraded gets its share multiplied by this.</summary>
    public double DegradedFactor { get; set; } = 0.5;
    /// <summary>Path loss l multiplies the share by (1 − l)^this.</summary>
    public int LossPenaltyExponent { get; set; } = 4;
    /// <summary>A path this much slower (ms) than the best path gets half the share; twice as much a third, and so on.</summary>
    public double RttPenaltyReferenceMs { get; set; } = 50;
    /// <summary>The path-quality factor never falls below this (a usable gateway is never starved by quality alone).</summary>
    public double MinQualityFactor { get; set; } = 0.05;
    /// <summary>A summary signed longer ago than this is too old to balance on (the gateway stays usable if the core says so).</summary>
    public int MaxSummaryAgeMs { get; set; } = 60_000;

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(Total is >= 100 and <= 1_000_000, nameof(Total), "must be 100..1000000");
        e.Check(FloorShare is >= 0 and <= 0.2, nameof(FloorShare), "must be 0..0.2");
        e.Check(ControllerTimeConstantMs is >= 1_000 and <= 3_600_000, nameof(ControllerTimeConstantMs), "must be 1000..3600000");
        e.Check(BalanceIntervalMs >= 100 && BalanceIntervalMs <= ControllerTimeConstantMs, nameof(BalanceIntervalMs), "must be 100..ControllerTimeConstantMs");
        e.Check(CapacityStepFraction is > 0 and <= 1, nameof(CapacityStepFraction), "must be in (0, 1]");
        e.Check(CapacityStepHoldMs is >= 0 and <= 3_600_000, nameof(CapacityStepHoldMs), "must be 0..3600000");
        e.Check(CorrectionTimeConstantMs is >= 1_000 and <= 3_600_000, nameof(CorrectionTimeConstantMs), "must be 1000..3600000");
        e.Check(CorrectionMemoryMs is >= 0 and <= 3_600_000, nameof(CorrectionMemoryMs), "must be 0..3600000");
        e.Check(CorrectionLimit is >= 0 and <= 1, nameof(CorrectionLimit), "must be 0..1");
        e.Check(PersistentTimeConstantMs is >= 0 and <= 3_600_000, nameof(PersistentTimeConstantMs), "must be 0..3600000");
        e.Check(PersistentLimit is >= 0 and <= 1, nameof(PersistentLimit), "must be 0..1");
        e.Check(PersistentThreshold is >= 0 and <= 1, nameof(PersistentThreshold), "must be 0..1");
        e.Check(CorrectionStepHoldMs is >= 0 and <= 3_600_000, nameof(CorrectionStepHoldMs), "must be 0..3600000");
        e.Check(BalanceJitterFraction is >= 0 and < 1, nameof(BalanceJitterFraction), "must be in [0, 1)");
        e.Check(GainJitterFraction is >= 0 and < 1, nameof(GainJitterFraction), "must be in [0, 1)");
        e.Check(DeadbandUtilisation is >= 0 and <= 0.5, nameof(DeadbandUtilisation), "must be 0..0.5");
        e.Check(HysteresisWeight >= 0 && HysteresisWeight <= Total / 10, nameof(HysteresisWeight), "must be 0..Total/10");
        e.Check(SlowStartMs is >= 0 and <= 3_600_000, nameof(SlowStartMs), "must be 0..3600000");
        e.Check(SlowStartSteps is >= 0 and <= 100, nameof(SlowStartSteps), "must be 0..100");
        e.Check(SlowStartInitialFraction is > 0 and <= 1, nameof(SlowStartInitialFraction), "must be in (0, 1]");
        e.Check(HoldDownBaseMs is >= 0 and <= 3_600_000, nameof(HoldDownBaseMs), "must be 0..3600000");
        e.Check(HoldDownMaxMs >= HoldDownBaseMs && HoldDownMaxMs <= 3_600_000, nameof(HoldDownMaxMs), "must be HoldDownBaseMs..3600000");
        e.Check(FlapWindowMs is >= 0 and <= 86_400_000, nameof(FlapWindowMs), "must be 0..86400000");
        e.Check(DegradedFactor is > 0 and <= 1, nameof(DegradedFactor), "must be in (0, 1]");
        e.Check(LossPenaltyExponent is >= 0 and <= 16, nameof(LossPenaltyExponent), "must be 0..16");
        e.Check(RttPenaltyReferenceMs is > 0 and <= 10_000, nameof(RttPenaltyReferenceMs), "must be in (0, 10000]");
        e.Check(MinQualityFactor is > 0 and <= 1, nameof(MinQualityFactor), "must be in (0, 1]");
        e.Check(MaxSummaryAgeMs is >= 1_000 and <= 3_600_000, nameof(MaxSummaryAgeMs), "must be 1000..3600000");
        return e.Errors;
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("weight options", Validate());
}
