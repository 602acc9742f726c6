using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Membership;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Evernet.Gossip.Wire;
using GossipPush = Evernet.Gossip.Wire.Gossip;

namespace Evernet.Gossip;

/// <summary>The receive path: bounds, decode, sender admission, item verification and merge, message handling.</summary>
public sealed partial class GossipNode
{
    private enum ItemResult : byte { Accepted, Duplicate, Refused }

    private const int MaxRejectEventsPerSecond = 20;
    private long _rejectWindowStart;
    private int _rejectEventsInWindow;

    /// <summary>A datagram arrived from <paramref name="from"/>. Never throws on bad input: it is counted and dropped.</summary>
    public void HandleDatagram(PeerAddress from, ReadOnlySpan<byte> datagram)
    {
        if (!_started || _stopped) return;
        Receive(from, datagram);
        DropObsoleteTimers();
    }

    private void Receive(PeerAddress from, ReadOnlySpan<byte> datagram)
    {
        _counters.DatagramsIn++;
        _counters.BytesIn += datagram.Length;
        if (datagram.Length > WireLimits.MaxDatagram)
        {
            RejectDecode(DecodeError.TooLarge, from);
            return;
        }
        if (!WireCodec.TryDecode(datagram, _interner, out var message, out var error) || message is null)
        {
            RejectDecode(error == DecodeError.None ? DecodeError.InvalidValue : error, from);
            return;
        }
        if (message.Sender == Id.ShortId)
        {
            Reject(RejectReason.SelfImpersonation, $"datagram from {from} claims to be this node");
            return;
        }

        var sender = _state.Find(message.Sender);
        bool senderKnown = sender is not null && !_runtimeRevoked(message.Sender);
        // A member we suspect, hold dead or left is talking to us: hand it the verdict so it refutes at once (Lifeguard's
        // buddy system, for suspects): on a long lossy path its refutation would otherwise race the suspicion timeout.
        if (sender is { Liveness.State: MemberState.Suspect } or { Liveness.IsDown: true }) TellDownMember(sender, NowTicks);
        // Only a join/anti-entropy record push may come from a stranger: its items are verified one by one.
        if (!senderKnown && message is not PushPullRecords and not GossipPush)
        {
            Reject(RejectReason.UnknownSender, $"{message.Type} from unknown sender {message.Sender:x16} at {from}");
            // It probes us, so it knows us and we should know it: introduce ourselves and pull its state (rate-limited:
            // a stranger cannot make us send much).
            if (message is Ping or PingReq && NowTicks - _lastJoinBackTicks >= JoinBackSpacing.Ticks)
            {
                _lastJoinBackTicks = NowTicks;
                SendJoin(from);
            }
            return;
        }

        long now = NowTicks;
        switch (message)
        {
            case Ping ping: HandlePing(from, ping, now); break;
            case PingReq req: HandlePingReq(from, req, now); break;
            case Ack ack: ApplyItems(ack.Piggyback, ack.Sender); HandleAck(ack, now); break;
            case Nack nack: HandleNack(nack); break;
            case GossipPush gossip: HandleGossip(gossip, senderKnown); break;
            case PushPullDigest digest: HandleDigest(from, digest); break;
            case PushPullSummary summary: HandleSummary(from, summary); break;
            case PushPullRecords records: ApplyItems(records.Items, records.Sender, antiEntropy: true); break;
        }
    }

    private static readonly TimeSpan JoinBackSpacing = TimeSpan.FromMilliseconds(250);
    private long _lastJoinBackTicks = long.MinValue / 2;
    private const int MaxHeldSelfAccusations = 8;
    private readonly List<Accusation> _heldSelfAccusations = new();

    private bool _runtimeRevoked(ulong shortId) => _runtime.TryGetValue(shortId, out var rt) && rt.Revoked;

    private void RejectDecode(DecodeError error, PeerAddress from)
    {
        _counters.DecodeErrors[(int)error]++;
        Reject(RejectReason.Malformed, $"{error} from {from}");
    }

