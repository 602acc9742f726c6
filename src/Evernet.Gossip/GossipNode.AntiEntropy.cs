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
    private const int RepliedExchangesKept = 256;
    private readonly RecentKeys<(ulong, uint, ulong)> _replied = new(RepliedExchangesKept);
    private const int SummaryExchangesKept = 8;
    // Our recent exchanges that began with a summary: a digest chunk answering one asks about its range only.
    private readonly Queue<uint> _summaryExchanges = new();
    /// <summary>Reused for every digest this node builds (one node runs on one thread; a digest is encoded before the next is built).</summary>
    private readonly List<DigestEntry> _digestScratch = [];
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
        if (partner is { } p && p.Value is not null) StartExchange(p, wholeDigest: _pushPullRound <= 3 || !_options.PushPullSummaries);
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

    /// <summary>
    /// An exchange starts with range hashes: in a converged mesh the partner finds every range equal and nothing more
    /// is sent (at a thousand members the full digest was 21 datagrams each way, 40 % of all gossip bytes). The first
    /// exchanges after start send the whole digest: a joiner differs everywhere, and the hashes would cost it a round trip.
    /// </summary>
    private void StartExchange(PeerAddress partner, bool wholeDigest)
    {
        _counters.PushPullExchanges++;
        uint exchangeId = ++_exchangeId;
        if (wholeDigest)
        {
            SendDigest(partner, exchangeId, isReply: false);
            return;
        }
        _summaryExchanges.Enqueue(exchangeId);
        while (_summaryExchanges.Count > SummaryExchangesKept) _summaryExchanges.Dequeue();
        Digest.Build(_state, 0, ulong.MaxValue, _digestScratch);
        var ranges = Digest.Ranges(Digest.Chunk(_digestScratch, DigestEntriesPerChunk));
        for (int i = 0; i < ranges.Count; i += WireLimits.MaxSummaryRangesPerMessage)
        {
            int n = Math.Min(WireLimits.MaxSummaryRangesPerMessage, ranges.Count - i);
            Send(partner, new PushPullSummary(Id.ShortId, exchangeId, [.. ranges.GetRange(i, n)]), fill: false);
        }
    }

    /// <summary>Every range that differs from ours starts an ordinary digest exchange for that range alone.</summary>
    private void HandleSummary(PeerAddress from, PushPullSummary summary)
    {
        foreach (var range in summary.Ranges)
        {
            if (range.Start > range.End) continue;
            var (count, hash) = Digest.Summarize(_state, range.Start, range.End);
            if (count == range.Count && hash == range.Hash) continue;
            _counters.PushPullRangesDiffering++;
            SendDigest(from, summary.ExchangeId, isReply: false, range.Start, range.End);
        }
    }

    private void SendDigest(PeerAddress to, uint exchangeId, bool isReply, ulong start = 0, ulong end = ulong.MaxValue)
    {
        Digest.Build(_state, start, end, _digestScratch);
        var chunks = Digest.Chunk(_digestScratch, DigestEntriesPerChunk, start, end);
        for (int i = 0; i < chunks.Count; i++)
        {
            var (chunkStart, chunkEnd, entries) = chunks[i];
            Send(to, new PushPullDigest(Id.ShortId, exchangeId, isReply, (ushort)i, (ushort)chunks.Count, chunkStart, chunkEnd,
                System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(entries)), fill: false);
        }
    }

    /// <summary>
    /// Sends what the peer lacks in the chunk's range and, unless the chunk is a reply, our own digest: the whole digest
    /// once per exchange (so a lost chunk of theirs does not cost them the repair of its range in the other direction),
    /// or, when the chunk answers a summary we sent, our entries of that range only.
    /// </summary>
    private void HandleDigest(PeerAddress from, PushPullDigest digest)
    {
        if (digest.RangeStart > digest.RangeEnd) return;
        var missing = Digest.Missing(_state, digest.RangeStart, digest.RangeEnd, digest.Entries.AsSpan());
        SendItems(from, missing, digest.ExchangeId);
        if (Digest.ListsUnknownMember(_state, digest.Entries.AsSpan())) ScheduleRangeRecheck(from, digest);
        if (digest.IsReply) return;
        bool answersOurSummary = _summaryExchanges.Contains(digest.ExchangeId);
        var key = (digest.Sender, digest.ExchangeId, answersOurSummary ? digest.RangeStart : 0UL);
        if (!_replied.Add(key)) return;
        if (answersOurSummary) SendDigest(from, digest.ExchangeId, isReply: true, digest.RangeStart, digest.RangeEnd);
        else SendDigest(from, digest.ExchangeId, isReply: true);
    }

    // A partner's digest chunk that lists a member we do not know means the exchange still owes us its record: our chunk of that range
    // or the partner's answer to it was lost (over 8 lossy hops one datagram in six), or the answer is still on its way.
    // If we still do not know it a little later, we send our digest of that range again, as a reply, so the partner answers
    // it with items only. Once per partner, exchange and range, so two nodes cannot keep asking each other. Without
    // this, a node that one lost datagram left without a member waited for its next exchange (30 s): at 1,000 nodes
    // the last few stragglers of a cold start needed 57 s.
    private const int MaxRangeRechecks = 64;
    private static readonly TimeSpan RangeRecheckDelay = TimeSpan.FromSeconds(1);
    private readonly Dictionary<uint, (PeerAddress Partner, PushPullDigest Chunk)> _rangeRechecks = new();
    private readonly RecentKeys<(ulong Sender, uint Exchange, ulong Start)> _rangesRechecked = new(RepliedExchangesKept);
    private uint _nextRangeRecheck;

    private void ScheduleRangeRecheck(PeerAddress from, PushPullDigest chunk)
    {
        var key = (chunk.Sender, chunk.ExchangeId, chunk.RangeStart);
        if (_rangeRechecks.Count >= MaxRangeRechecks || !_rangesRechecked.Add(key)) return;
        uint id = ++_nextRangeRecheck;
        _rangeRechecks[id] = (from, chunk);
        _timers.Arm(NowTicks + RangeRecheckDelay.Ticks, TimerKind.RangeRecheck, id);
    }

    private void OnRangeRecheck(uint id)
    {
        if (!_rangeRechecks.Remove(id, out var pending)) return;
        var chunk = pending.Chunk;
        if (!Digest.ListsUnknownMember(_state, chunk.Entries.AsSpan())) return;
        _counters.PushPullRangesRechecked++;
        SendDigest(pending.Partner, chunk.ExchangeId, isReply: true, chunk.RangeStart, chunk.RangeEnd);
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

    // Every seed is asked for the whole state: pulling from only one of them (tried to make a simulated cold start of
    // 1,000 nodes cheaper) saved no wall time and let more joiners miss a member, so the mesh took 88 s instead of 57 s
    // until every node held every member.
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
                _recheck.Remove(o.Id.ShortId);
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
