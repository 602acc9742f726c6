namespace Evernet.Policy;

/// <summary>How a node smooths its through-the-tunnel measurements of each gateway path.</summary>
public sealed class PathQualityOptions
{
    /// <summary>EWMA gain per RTT sample (RFC 6298 uses 1/8).</summary>
    public double RttGain { get; set; } = 0.125;
    /// <summary>EWMA gain per sample for the loss ratio (a lost probe counts 1, a reply 0).</summary>
    public double LossGain { get; set; } = 0.05;
    /// <summary>Consecutive lost probes after which the path is dead: the gateway gets zero weight at once.</summary>
    public int DeadAfterLosses { get; set; } = 3;
    /// <summary>Without any sample for this long the estimate is unknown (neither good nor dead).</summary>
    public int StaleAfterMs { get; set; } = 10_000;

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(RttGain is > 0 and <= 1, nameof(RttGain), "must be in (0, 1]");
        e.Check(LossGain is > 0 and <= 1, nameof(LossGain), "must be in (0, 1]");
        e.Check(DeadAfterLosses is >= 1 and <= 100, nameof(DeadAfterLosses), "must be 1..100");
        e.Check(StaleAfterMs is >= 100 and <= 3_600_000, nameof(StaleAfterMs), "must be 100..3600000");
        return e.Errors;
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("path quality options", Validate());
}