    private void Reject(RejectReason reason, string detail)
    {
        _counters.RejectsByReason[(int)reason]++;
        long now = NowTicks;
        if (now - _rejectWindowStart >= TimeSpan.TicksPerSecond)
        {
            _rejectWindowStart = now;
            _rejectEventsInWindow = 0;
        }
        if (_rejectEventsInWindow++ < MaxRejectEventsPerSecond) Emit(new Rejected(ToUnixMs(now), reason, detail));
    }

    private void HandlePing(PeerAddress from, Ping ping, long now)
    {
        ApplyItems(ping.Piggyback, ping.Sender);
        if (ping.Target != Id.ShortId) return; // meant for a member that used our address before
        // A gateway answers a prober that holds an older summary with the current one first: that is how routine
        // load summaries reach every node within one gateway probe interval without flooding.
        IGossipItem? first = _selfSummary is not null && ping.KnownSummaryVersion < _selfSummary.Version ? _selfSummary : null;
        SendAck(from, ping.Seq, Id.ShortId, first);
    }

    private void HandleGossip(GossipPush gossip, bool senderKnown)
    {
        foreach (var item in gossip.Items)
        {
            var result = ApplyItem(item, gossip.Sender, out bool urgentChange);
            if (result == ItemResult.Accepted && gossip.Urgent && urgentChange)
                PushUrgent(item, exceptShort: gossip.Sender, originFanout: false);
        }
        _ = senderKnown;
    }

    private void ApplyItems(ImmutableArray<IGossipItem> items, ulong fromShort, bool antiEntropy = false)
    {
        if (items.IsDefaultOrEmpty) return;
        foreach (var item in items) ApplyItem(item, fromShort, out _, antiEntropy);
    }

    /// <summary>Verifies and merges one item. <paramref name="urgentChange"/>: a gateway summary whose uplink state (or drain) changed.</summary>
    /// <param name="antiEntropy">
    /// The item came in a push-pull exchange (or from persisted state): a node record from a third party is then old
    /// news that the mesh already gossiped, and is not queued for piggybacking again. Re-gossiping every record a
    /// joining node pulls would cost each of them λ·log(N) transmissions by every joiner (a cold start of N nodes: N²).
    /// A joiner's own record (origin = sender) is news and is gossiped, unless it is only the periodic refresh of a
    /// record we hold (then every node's refresh would set off a mesh-wide epidemic every RecordRefreshInterval).
    /// </param>
    private ItemResult ApplyItem(IGossipItem item, ulong fromShort, out bool urgentChange, bool antiEntropy = false)
    {
        urgentChange = false;
        return item switch
        {
            NodeRecord r => ApplyNodeRecord(r, gossip: !antiEntropy || (r.Origin.ShortId == fromShort && IsNewsAboutItself(r)), fromShort),
            GatewaySummary s => ApplySummary(s, out urgentChange),
            Accusation a => ApplyAccusation(a, fromShort),
            Revocation v => ApplyRevocation(v),
            _ => ItemResult.Refused,
        };
    }

    /// <summary>
    /// A member handed us a verdict about ourselves that we have already outbid: it missed our refutation (typically
    /// it told us because it holds us dead). Answer with our current record, or it keeps us dead until anti-entropy.
    /// Rate-limited per member.
    /// </summary>
    private void AnswerStaleVerdict(ulong fromShort)
    {
        if (fromShort == 0 || _selfRecord is null || !_runtime.TryGetValue(fromShort, out var rt) || rt.Revoked) return;
        long now = NowTicks;
        if (now - rt.LastToldAliveTicks < TellDownSpacing.Ticks) return;
        rt.LastToldAliveTicks = now;
        SendGossip(fromShort, urgent: false, _selfRecord);
    }

