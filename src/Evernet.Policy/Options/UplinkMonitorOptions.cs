namespace Evernet.Policy;

/// <summary>
/// How a gateway judges its uplink. Defaults: 3 targets probed every 200 ms with a 250 ms timeout; 3 misses in a row on
/// 2 of 3 targets is an outage (detected 650–850 ms after the line dies); 10 s of unbroken good results on 2 of 3 to
/// come back; 5 % loss, 150 ms mean RTT or 50 ms jitter over a 10 s window is degraded.
/// </summary>
public sealed class UplinkMonitorOptions
{
    /// <summary>Probe target specs, see <see cref="ProbeTarget.TryParse"/>. Use independent operators so one target's outage is not the uplink's.</summary>
    public List<string> Targets { get; set; } = [];
    /// <summary>Targets that must agree (k of n). 0: a majority, n/2+1.</summary>
    public int Quorum { get; set; }
    public int ProbeIntervalMs { get; set; } = 200;
    public int ProbeTimeoutMs { get; set; } = 250;
    /// <summary>Consecutive misses on a target that make it vote Down.</summary>
    public int FastDownMisses { get; set; } = 3;
    /// <summary>Unbroken good results on a quorum for this long before Down (or Degraded) becomes Up again.</summary>
    public int UpHoldMs { get; set; } = 10_000;
    /// <summary>Like <see cref="UpHoldMs"/>, for the first Up after start: there is no flapping history to damp yet.</summary>
    public int StartupUpHoldMs { get; set; } = 2_000;
    /// <summary>Sliding window: at most this many results ...</summary>
    public int WindowSize { get; set; } = 50;
    /// <summary>... and none older than this.</summary>
    public int WindowMs { get; set; } = 10_000;
    /// <summary>A target without any result for this long votes Down: a probe driver that cannot even report is no evidence of health.</summary>
    public int StaleAfterMs { get; set; } = 2_000;
    public int DegradedLossPermille { get; set; } = 50;
    public int DegradedRttMs { get; set; } = 150;
    public int DegradedJitterMs { get; set; } = 50;
    /// <summary>Fewer samples than this in the window: too few to judge degradation (fast down still applies).</summary>
    public int MinSamplesForDegraded { get; set; } = 10;

    public int EffectiveQuorum => Quorum > 0 ? Quorum : Targets.Count / 2 + 1;

    /// <summary>The parsed targets; call after <see cref="Validate"/> succeeded.</summary>
    public IReadOnlyList<ProbeTarget> ParseTargets()
    {
        var parsed = new List<ProbeTarget>(Targets.Count);
        foreach (var spec in Targets)
        {
            if (!ProbeTarget.TryParse(spec, out var target, out var error)) throw new ArgumentException(error);
            parsed.Add(target);
        }
        return parsed;
    }

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(Targets is { Count: >= 1 and <= 16 }, nameof(Targets), "1..16 probe targets are required (3 independent ones recommended)");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in Targets ?? [])
        {
            if (!ProbeTarget.TryParse(spec, out var target, out var error)) e.Add(nameof(Targets), error);
            else if (!names.Add(target.Name)) e.Add(nameof(Targets), $"'{target.Name}' is listed twice");
        }
        int n = Targets?.Count ?? 0;
        e.Check(Quorum >= 0 && Quorum <= n, nameof(Quorum), $"must be 0 (majority) or 1..{n} (the number of targets)");
        e.Check(ProbeIntervalMs is >= 20 and <= 60_000, nameof(ProbeIntervalMs), "must be 20..60000");
        e.Check(ProbeTimeoutMs is >= 10 and <= 30_000, nameof(ProbeTimeoutMs), "must be 10..30000");
        e.Check(FastDownMisses is >= 1 and <= 100, nameof(FastDownMisses), "must be 1..100");
        e.Check(UpHoldMs is >= 0 and <= 3_600_000, nameof(UpHoldMs), "must be 0..3600000");
        e.Check(StartupUpHoldMs is >= 0 and <= 3_600_000, nameof(StartupUpHoldMs), "must be 0..3600000");
        e.Check(WindowSize is >= 2 and <= 10_000, nameof(WindowSize), "must be 2..10000");
        e.Check(WindowMs >= ProbeIntervalMs * 2, nameof(WindowMs), "must hold at least two probe intervals");
        e.Check(StaleAfterMs > ProbeIntervalMs + ProbeTimeoutMs, nameof(StaleAfterMs), "must exceed ProbeIntervalMs + ProbeTimeoutMs, or every target looks stale between results");
        e.Check(DegradedLossPermille is >= 1 and <= 1000, nameof(DegradedLossPermille), "must be 1..1000");
        e.Check(DegradedRttMs is >= 1 and <= 60_000, nameof(DegradedRttMs), "must be 1..60000");
        e.Check(DegradedJitterMs is >= 1 and <= 60_000, nameof(DegradedJitterMs), "must be 1..60000");
        e.Check(MinSamplesForDegraded >= 1 && MinSamplesForDegraded <= WindowSize, nameof(MinSamplesForDegraded), "must be 1..WindowSize");
        return e.Errors;
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("uplink monitor options", Validate());
}
