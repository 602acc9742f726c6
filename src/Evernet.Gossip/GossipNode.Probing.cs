using Evernet.Gossip.Identity;
using Evernet.Gossip.Membership;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Evernet.Gossip.Wire;

namespace Evernet.Gossip;

/// <summary>SWIM failure detection: round-robin direct probes, indirect probes, suspicion, refutation, dead verdicts.</summary>
public sealed partial class GossipNode
{
    private enum ProbeKind : byte { Swim, Gateway, Relay, Verify, Reconnect }

    private sealed class PendingProbe
    {
        public ProbeKind Kind;
        public ulong Target;
        public long SentTicks;
        public bool Acked;
        /// <summary>Swim: the second look after a failed round, before any suspicion is signed.</summary>
        public bool Recheck;
        public int NacksExpected;
        public int NacksReceived;
        // Relay: who asked, under which of their sequence numbers.
        public PeerAddress Requester;
        public uint RequesterSeq;
    }

    private readonly Dictionary<uint, PendingProbe> _probes = new();
    /// <summary>Members held suspect, dead or left: the re-admission pings walk them.</summary>
    private readonly RecheckSet _recheck = new();
    /// <summary>Members down (dead, left) or revoked: the only ones the reap timer has to look at.</summary>
    private readonly HashSet<ulong> _tombstones = new();
    private static readonly TimeSpan ReconnectInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Now and then a ping to one member we hold suspect, dead or left, in turn. A member that answers was suspected or
    /// declared dead by mistake, or came back (a restart, a healed partition) and we missed its refutation in the
    /// epidemic: as it talks to us it is told its verdict (<see cref="TellDownMember"/>) and refutes, or, if it already
    /// did, answers with its current record; and as it sees our ping it tells us ours. Both sides return within seconds
    /// instead of waiting for anti-entropy (churn: observers that had missed a return held the member for up to 20 s;
    /// left and suspect members were not pinged, and a random pick could skip one for many rounds).
    /// </summary>
    private void OnReconnectTimer(long now)
    {
        _timers.Arm(now + ReconnectInterval.Ticks, TimerKind.Reconnect);
        if (_recheck.Count == 0) return;
        ulong target = _recheck.Next();
        if (!_runtime.TryGetValue(target, out var rt) || rt.Address.Value is null) return;
        uint seq = NextSeq();
        _probes[seq] = new PendingProbe { Kind = ProbeKind.Reconnect, Target = target, SentTicks = now };
        SendPing(target, seq, fill: false);
        _timers.Arm(now + _options.ProbeInterval.Ticks, TimerKind.SwimRoundEnd, seq); // forgets it if unanswered
    }
    private readonly List<ulong> _sample = new();
    private uint _nextSeq;

    private uint NextSeq()
    {
        do { _nextSeq++; } while (_nextSeq == 0 || _probes.ContainsKey(_nextSeq));
        return _nextSeq;
    }

    private void OnSwimProbeTimer(long now)
    {
        var interval = _health.Scale(_options.ProbeInterval);
        ulong? next = null;
        for (int i = 0; i < _ring.Count; i++)
        {
            var candidate = _ring.Next();
            if (candidate is null) break;
            if (_state.Find(candidate.Value) is { Liveness.IsDown: false } && candidate.Value != Id.ShortId) { next = candidate; break; }
        }
        if (next is { } target)
        {
            uint seq = NextSeq();
            _probes[seq] = new PendingProbe { Kind = ProbeKind.Swim, Target = target, SentTicks = now };
            _counters.ProbesSent++;
            SendPing(target, seq);
            _timers.Arm(now + _health.Scale(_options.ProbeTimeout).Ticks, TimerKind.SwimIndirect, seq);
            // The round ends at the next probe's deadline, armed first so it is handled first: one wake-up, not two.
            _timers.Arm(now + interval.Ticks, TimerKind.SwimRoundEnd, seq);
        }
        _timers.Arm(now + interval.Ticks, TimerKind.SwimProbe);
    }