    /// <summary>A record its origin hands us that we did not have in substance: a new member, a new incarnation, or one we hold down.</summary>
    private bool IsNewsAboutItself(NodeRecord record)
    {
        var held = _state.Find(record.Origin);
        return held is null || held.Liveness.IsDown || record.Incarnation != held.Record.Incarnation || record.Left != held.Record.Left;
    }

    private bool IsFuture(long timestampUnixMs) => timestampUnixMs > NowUnixMs + (long)_options.MaxClockSkew.TotalMilliseconds;

    private ItemResult ApplyNodeRecord(NodeRecord record, bool gossip, ulong fromShort = 0)
    {
        if (record.Origin == Id)
        {
            // Our own record, signed by our key, that outranks us: we lost state (a newer version) or a previous run of
            // ours left or was at a higher incarnation. Move above it, so the mesh takes us back.
            bool outranks = record.Version > _version || record.Incarnation > _incarnation || (record.Left && record.Incarnation >= _incarnation);
            if (outranks && !_stopped && VerifySignature(record))
            {
                _version = Math.Max(_version, record.Version);
                Refute(record.Incarnation);
            }
            // An old record of ours that says we left or are at a lower incarnation: the sender holds us down (it hands a
            // member it holds left that member's own left record) and missed our return. Without an answer it keeps us
            // left until its next anti-entropy exchange happens to include us (seen: 13 s in churn).
            else if (!outranks && (record.Left || record.Incarnation < _incarnation)) AnswerStaleVerdict(fromShort);
            return ItemResult.Duplicate;
        }
        var held = _state.Find(record.Origin);
        if (held is not null)
        {
            int c = MergeRules.Compare(record, held.Record);
            if (c == 0) { _counters.Duplicates++; return ItemResult.Duplicate; }
            if (c < 0) { Reject(RejectReason.Stale, $"record {record.Origin.Fingerprint} v{record.Version} < v{held.Record.Version}"); return ItemResult.Refused; }
        }
        else if (_reaped.TryGetValue(record.Origin, out long reapedVersion) && (ulong)reapedVersion >= record.Version)
        {
            Reject(RejectReason.Stale, $"record {record.Origin.Fingerprint} v{record.Version} of a reaped member");
            return ItemResult.Refused;
        }
        if (IsFuture(record.TimestampUnixMs)) { Reject(RejectReason.FutureTimestamp, $"record {record.Origin.Fingerprint}"); return ItemResult.Refused; }
        if (record.Certificate.Node != record.Origin) { Reject(RejectReason.BadCertificateSignature, $"record {record.Origin.Fingerprint} carries another node's certificate"); return ItemResult.Refused; }
        bool certificateVerified = _interner?.IsCertificateVerified(record) == true;
        var admission = _trust.Check(record.Certificate, NowUnixSeconds, _verifier, certificateVerified);
        if (admission != AdmissionResult.Valid) { Reject(ToReason(admission), $"certificate of {record.Certificate.Name} ({record.Origin.Fingerprint})"); return ItemResult.Refused; }
        if (!certificateVerified) _interner?.MarkCertificateVerified(record);
        if (!VerifySignature(record)) { Reject(RejectReason.BadSignature, $"record {record.Origin.Fingerprint} v{record.Version}"); return ItemResult.Refused; }

        var before = held?.Liveness;
        var outcome = _state.Apply(record, out var origin);
        if (outcome != ApplyOutcome.Applied)
        {
            if (outcome == ApplyOutcome.UnknownOrigin) Reject(RejectReason.UnknownOrigin, $"short id collision for {record.Origin.Fingerprint}");
            return ItemResult.Refused;
        }
        _reaped.Remove(record.Origin);
        _counters.ItemsAccepted++;
        if (origin.Liveness.IsDown && MergeRules.LivenessOf(record).CompareTo(origin.Liveness) < 0)
            TellDownMember(origin, NowTicks); // a fresh record from a member we hold dead or left: it restarted
        if (_heldSelfAccusations.Count > 0) ReleaseSelfAccusations(record.Origin);
        long now = NowTicks;
        var rt = RuntimeOf(origin, now);
        rt.Address = record.Addresses.Length > 0 ? new PeerAddress(record.Addresses[0]) : rt.Address;
        if (gossip) EnqueueBroadcast(record);
        foreach (var released in _state.Released) OnReleased(released, now);
        OnLivenessMaybeChanged(origin, before, now);
        return ItemResult.Accepted;
    }

