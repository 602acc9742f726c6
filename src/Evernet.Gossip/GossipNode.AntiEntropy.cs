using Evernet.Gossip.Dissemination;
using Evernet.Gossip.Membership;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Evernet.Gossip.Wire;

namespace Evernet.Gossip;

/// <summary>
/// Push-pull anti-entropy, join, partition healing and housekeeping. A digest exchange with one random member per
/// interval repairs whatever piggybacking missed; now and then the partner is a member believed dead (serf's reconnect),
/// which is how two halves of a healed partition find each other again.
/// </summary>
public sealed partial class GossipNode
{
    private const int DigestEntriesPerChunk = 48;
    private const int RepliedExchangesKept = 64;
    private readonly Queue<(ulong, uint)> _repliedOrder = new();
    private readonly HashSet<(ulong, uint)> _replied = new();
    private uint _exchangeId;
    private int _pushPullRound;

    private void OnPushPullTimer(long now)
    {
        _pushPullRound++;
        // The first exchanges after start come quickly (2 s, 8 s, 15 s apart): a joining node pulls the whole state
        // instead of waiting for piggybacked records to trickle in, and the third repairs what the epidemic of the
        // other joins missed (pulled records are not gossiped again, see ApplyItem). Only three, because when a whole
        // mesh cold-starts at once (power cut) every node pulls everything.
        var interval = _pushPullRound switch { 1 => TimeSpan.FromSeconds(2), 2 => TimeSpan.FromSeconds(8), 3 => TimeSpan.FromSeconds(15), _ => _options.PushPullInterval };
        _timers.Arm(now + Math.Min(interval.Ticks, _options.PushPullInterval.Ticks), TimerKind.PushPull);
        PeerAddress? partner = null;
        if (_pushPullRound % 3 == 0) partner = RandomDownMember();
        if (partner is null)
        {
            _ring.Sample(1, _sample, Id.ShortId);
            if (_sample.Count == 1 && _runtime.TryGetValue(_sample[0], out var rt)) partner = rt.Address;
        }
        if (partner is null && (_seeds.Length > 0 || _candidates.Count > 0)) partner = RandomSeedOrCandidate();
        if (partner is { } p && p.Value is not null) StartExchange(p);
    }

    private PeerAddress? RandomDownMember()
    {
        var down = new List<PeerAddress>();
        foreach (var o in _state.Origins)
            if (o.Liveness.State == MemberState.Dead && _runtime.TryGetValue(o.Id.ShortId, out var rt) && !rt.Revoked && rt.Address.Value is not null)
                down.Add(rt.Address);
        return down.Count == 0 ? null : down[_random.Next(down.Count)];
    }

    private PeerAddress RandomSeedOrCandidate()
    {
        int n = _seeds.Length + _candidates.Count;
        int i = _random.Next(n);
        return i < _seeds.Length ? _seeds[i] : _candidates[i - _seeds.Length];
    }

    private void StartExchange(PeerAddress partner)
    {
        _counters.PushPullExchanges++;
        SendDigest(partner, ++_exchangeId, isReply: false);
    }

    private void SendDigest(PeerAddress to, uint exchangeId, bool isReply)
    {
        var chunks = Digest.Chunk(Digest.Build(_state), DigestEntriesPerChunk);
        for (int i = 0; i < chunks.Count; i++)
        {
            var (start, end, entries) = chunks[i];
            Send(to, new PushPullDigest(Id.ShortId, exchangeId, isReply, (ushort)i, (ushort)chunks.Count, start, end, [.. entries]), fill: false);
        }
    }

    private void HandleDigest(PeerAddress from, PushPullDigest digest)
    {
        if (digest.RangeStart > digest.RangeEnd) return;
        var missing = Digest.Missing(_state, digest.RangeStart, digest.RangeEnd, digest.Entries);
        SendItems(from, missing, digest.ExchangeId);
        if (!digest.IsReply && _replied.Add((digest.Sender, digest.ExchangeId)))
        {
            _repliedOrder.Enqueue((digest.Sender, digest.ExchangeId));
            if (_repliedOrder.Count > RepliedExchangesKept) _replied.Remove(_repliedOrder.Dequeue());
            SendDigest(from, digest.ExchangeId, isReply: true);
        }
    }

