namespace Evernet.Policy;

/// <summary>
/// The outcome of one probe. A timeout, an unreachable network or a refused connection are failures, not exceptions:
/// the monitor counts them as losses.
/// </summary>
public readonly record struct ProbeResult(bool Success, long RttMicros, string? Error)
{
    public static ProbeResult Ok(TimeSpan rtt) => new(true, Math.Max(0, (long)(rtt.Ticks / (TimeSpan.TicksPerMillisecond / 1000))), null);
    public static ProbeResult Failed(string error) => new(false, 0, error);
}

/// <summary>
/// Performs one probe through the gateway's uplink. Implemented by the daemon (ICMP/DNS/TCP/HTTP drivers bound to the
/// WAN interface) and by the simulator; the policy engine only consumes results.
/// Contract: returns <see cref="ProbeResult.Failed"/> for every network failure including the timeout; throws only
/// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
/// </summary>
public interface IUplinkProbe
{
    ValueTask<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken);
}
