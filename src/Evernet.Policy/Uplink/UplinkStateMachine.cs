using Evernet.Gossip.Records;

namespace Evernet.Policy;

/// <summary>A change of the gateway's uplink state. Every transition must be published at once as a new signed summary.</summary>
public sealed record UplinkTransition(UplinkState From, UplinkState To, long AtUnixMs, string Reason);

/// <summary>
/// Up / Degraded / Down from the targets' verdicts, with a k-of-n quorum so that one dead target is not an outage.
/// Asymmetric on purpose: going Down is fast (k targets each missed <see cref="UplinkMonitorOptions.FastDownMisses"/>
/// probes in a row), coming back is slow and hysteretic (k targets with an unbroken run of successes lasting
/// <see cref="UplinkMonitorOptions.UpHoldMs"/>), so a line that flaps does not drag the mesh's traffic back and forth.
/// Degraded is entered as soon as a quorum of targets is degraded-or-worse and left only after a quorum has been
/// plainly Up for the hold time. Starts Down: a gateway attracts no traffic before it has seen its uplink work.
/// </summary>
public sealed class UplinkStateMachine
{
    private readonly UplinkMonitorOptions _options;
    private readonly int _quorum;
    private bool _everUp;
    private long? _upQuorumSince;

    public UplinkStateMachine(UplinkMonitorOptions options, long startUnixMs)
    {
        options.ThrowIfInvalid();
        _options = options;
        _quorum = options.EffectiveQuorum;
        State = UplinkState.Down;
        StateSinceUnixMs = startUnixMs;
    }

    public UplinkState State { get; private set; }
    public long StateSinceUnixMs { get; private set; }
    public int Quorum => _quorum;

    /// <summary>Re-evaluates; returns the transition if the state changed. Call after every recorded probe result (fast down depends on it) and periodically.</summary>
    public UplinkTransition? Evaluate(IReadOnlyList<TargetHealth> targets, long nowUnixMs)
    {
        int down = 0, degradedOrWorse = 0, up = 0, recovered = 0;
        long hold = _everUp ? _options.UpHoldMs : _options.StartupUpHoldMs;
        foreach (var t in targets)
        {
            switch (t.Verdict)
            {
                case TargetVerdict.Down: down++; degradedOrWorse++; break;
                case TargetVerdict.Degraded: degradedOrWorse++; break;
                case TargetVerdict.Up: up++; break;
            }
            if (t.Verdict is TargetVerdict.Up or TargetVerdict.Degraded && t.GoodSinceUnixMs is long since && nowUnixMs - since >= hold) recovered++;
        }

        // The up-quorum clock runs while a quorum of targets is plainly Up; any break restarts it.
        if (up >= _quorum) _upQuorumSince ??= nowUnixMs;
        else _upQuorumSince = null;

        UplinkState next = State;
        string reason = "";
        switch (State)
        {
            case UplinkState.Up or UplinkState.Degraded when down >= _quorum:
                next = UplinkState.Down;
                reason = $"{down} of {targets.Count} targets down (quorum {_quorum}): {_options.FastDownMisses} consecutive misses or silent";
                break;
            case UplinkState.Up when degradedOrWorse >= _quorum:
                next = UplinkState.Degraded;
                reason = $"{degradedOrWorse} of {targets.Count} targets degraded (quorum {_quorum})";
                break;
            case UplinkState.Degraded when _upQuorumSince is long since && nowUnixMs - since >= _options.UpHoldMs:
                next = UplinkState.Up;
                reason = $"{up} of {targets.Count} targets up for {_options.UpHoldMs} ms";
                break;
            case UplinkState.Down when recovered >= _quorum:
                next = up >= _quorum ? UplinkState.Up : UplinkState.Degraded;
                reason = $"{recovered} of {targets.Count} targets answered without a miss for {hold} ms";
                break;
        }
        if (next == State) return null;
        var transition = new UplinkTransition(State, next, nowUnixMs, reason);
        State = next;
        StateSinceUnixMs = nowUnixMs;
        if (next != UplinkState.Down) _everUp = true;
        return transition;
    }
}
