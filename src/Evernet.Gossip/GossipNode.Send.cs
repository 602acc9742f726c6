using System.Buffers;
using System.Collections.Immutable;
using Evernet.Gossip.Dissemination;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.Wire;
using GossipPush = Evernet.Gossip.Wire.Gossip;

namespace Evernet.Gossip;

/// <summary>The send path: piggybacking from the broadcast queue under the datagram limit, urgent pushes, encoding.</summary>
public sealed partial class GossipNode
{
    private const int MaxOriginUrgentTargets = 128;
    private readonly List<IGossipItem> _piggyback = new();

    private void EnqueueBroadcast(IGossipItem item)
    {
        _broadcasts.Enqueue(item, WireCodec.MeasureItem(item));
        if (!_gossipTickArmed) ArmGossipTick(NowTicks);
    }

    // The gossip tick keeps a fixed phase but is not armed while the broadcast queue is empty: an idle tick would only
    // wake the host to re-arm itself (at 1,000 nodes 17 % of all wake-ups). The first item re-arms it on the same grid,
    // at the tick that would have sent it anyway. It is only ever disarmed by a tick, so now is past the phase here.
    private long _gossipPhaseTicks;
    private bool _gossipTickArmed;

    private void ArmGossipTick(long now)
    {
        long interval = _options.GossipInterval.Ticks;
        _timers.Arm(_gossipPhaseTicks + ((now - _gossipPhaseTicks) / interval + 1) * interval, TimerKind.GossipTick);
        _gossipTickArmed = true;
    }

    private ulong KnownSummaryVersionOf(ulong member) => _state.Find(member)?.Summary?.Version ?? 0;

    /// <param name="fill">
    /// False for the frequent gateway probes: piggybacking there would spend every update's few transmissions on the
    /// gateways, which already know, instead of on random members (the hub problem).
    /// </param>
    private void SendPing(ulong target, uint seq, bool fill = true)
    {
        if (!_runtime.TryGetValue(target, out var rt) || rt.Address.Value is null) return;
        Send(rt.Address, new Ping(Id.ShortId, seq, target, KnownSummaryVersionOf(target), []), fill);
    }

    /// <summary>memberlist's gossip tick: drain the broadcast queue towards random members, not only on probes.</summary>
    private void OnGossipTick(long now)
    {
        if (_broadcasts.Count == 0)
        {
            _gossipTickArmed = false;
            return;
        }
        _timers.Arm(now + _options.GossipInterval.Ticks, TimerKind.GossipTick);
        _ring.Sample(_options.GossipFanout, _gossipTargets, Id.ShortId);
        foreach (var m in _gossipTargets)
        {
            if (_state.Find(m) is not { Liveness.IsDown: false } || !_runtime.TryGetValue(m, out var rt) || rt.Address.Value is null) continue;
            _piggyback.Clear();
            var empty = new GossipPush(Id.ShortId, false, []);
            int budget = WireLimits.MaxDatagram - WireCodec.MeasureEnvelope(empty) - 3;
            _broadcasts.Fill(_piggyback, budget, BroadcastQueue.TransmitLimit(_options.RetransmitMultiplier, KnownMembers), WireLimits.MaxItemsPerMessage);
            if (_piggyback.Count == 0) break;
            Send(rt.Address, empty with { Items = [.. _piggyback] }, fill: false);
        }
    }

    private readonly List<ulong> _gossipTargets = new();

    private void SendPingReq(ulong relay, uint seq, ulong target)
    {
        if (!_runtime.TryGetValue(relay, out var rr) || rr.Address.Value is null) return;
        if (!_runtime.TryGetValue(target, out var tr) || tr.Address.Value is null) return;
        Send(rr.Address, new PingReq(Id.ShortId, seq, target, tr.Address.Value, []), fill: true);
    }

    private void SendAck(PeerAddress to, uint seq, ulong responder, IGossipItem? first)
    {
        Send(to, new Ack(Id.ShortId, seq, responder, []), fill: true, first);
    }

    private void SendGossip(ulong member, bool urgent, IGossipItem item)
    {
        if (!_runtime.TryGetValue(member, out var rt) || rt.Address.Value is null) return;
        Send(rt.Address, new GossipPush(Id.ShortId, urgent, [item]), fill: false);
    }

    /// <summary>
    /// Infection-style urgent push: the origin tells (up to) every member at once; every node that learns the news from
    /// an urgent push forwards it to a few random members at once, instead of waiting for the next probe.
    /// </summary>
    private void PushUrgent(IGossipItem item, ulong exceptShort, bool originFanout)
    {
        _counters.UrgentPushes++;
        int count = originFanout ? MaxOriginUrgentTargets : _options.UrgentFanout;
        _ring.Sample(count, _sample, exceptShort, Id.ShortId);
        foreach (var m in _sample)
            if (_state.Find(m) is { Liveness.IsDown: false }) SendGossip(m, urgent: true, item);
    }

    private void Send(PeerAddress to, Message message, bool fill, IGossipItem? first = null)
    {
        if (to.Value is null) return;
        if (fill || first is not null)
        {
            _piggyback.Clear();
            int budget = WireLimits.MaxDatagram - WireCodec.MeasureEnvelope(message) - 3;
            if (first is not null)
            {
                _piggyback.Add(first);
                budget -= WireCodec.MeasureItem(first);
            }
            if (fill)
                _broadcasts.Fill(_piggyback, budget, BroadcastQueue.TransmitLimit(_options.RetransmitMultiplier, KnownMembers), WireLimits.MaxItemsPerMessage - _piggyback.Count);
            if (_piggyback.Count > 0)
            {
                ImmutableArray<IGossipItem> items = [.. _piggyback];
                message = message switch
                {
                    Ping p => p with { Piggyback = items },
                    PingReq r => r with { Piggyback = items },
                    Ack a => a with { Piggyback = items },
                    _ => message,
                };
            }
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(WireLimits.MaxDatagram);
        try
        {
            if (!WireCodec.TryEncode(message, buffer.AsSpan(0, WireLimits.MaxDatagram), out int written))
                throw new InvalidOperationException($"{message.Type} does not fit a datagram: a size accounting bug");
            var payload = buffer.AsSpan(0, written).ToArray();
            _transmits.Enqueue(new Transmit(to, payload));
            _counters.DatagramsOut++;
            _counters.BytesOut += written;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