    /// <summary>The item's signature, checked once per process when an interner is shared (see <see cref="ItemInterner.IsVerified"/>).</summary>
    private bool VerifySignature(IGossipItem item)
    {
        if (_interner is not null && _interner.IsVerified(item)) return true;
        if (!Signing.VerifyItem(item, _verifier)) return false;
        _interner?.MarkVerified(item);
        return true;
    }

    /// <summary>
    /// At most one verdict (or answer to one) per member per this interval. Shorter than the re-admission ping interval:
    /// at 2 s, equal to it, the answer to a ping sent 2 s after the last one could come back 1.99 s after the last
    /// verdict and be skipped, and the returning member waited another round (traced in churn: 9.5 s for one rejoin,
    /// one answer lost and the next one skipped so).
    /// </summary>
    private static readonly TimeSpan TellDownSpacing = ReconnectInterval / 2;

    /// <summary>
    /// A member we hold suspect, dead or left shows signs of life: send it the verdict (the deciding accusation, or its
    /// own left record), so that it refutes with a higher incarnation and everyone takes it back, or, if it already did,
    /// answers with its current record. Rate-limited per member.
    /// </summary>
    private void TellDownMember(OriginState origin, long now)
    {
        if (origin.Id == Id || !_runtime.TryGetValue(origin.Id.ShortId, out var rt) || rt.Revoked) return;
        if (now - rt.LastToldDownTicks < TellDownSpacing.Ticks) return;
        rt.LastToldDownTicks = now;
        IGossipItem? verdict = origin.Liveness.State == MemberState.Left ? origin.Record : origin.Accusation;
        if (verdict is null) return;
        SendGossip(origin.Id.ShortId, urgent: false, verdict);
    }

    private void ReleaseSelfAccusations(NodeId admitted)
    {
        for (int i = _heldSelfAccusations.Count - 1; i >= 0; i--)
        {
            var a = _heldSelfAccusations[i];
            if (a.Accuser != admitted) continue;
            _heldSelfAccusations.RemoveAt(i);
            ApplyAccusation(a);
        }
    }

    private void OnReleased(IGossipItem item, long now)
    {
        if (item is GatewaySummary s && _state.Find(s.Origin) is { } o)
        {
            RuntimeOf(o, now).SummaryReceivedTicks = now;
            Emit(new SummaryAccepted(ToUnixMs(now), s.Origin, s.Version, s.Uplink, s.TimestampUnixMs));
            UpdateUsability(s.Origin.ShortId, now);
        }
        else if (item is Accusation a && _state.Find(a.Target) is { } t)
        {
            OnLivenessMaybeChanged(t, null, now);
        }
    }