    /// <summary>The probe a SwimIndirect timer was armed for, if it is still pending and unanswered (else the timer is obsolete).</summary>
    private bool TryUnansweredProbe(uint seq, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PendingProbe? probe) =>
        _probes.TryGetValue(seq, out probe) && !probe.Acked;

    private void OnSwimIndirectTimer(uint seq, long now)
    {
        if (!TryUnansweredProbe(seq, out var probe)) return;
        if (probe.Kind == ProbeKind.Verify || probe.Recheck) { SendPing(probe.Target, seq, fill: false); return; }
        if (probe.Kind != ProbeKind.Swim) return;
        // A second direct try alongside the relays: on lossy radio hops the direct path is as likely to work as any relay.
        SendPing(probe.Target, seq, fill: false);
        SendIndirectProbes(probe, seq);
        _ = now;
    }

    private void SendIndirectProbes(PendingProbe probe, uint seq)
    {
        _ring.Sample(_options.IndirectChecks, _sample, probe.Target, Id.ShortId);
        foreach (var relay in _sample)
        {
            if (_state.Find(relay) is not { Liveness.IsDown: false }) continue;
            SendPingReq(relay, seq, probe.Target);
            probe.NacksExpected++;
            _counters.IndirectProbesSent++;
        }
    }

    /// <summary>
    /// A failed round is a second look away from a suspicion: at once a direct ping and fresh relays, another direct
    /// ping after the probe timeout. On a multi-hop lossy mesh one round fails now and then for a live member; a signed
    /// suspicion costs the whole mesh an accusation and a refutation, each retransmitted λ·log(N) times by every node,
    /// while a second look costs a handful of datagrams and delays a true verdict by one probe interval.
    /// </summary>
    private void StartRecheck(ulong target, long now)
    {
        uint seq = NextSeq();
        var probe = new PendingProbe { Kind = ProbeKind.Swim, Target = target, SentTicks = now, Recheck = true };
        _probes[seq] = probe;
        _counters.ProbesSent++;
        SendPing(target, seq, fill: false);
        SendIndirectProbes(probe, seq);
        _timers.Arm(now + _health.Scale(_options.ProbeTimeout).Ticks, TimerKind.SwimIndirect, seq);
        _timers.Arm(now + _health.Scale(_options.ProbeInterval).Ticks - 1, TimerKind.SwimRoundEnd, seq);
    }

    private void OnSwimRoundEnd(uint seq, long now)
    {
        if (!_probes.Remove(seq, out var probe)) return;
        if (probe.Kind == ProbeKind.Verify) { OnVerifyEnd(probe, now); return; }
        if (probe.Kind != ProbeKind.Swim) return;
        if (probe.Acked)
        {
            _health.Apply(-1);
            return;
        }
        // Lifeguard: relays that did not even nack suggest the fault is on our side.
        if (probe.NacksExpected > 0 && probe.NacksReceived < probe.NacksExpected) _health.Apply(+1);
        if (!probe.Recheck)
        {
            if (_state.Find(probe.Target) is { Liveness.IsDown: false }) StartRecheck(probe.Target, now);
            return;
        }
        Suspect(probe.Target, now);
    }

    private void HandleAck(Ack ack, long now)
    {
        if (!_probes.TryGetValue(ack.Seq, out var probe)) return;
        if (ack.Responder != probe.Target) return;
        switch (probe.Kind)
        {
            case ProbeKind.Swim:
            case ProbeKind.Verify:
                probe.Acked = true;
                break;
            case ProbeKind.Gateway:
                OnGatewayAck(probe.Target, ack.Seq, direct: ack.Sender == probe.Target, now);
                break;
            case ProbeKind.Relay:
                _probes.Remove(ack.Seq);
                SendAck(probe.Requester, probe.RequesterSeq, probe.Target, null);
                break;
            case ProbeKind.Reconnect:
                _probes.Remove(ack.Seq);
                if (_state.Find(probe.Target) is { Liveness.State: not MemberState.Alive } back) TellDownMember(back, now);
                break;
        }
    }

