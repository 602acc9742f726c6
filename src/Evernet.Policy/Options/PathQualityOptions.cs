namespace Evernet.Policy;

/// <summary>
/// How a node smooths its through-the-tunnel measurements of each gateway path, and when it calls a path dead.
/// A path is dead only when a run of consecutive losses is long enough that the path's own loss rate would produce it
/// by chance less than once in 1/<see cref="FalseDeadProbability"/> runs, and nothing has come back for
/// <see cref="DeadAfterSilenceMs"/>. While a run is open the prober retries every <see cref="RetryIntervalMs"/>
/// (Lifeguard/BFD style: suspicion is confirmed quickly, not by waiting for the regular probes).
/// </summary>
public sealed class PathQualityOptions
{
    /// <summary>EWMA gain per RTT sample (RFC 6298 uses 1/8).</summary>
    public double RttGain { get; set; } = 0.125;
    /// <summary>
    /// EWMA gain per sample for the loss ratio (a lost probe counts 1, a reply 0). 0.01 (about the last 100 probes):
    /// the ratio shapes weights as (1 − loss)^4, and over only 20 probes an 18 % path reads anywhere from 8 to 30 %,
    /// which changed every node's weights several times a minute for nothing. Dead paths do not wait for it.
    /// </summary>
    public double LossGain { get; set; } = 0.01;
    /// <summary>The fewest consecutive lost probes that can make a path dead (a clean path).</summary>
    public int DeadAfterLosses { get; set; } = 5;
    /// <summary>The most a lossy path can require: beyond this a path is too bad to tell from dead anyway.</summary>
    public int MaxDeadAfterLosses { get; set; } = 20;
    /// <summary>
    /// Chance, per run of losses, that a live path with the loss ratio measured before the run loses as many probes in a
    /// row as the verdict requires. 1e-7: at 18 % round-trip loss (5 hops at 2 %) 10 losses in a row.
    /// </summary>
    public double FalseDeadProbability { get; set; } = 1e-7;
    /// <summary>A path is dead only if no reply arrived for at least this long, too (a short burst is not a dead path).</summary>
    public int DeadAfterSilenceMs { get; set; } = 2_000;
    /// <summary>While losses are unanswered (<see cref="PathQualityTracker.InDoubt"/>) probe this often; 0: no retries.</summary>
    public int RetryIntervalMs { get; set; } = 200;
    /// <summary>Without any sample for this long the estimate is unknown (neither good nor dead).</summary>
    public int StaleAfterMs { get; set; } = 10_000;

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(RttGain is > 0 and <= 1, nameof(RttGain), "must be in (0, 1]");
        e.Check(LossGain is > 0 and <= 1, nameof(LossGain), "must be in (0, 1]");
        e.Check(DeadAfterLosses is >= 1 and <= 100, nameof(DeadAfterLosses), "must be 1..100");
        e.Check(MaxDeadAfterLosses >= DeadAfterLosses && MaxDeadAfterLosses <= 100, nameof(MaxDeadAfterLosses), "must be DeadAfterLosses..100");
        e.Check(FalseDeadProbability is > 0 and < 1, nameof(FalseDeadProbability), "must be in (0, 1)");
        e.Check(DeadAfterSilenceMs is >= 0 and <= 600_000, nameof(DeadAfterSilenceMs), "must be 0..600000");
        e.Check(RetryIntervalMs is 0 or (>= 10 and <= 60_000), nameof(RetryIntervalMs), "must be 0 (off) or 10..60000");
        e.Check(StaleAfterMs is >= 100 and <= 3_600_000, nameof(StaleAfterMs), "must be 100..3600000");
        return e.Errors;
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("path quality options", Validate());
}