    private ItemResult ApplySummary(GatewaySummary summary, out bool urgentChange)
    {
        urgentChange = false;
        if (summary.Origin == Id) return ItemResult.Duplicate;
        var origin = _state.Find(summary.Origin);
        var previous = origin?.Summary;
        if (previous is not null)
        {
            int c = MergeRules.Compare(summary, previous);
            if (c == 0) { _counters.Duplicates++; return ItemResult.Duplicate; }
            if (c < 0) { Reject(RejectReason.Stale, $"summary {summary.Origin.Fingerprint} v{summary.Version} < v{previous.Version}"); return ItemResult.Refused; }
        }
        if (origin is not null && !origin.IsGateway) { Reject(RejectReason.NotAGateway, $"summary from {origin.Record.Certificate.Name}"); return ItemResult.Refused; }
        if (IsFuture(summary.TimestampUnixMs)) { Reject(RejectReason.FutureTimestamp, $"summary {summary.Origin.Fingerprint}"); return ItemResult.Refused; }
        if (!VerifySignature(summary)) { Reject(RejectReason.BadSignature, $"summary {summary.Origin.Fingerprint} v{summary.Version}"); return ItemResult.Refused; }
        var outcome = _state.Apply(summary, out var applied);
        switch (outcome)
        {
            case ApplyOutcome.Applied:
                break;
            case ApplyOutcome.Pending:
                return ItemResult.Duplicate; // verified; waits for its origin's record
            case ApplyOutcome.NotAGateway:
                Reject(RejectReason.NotAGateway, summary.Origin.Fingerprint); return ItemResult.Refused;
            default:
                Reject(RejectReason.UnknownOrigin, $"summary from unknown {summary.Origin.Fingerprint}"); return ItemResult.Refused;
        }
        _counters.ItemsAccepted++;
        long now = NowTicks;
        RuntimeOf(applied!, now).SummaryReceivedTicks = now;
        urgentChange = previous is null ? summary.Uplink != UplinkState.Up : previous.Uplink != summary.Uplink || previous.Draining != summary.Draining;
        if (urgentChange) EnqueueBroadcast(summary);
        Emit(new SummaryAccepted(ToUnixMs(now), summary.Origin, summary.Version, summary.Uplink, summary.TimestampUnixMs));
        UpdateUsability(summary.Origin.ShortId, now);
        return ItemResult.Accepted;
    }

    private ItemResult ApplyAccusation(Accusation accusation, ulong fromShort = 0)
    {
        if (accusation.Accuser == accusation.Target) { Reject(RejectReason.BadSignature, "self-accusation"); return ItemResult.Refused; }
        var accuser = accusation.Accuser == Id ? null : _state.Find(accusation.Accuser);
        if (accusation.Target == Id && accuser is null && accusation.Incarnation >= _incarnation &&
            _heldSelfAccusations.Count < MaxHeldSelfAccusations && VerifySignature(accusation))
        {
            // Accused by someone we have not admitted yet (a join race): keep it until its record arrives, then refute.
            _heldSelfAccusations.Add(accusation);
            return ItemResult.Duplicate;
        }
        if (accusation.Accuser != Id && (accuser is null || _runtimeRevoked(accusation.Accuser.ShortId)))
        {
            Reject(RejectReason.UnknownOrigin, $"accusation by unknown {accusation.Accuser.Fingerprint}");
            return ItemResult.Refused;
        }
        if (IsFuture(accusation.TimestampUnixMs)) { Reject(RejectReason.FutureTimestamp, "accusation"); return ItemResult.Refused; }
        if (accusation.Target == Id)
        {
            if (accusation.Incarnation < _incarnation)
            {
                AnswerStaleVerdict(fromShort);
                return ItemResult.Duplicate;
            }
            if (!VerifySignature(accusation)) { Reject(RejectReason.BadSignature, "accusation of this node"); return ItemResult.Refused; }
            Refute(accusation.Incarnation);
            return ItemResult.Accepted;
        }
        var target = _state.Find(accusation.Target);
        if (target is not null)
        {
            var claimed = MergeRules.LivenessOf(accusation);
            if (claimed.CompareTo(target.Liveness) < 0) { _counters.Duplicates++; return ItemResult.Duplicate; }
            if (target.Accusation is { } held && MergeRules.Compare(accusation, held) == 0) { _counters.Duplicates++; return ItemResult.Duplicate; }
        }
        if (!VerifySignature(accusation)) { Reject(RejectReason.BadSignature, $"accusation of {accusation.Target.Fingerprint}"); return ItemResult.Refused; }
        var before = target?.Liveness;
        var outcome = _state.Apply(accusation, out var applied);
        if (outcome == ApplyOutcome.Pending) return ItemResult.Duplicate;
        long now = NowTicks;
        if (outcome != ApplyOutcome.Applied)
        {
            // Same liveness, another accuser: a Lifeguard confirmation of a suspicion we already hold.
            if (applied is not null && accusation.Verdict == Verdict.Suspect && ConfirmSuspicion(applied, accusation, now))
                EnqueueBroadcast(accusation);
            return ItemResult.Duplicate;
        }
        _counters.ItemsAccepted++;
        if (accusation.Verdict == Verdict.Suspect) ConfirmSuspicion(applied!, accusation, now);
        EnqueueBroadcast(accusation);
        OnLivenessMaybeChanged(applied!, before, now);
        return ItemResult.Accepted;
    }

