using Evernet.Gossip.Records;

namespace Evernet.Policy;

/// <summary>What one target says about the uplink right now.</summary>
public enum TargetVerdict : byte
{
    /// <summary>No result yet: no vote.</summary>
    Unknown = 0,
    Up = 1,
    Degraded = 2,
    /// <summary>Too many consecutive misses, or silent for too long.</summary>
    Down = 3,
}

/// <summary>
/// One target's window statistics plus its streaks. <see cref="GoodSinceUnixMs"/>: when the current unbroken run of
/// successes began (null after a miss).
/// </summary>
public sealed record TargetHealth(
    ProbeTarget Target,
    ProbeTargetStats Stats,
    int Samples,
    int ConsecutiveFailures,
    long? GoodSinceUnixMs,
    long? LastResultUnixMs,
    TargetVerdict Verdict);
