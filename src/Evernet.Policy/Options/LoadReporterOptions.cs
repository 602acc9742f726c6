namespace Evernet.Policy;

/// <summary>
/// How a gateway measures and reports its load. Capacity is the uplink's usable rate (the VDSL sync rate less overhead);
/// the host may update it at run time (<see cref="LoadReporter.SetCapacity"/>) when the modem resyncs.
/// </summary>
public sealed class LoadReporterOptions
{
    public ulong CapacityDownBps { get; set; }
    public ulong CapacityUpBps { get; set; }
    /// <summary>Width of the interface byte counters: 64 on Linux /sys/class/net; 32 for some drivers and SNMP.</summary>
    public int CounterBits { get; set; } = 64;
    /// <summary>A summary is re-signed at least this often even when nothing changed, so peers can age it.</summary>
    public int SteadyIntervalMs { get; set; } = 5_000;
    /// <summary>Non-urgent re-signs (load changes) are at least this far apart; uplink and drain changes are never held back.</summary>
    public int MinIntervalMs { get; set; } = 1_000;
    /// <summary>Load moved by more than this fraction of capacity (either direction) since the last summary: re-sign.</summary>
    public double SignificantLoadFraction { get; set; } = 0.03;
    /// <summary>Active flows changed by more than this fraction (and at least <see cref="SignificantFlowDelta"/>): re-sign.</summary>
    public double SignificantFlowFraction { get; set; } = 0.25;
    public int SignificantFlowDelta { get; set; } = 50;
    /// <summary>Time constant of the exponential smoothing of rates; 0 reports the raw rate between the last two samples.</summary>
    public int RateSmoothingMs { get; set; } = 2_000;
    /// <summary>A computed rate above this many times the capacity is a counter reset (interface re-created), not traffic.</summary>
    public double ImplausibleRateFactor { get; set; } = 20;

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(CapacityDownBps > 0, nameof(CapacityDownBps), "must be positive (bits per second, e.g. the VDSL sync rate)");
        e.Check(CapacityUpBps > 0, nameof(CapacityUpBps), "must be positive (bits per second, e.g. the VDSL sync rate)");
        e.Check(CounterBits is 32 or 64, nameof(CounterBits), "must be 32 or 64");
        e.Check(SteadyIntervalMs is >= 100 and <= 3_600_000, nameof(SteadyIntervalMs), "must be 100..3600000");
        e.Check(MinIntervalMs >= 0 && MinIntervalMs <= SteadyIntervalMs, nameof(MinIntervalMs), "must be 0..SteadyIntervalMs");
        e.Check(SignificantLoadFraction is > 0 and <= 1, nameof(SignificantLoadFraction), "must be in (0, 1]");
        e.Check(SignificantFlowFraction is > 0 and <= 10, nameof(SignificantFlowFraction), "must be in (0, 10]");
        e.Check(SignificantFlowDelta >= 1, nameof(SignificantFlowDelta), "must be at least 1");
        e.Check(RateSmoothingMs is >= 0 and <= 600_000, nameof(RateSmoothingMs), "must be 0..600000");
        e.Check(ImplausibleRateFactor is >= 1.5 and <= 1000, nameof(ImplausibleRateFactor), "must be 1.5..1000");
        return e.Errors;
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("load reporter options", Validate());
}