    private ItemResult ApplyRevocation(Revocation revocation)
    {
        if (!_trust.TryAddRevocation(revocation, _verifier, out var result))
        {
            if (result == AdmissionResult.Valid) { _counters.Duplicates++; return ItemResult.Duplicate; }
            Reject(ToReason(result), $"revocation of {revocation.Node.Fingerprint}");
            return ItemResult.Refused;
        }
        _state.Apply(revocation);
        _counters.ItemsAccepted++;
        EnqueueBroadcast(revocation);
        long now = NowTicks;
        Emit(new RevocationAccepted(ToUnixMs(now), revocation.Node, revocation.Serial));
        if (_state.Find(revocation.Node) is { } origin && _trust.IsRevoked(origin.Id, origin.Record.Certificate.Serial))
        {
            var rt = RuntimeOf(origin, now);
            rt.Revoked = true;
            _ring.Remove(origin.Id.ShortId);
            _recheck.Remove(origin.Id.ShortId);
            _tombstones.Add(origin.Id.ShortId);
            if (origin.IsGateway) UpdateUsability(origin.Id.ShortId, now);
            Emit(new MemberStateChanged(ToUnixMs(now), origin.Id, origin.Record.Certificate.Name, rt.ReportedState, MemberState.Left, origin.Liveness.Incarnation));
            rt.ReportedState = MemberState.Left;
            rt.DownSinceTicks = now;
        }
        return ItemResult.Accepted;
    }

    private static RejectReason ToReason(AdmissionResult result) => result switch
    {
        AdmissionResult.UnknownAuthority => RejectReason.UnknownAuthority,
        AdmissionResult.BadSignature => RejectReason.BadCertificateSignature,
        AdmissionResult.Expired => RejectReason.CertificateExpired,
        AdmissionResult.NotYetValid => RejectReason.CertificateNotYetValid,
        AdmissionResult.Revoked => RejectReason.Revoked,
        _ => RejectReason.Malformed,
    };

    private MemberRuntime RuntimeOf(OriginState origin, long now)
    {
        ulong key = origin.Id.ShortId;
        if (_runtime.TryGetValue(key, out var rt)) return rt;
        rt = new MemberRuntime
        {
            Address = origin.Record.Addresses.Length > 0 ? new PeerAddress(origin.Record.Addresses[0]) : default,
            StateSinceTicks = now,
            UsabilitySinceTicks = now,
            ReportedState = origin.Liveness.State,
        };
        _runtime[key] = rt;
        if (!origin.Liveness.IsDown) _ring.Add(key);
        if (origin.Liveness.State != MemberState.Alive && origin.Id != Id) _recheck.Add(key);
        if (origin.Liveness.IsDown && origin.Id != Id) _tombstones.Add(key);
        Emit(new MemberStateChanged(ToUnixMs(now), origin.Id, origin.Record.Certificate.Name, null, origin.Liveness.State, origin.Liveness.Incarnation));
        if (origin.IsGateway && origin.Id != Id)
        {
            rt.Gateway = new GatewayProbe();
            _timers.Arm(now + Jitter(_options.GatewayProbeInterval), TimerKind.GatewayRoundStart, key, 0);
        }
        return rt;
    }
}