    private void HandleNack(Nack nack)
    {
        if (_probes.TryGetValue(nack.Seq, out var probe) && probe.Kind == ProbeKind.Swim) probe.NacksReceived++;
    }

    private void HandlePingReq(PeerAddress from, PingReq req, long now)
    {
        if (!req.Piggyback.IsDefaultOrEmpty) ApplyItems(req.Piggyback, req.Sender);
        // Probe the target at the address its signed record gives, never at one the requester names: no reflection.
        if (_state.Find(req.Target) is null || !_runtime.TryGetValue(req.Target, out var rt) || rt.Address.Value is null) return;
        if (req.Target == Id.ShortId)
        {
            SendAck(from, req.Seq, Id.ShortId, null);
            return;
        }
        uint seq = NextSeq();
        _probes[seq] = new PendingProbe { Kind = ProbeKind.Relay, Target = req.Target, SentTicks = now, Requester = from, RequesterSeq = req.Seq };
        SendPing(req.Target, seq);
        _timers.Arm(now + _options.ProbeTimeout.Ticks, TimerKind.RelayTimeout, seq);
    }

    private void OnRelayTimeout(uint seq)
    {
        if (!_probes.Remove(seq, out var probe) || probe.Kind != ProbeKind.Relay) return;
        Send(probe.Requester, new Nack(Id.ShortId, probe.RequesterSeq), fill: false);
    }

    /// <summary>Our own probes of this member failed: sign a suspicion (or confirm an existing one).</summary>
    private void Suspect(ulong targetShort, long now)
    {
        var target = _state.Find(targetShort);
        if (target is null || target.Liveness.IsDown) return;
        if (target.Liveness.State == MemberState.Suspect && _runtime.TryGetValue(targetShort, out var rt0) &&
            rt0.Suspicion is { } s && s.Incarnation == target.Liveness.Incarnation && !s.Confirm(Id.ShortId))
            return; // our confirmation was already counted
        var accusation = Signing.SignAccusation(new Accusation(target.Id, target.Liveness.Incarnation, Verdict.Suspect, Id, NowUnixMs, ReadOnlyMemory<byte>.Empty), _key);
        ApplyAccusation(accusation);
    }

    /// <returns>True if the accusation started a suspicion or was a new independent confirmation (worth re-gossiping).</returns>
    private bool ConfirmSuspicion(OriginState target, Accusation accusation, long now)
    {
        if (target.Id == Id) return false;
        var rt = RuntimeOf(target, now);
        if (target.Liveness.State != MemberState.Suspect || accusation.Incarnation != target.Liveness.Incarnation) return false;
        if (rt.Suspicion is null || rt.Suspicion.Incarnation != target.Liveness.Incarnation)
        {
            var min = Suspicion.MinTimeout(_options.SuspicionMultiplier, KnownMembers, _options.ProbeInterval);
            rt.Suspicion = new Suspicion(target.Liveness.Incarnation, accusation.Accuser.ShortId, now, min, min * _options.SuspicionMaxMultiplier, _options.IndirectChecks);
        }
        else if (!rt.Suspicion.Confirm(accusation.Accuser.ShortId))
        {
            return false;
        }
        _timers.Arm(rt.Suspicion.DeadlineTicks, TimerKind.Suspicion, target.Id.ShortId, target.Liveness.Incarnation);
        return true;
    }

