using Evernet.Gossip.Membership;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;

namespace Evernet.Gossip;

/// <summary>
/// Gateways are few and matter most: every node watches every gateway on a short interval, independent of the SWIM
/// round robin, and derives the routing signal (may traffic use this gateway right now?) from its own probes and the
/// gateway's signed summary, without waiting for a membership verdict.
/// </summary>
public sealed partial class GossipNode
{
    private void OnGatewayRoundStart(ulong gatewayShort, uint expectedRound, long now)
    {
        if (!_runtime.TryGetValue(gatewayShort, out var rt) || rt.Gateway is not { } probe || probe.Round != expectedRound) return;
        var gateway = _state.Find(gatewayShort);
        if (gateway is null || rt.Revoked || gateway.Liveness.State == MemberState.Left) return;
        uint seq = NextSeq();
        probe.StartRound(seq, now);
        _probes[seq] = new PendingProbe { Kind = ProbeKind.Gateway, Target = gatewayShort, SentTicks = now };
        _counters.ProbesSent++;
        SendPing(gatewayShort, seq, fill: false);
        // Fixed timing, not scaled by local health: the routing signal must stay fast exactly when the mesh is lossy.
        _timers.Arm(now + _options.GatewayProbeTimeout.Ticks, TimerKind.GatewayIndirect, gatewayShort, probe.Round);
        _timers.Arm(now + _options.GatewayRoundTimeout.Ticks, TimerKind.GatewayRoundEnd, gatewayShort, probe.Round);
    }

    /// <summary>The gateway round a GatewayIndirect timer was armed for, if it is still the current one and unanswered (else the timer is obsolete).</summary>
    private bool TryUnansweredGatewayRound(ulong gatewayShort, uint round, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GatewayProbe? probe)
    {
        probe = _runtime.TryGetValue(gatewayShort, out var rt) ? rt.Gateway : null;
        return probe is not null && probe.Round == round && !probe.Acked;
    }

    private void OnGatewayIndirect(ulong gatewayShort, uint round, long now)
    {
        if (!TryUnansweredGatewayRound(gatewayShort, round, out var probe)) return;
        if (probe.IndirectSent)
        {
            SendPing(gatewayShort, probe.Seq, fill: false); // the third direct try, in time for its ack to count
            return;
        }
        probe.IndirectSent = true;
        SendPing(gatewayShort, probe.Seq, fill: false); // a second direct try: on a lossy path it is as good as a relay
        long third = probe.RoundStartTicks + probe.LastTryDelayTicks(_options.GatewayProbeTimeout.Ticks, _options.GatewayRoundTimeout.Ticks);
        if (third > now) _timers.Arm(third, TimerKind.GatewayIndirect, gatewayShort, round);
        // A third direct try goes out halfway to the round's end, or earlier on a path whose round trip is longer than
        // that leaves, in time for its ack to count (at 2 % per hop a 15-hop path's answer to a try at the halfway mark
        // came 0-14 ms after the round had ended and was thrown away: those rounds failed with a live gateway). On a
        // lossy multi-hop path direct tries are as good as relays and cost a ping and an ack each. The relays still go
        // out in every round: leaving them out of a round that follows a success saved ~15 % of the traffic at 1,000
        // nodes but let a node with a bad path mark a working gateway unusable (uplink-outage, 20 seeds: 1 false
        // unusable instead of 0).
        _ring.Sample(_options.GatewayIndirectChecks, _sample, gatewayShort, Id.ShortId);
        foreach (var relay in _sample)
        {
            if (_state.Find(relay) is not { Liveness.IsDown: false }) continue;
            SendPingReq(relay, probe.Seq, gatewayShort);
            _counters.IndirectProbesSent++;
        }
    }

    private void OnGatewayRoundEnd(ulong gatewayShort, uint round, long now)
    {
        if (!_runtime.TryGetValue(gatewayShort, out var rt) || rt.Gateway is not { } probe || probe.Round != round) return;
        _probes.Remove(probe.Seq);
        if (probe.Acked) return; // the next round was scheduled by the ack
        // Only the routing signal: membership verdicts stay with SWIM, so one node with a bad path to a gateway does
        // not start a mesh-wide suspicion of it.
        if (probe.OnRoundFailed(_options.GatewayFailedRoundsToUnusable)) UpdateUsability(gatewayShort, now);
        // After a failed round the next one starts at once: confirm (or clear) quickly.
        _timers.Arm(now, TimerKind.GatewayRoundStart, gatewayShort, probe.Round);
    }

    private void OnGatewayAck(ulong gatewayShort, uint seq, bool direct, long now)
    {
        if (!_runtime.TryGetValue(gatewayShort, out var rt) || rt.Gateway is not { } probe || probe.Seq != seq || probe.Acked) return;
        bool recovered = probe.OnAck(now, direct);
        _timers.Arm(Math.Max(now, probe.RoundStartTicks + _options.GatewayProbeInterval.Ticks), TimerKind.GatewayRoundStart, gatewayShort, probe.Round);
        var gateway = _state.Find(gatewayShort);
        // It answers although it was declared dead: tell it, so it refutes and everyone else learns it lives.
        if (gateway is { Liveness.IsDown: true }) TellDownMember(gateway, now);
        if (recovered || (gateway is not null && gateway.Liveness.IsDown) || !rt.Usable) UpdateUsability(gatewayShort, now);
    }

    /// <summary>Recomputes the routing signal for one gateway and reports a change.</summary>
    private void UpdateUsability(ulong gatewayShort, long now)
    {
        var gateway = _state.Find(gatewayShort);
        if (gateway is null || !gateway.IsGateway || !_runtime.TryGetValue(gatewayShort, out var rt)) return;
        var reason = UsabilityOf(gateway, rt);
        bool usable = reason == UsabilityReason.Usable;
        if (usable == rt.Usable && reason == rt.Reason) return;
        bool wasUsable = rt.Usable;
        rt.Usable = usable;
        rt.Reason = reason;
        rt.UsabilitySinceTicks = now;
        if (wasUsable && !usable) _counters.GatewayFailovers++;
        if (wasUsable != usable || !usable)
            Emit(new GatewayUsabilityChanged(ToUnixMs(now), gateway.Id, gateway.Record.Certificate.Name, usable, reason));
    }

    private UsabilityReason UsabilityOf(OriginState gateway, MemberRuntime rt)
    {
        if (rt.Revoked) return UsabilityReason.Revoked;
        if (gateway.Liveness.State == MemberState.Left) return UsabilityReason.Left;
        bool self = gateway.Id == Id;
        var probe = rt.Gateway;
        // A death verdict counts unless the gateway has answered us since, or our own probes still reach it: a verdict
        // signed elsewhere (a node cut off by a partition, a stale one pulled after it healed) does not outweigh acks
        // we keep receiving; if the gateway really died, our probe rounds fail and mark it unreachable within a second.
        if (!self && gateway.Liveness.State == MemberState.Dead &&
            (probe is null || (probe.LastAckTicks <= rt.DownSinceTicks && (probe.LastAckTicks == 0 || !probe.Reachable))))
            return UsabilityReason.Dead;
        if (!self && probe is not null && !probe.Reachable) return UsabilityReason.Unreachable;
        if (gateway.Summary is null) return UsabilityReason.NoSummaryYet;
        if (gateway.Summary.Uplink == UplinkState.Down) return UsabilityReason.UplinkDown;
        return UsabilityReason.Usable;
    }
}