    /// <summary>Packs items into as few datagrams as fit the size limit.</summary>
    private void SendItems(PeerAddress to, List<IGossipItem> items, uint exchangeId)
    {
        if (items.Count == 0) return;
        var probe = new PushPullRecords(Id.ShortId, exchangeId, []);
        int budget = WireLimits.MaxDatagram - WireCodec.MeasureEnvelope(probe) - 3;
        var batch = new List<IGossipItem>();
        int used = 0;
        foreach (var item in items)
        {
            int size = WireCodec.MeasureItem(item);
            if (size > budget) continue; // cannot happen within the wire limits; never send what cannot be decoded
            if (used + size > budget || batch.Count >= WireLimits.MaxItemsPerMessage)
            {
                Send(to, new PushPullRecords(Id.ShortId, exchangeId, [.. batch]), fill: false);
                batch.Clear();
                used = 0;
            }
            batch.Add(item);
            used += size;
        }
        if (batch.Count > 0) Send(to, new PushPullRecords(Id.ShortId, exchangeId, [.. batch]), fill: false);
    }

    /// <summary>Introduce ourselves to a seed or candidate: our record first (admission), then our digest (pull the rest).</summary>
    private void SendJoin(PeerAddress to)
    {
        if (_selfRecord is null) return;
        var items = new List<IGossipItem> { _selfRecord };
        if (_selfSummary is not null) items.Add(_selfSummary);
        SendItems(to, items, ++_exchangeId);
        SendDigest(to, _exchangeId, isReply: false);
    }

    private void ContactSeeds()
    {
        foreach (var seed in _seeds)
            if (!IsOwnAddress(seed)) SendJoin(seed);
        foreach (var c in _candidates) SendJoin(c);
    }

    private bool IsOwnAddress(PeerAddress a) => _addresses.Contains(a.Value);

    private void OnJoinRetryTimer(long now)
    {
        _timers.Arm(now + JoinRetryInterval.Ticks, TimerKind.JoinRetry);
        if (!AnyAliveOther()) ContactSeeds();
    }

    private void OnRefreshTimer(long now)
    {
        _timers.Arm(now + _options.RecordRefreshInterval.Ticks, TimerKind.Refresh);
        // A fresh timestamp lets peers age our record; anti-entropy carries it, no broadcast needed.
        ResignSelf(broadcast: false);
    }

    private const int MaxReapedRemembered = 4096;

    private void OnReapTimer(long now)
    {
        _timers.Arm(now + TimeSpan.FromSeconds(10).Ticks, TimerKind.Reap);
        // A full scan only when something is down: at a thousand members it was a noticeable share of the CPU.
        if (_tombstones.Count == 0) return;
        List<OriginState>? reap = null;
        foreach (var o in _state.Origins)
        {
            if (o.Id == Id || !_runtime.TryGetValue(o.Id.ShortId, out var rt)) continue;
            bool down = o.Liveness.IsDown || rt.Revoked;
            if (down && now - rt.DownSinceTicks >= _options.TombstoneRetention.Ticks) (reap ??= new()).Add(o);
        }
        if (reap is not null)
        {
            foreach (var o in reap)
            {
                _reaped[o.Id] = (long)o.Record.Version;
                _state.Remove(o.Id);
                _runtime.Remove(o.Id.ShortId);
                _ring.Remove(o.Id.ShortId);
                _down.Remove(o.Id.ShortId);
                _tombstones.Remove(o.Id.ShortId);
                var id = o.Id;
                _broadcasts.Forget(item => item switch
                {
                    NodeRecord r => r.Origin == id,
                    GatewaySummary s => s.Origin == id,
                    Accusation a => a.Target == id,
                    _ => false,
                });
            }
        }
        // Reaped versions are remembered so that an old record cannot resurrect a member; bounded in count.
        while (_reaped.Count > MaxReapedRemembered) _reaped.Remove(_reaped.Keys.First());
    }
}