    private void OnSuspicionTimer(ulong targetShort, uint incarnation, long now)
    {
        var target = _state.Find(targetShort);
        if (target is null || target.Liveness.State != MemberState.Suspect || target.Liveness.Incarnation != incarnation) return;
        if (!_runtime.TryGetValue(targetShort, out var rt) || rt.Suspicion is null || rt.Suspicion.DeadlineTicks > now) return;
        // Before a death verdict, one last look of our own: a suspect whose refutation did not reach us (lossy mesh)
        // answers, and we tell it what it is accused of instead of declaring it dead.
        if (rt.Suspicion.Verifying) return; // the check under way decides
        rt.Suspicion.Verifying = true;
        uint seq = NextSeq();
        _probes[seq] = new PendingProbe { Kind = ProbeKind.Verify, Target = targetShort, SentTicks = now };
        SendPing(targetShort, seq, fill: false);
        _timers.Arm(now + _options.ProbeTimeout.Ticks / 2, TimerKind.SwimIndirect, seq); // the second try, as in a probe
        _timers.Arm(now + _options.ProbeTimeout.Ticks, TimerKind.SwimRoundEnd, seq);
    }

    private void DeclareDead(OriginState target, uint incarnation)
    {
        var accusation = Signing.SignAccusation(new Accusation(target.Id, incarnation, Verdict.Dead, Id, NowUnixMs, ReadOnlyMemory<byte>.Empty), _key);
        ApplyAccusation(accusation);
    }

    /// <summary>The suspect's last look ended: dead if it stayed silent; if it answered, it hears of the accusation.</summary>
    private void OnVerifyEnd(PendingProbe probe, long now)
    {
        var target = _state.Find(probe.Target);
        if (target is null || target.Liveness.State != MemberState.Suspect || !_runtime.TryGetValue(probe.Target, out var rt) || rt.Suspicion is null) return;
        rt.Suspicion.Verifying = false;
        if (!probe.Acked)
        {
            DeclareDead(target, target.Liveness.Incarnation);
            return;
        }
        if (target.Accusation is { } accusation) SendGossip(probe.Target, urgent: false, accusation);
        long retry = now + Suspicion.MinTimeout(_options.SuspicionMultiplier, KnownMembers, _options.ProbeInterval).Ticks;
        rt.Suspicion.Postpone(retry);
        _timers.Arm(retry, TimerKind.Suspicion, probe.Target, target.Liveness.Incarnation);
    }

    /// <summary>Someone suspects us (or declared us dead): outbid with a higher incarnation, signed.</summary>
    private void Refute(uint accusedIncarnation)
    {
        _incarnation = Math.Max(_incarnation, accusedIncarnation) + 1;
        _health.Apply(+1);
        ResignSelf(broadcast: true);
        // A dead verdict about us travels far: answer loudly, as an urgent push.
        PushUrgent(_selfRecord!, exceptShort: 0, originFanout: false);
    }

    /// <summary>Reports membership changes and keeps the probe ring, suspicion and gateway usability in step.</summary>
    private void OnLivenessMaybeChanged(OriginState origin, Liveness? before, long now)
    {
        if (origin.Id == Id) return;
        var rt = RuntimeOf(origin, now);
        var state = rt.Revoked ? MemberState.Left : origin.Liveness.State;
        if (state == rt.ReportedState) return;
        Emit(new MemberStateChanged(ToUnixMs(now), origin.Id, origin.Record.Certificate.Name, rt.ReportedState, state, origin.Liveness.Incarnation));
        rt.ReportedState = state;
        rt.StateSinceTicks = now;
        if (state != MemberState.Suspect) rt.Suspicion = null;
        if (!rt.Revoked && state != MemberState.Alive) _recheck.Add(origin.Id.ShortId);
        else _recheck.Remove(origin.Id.ShortId);
        if (origin.Liveness.IsDown || rt.Revoked) _tombstones.Add(origin.Id.ShortId);
        else _tombstones.Remove(origin.Id.ShortId);
        if (origin.Liveness.IsDown)
        {
            rt.DownSinceTicks = now;
            _ring.Remove(origin.Id.ShortId);
        }
        else
        {
            _ring.Add(origin.Id.ShortId);
        }
        if (origin.IsGateway) UpdateUsability(origin.Id.ShortId, now);
        _ = before;
    }
}
