using Evernet.Gossip.Runtime;

namespace Evernet.Sim.Network;

/// <summary>
/// The radio mesh between simulated nodes: an undirected graph of links with per-direction loss, latency, jitter and
/// optional bandwidth. A datagram follows the shortest-latency path; every hop applies its own loss, latency, jitter and
/// queue. Paths come from a per-source Dijkstra computed on first use and cached until the topology changes.
/// Owned by one simulation engine. Several threads may transmit at once, each through its own <see cref="NetworkLane"/>
/// (path buffer and counters), as long as no link has a bandwidth limit (a link's queue is shared state) and nothing
/// changes the links meanwhile; everything else is single-threaded.
/// </summary>
public sealed class NetworkModel
{
    private const int NoLink = -1;
    private readonly Link[] _links;
    private readonly int[][] _adjacency;
    private readonly int[]?[] _predecessorLink;
    private readonly PathSummary[]?[] _pathSummaries;
    private readonly bool _complete;
    private readonly bool _hasQueues;
    private readonly List<NetworkLane> _lanes = [];

    public NetworkModel(int nodeCount, IReadOnlyList<Link> links, bool complete = false)
    {
        if (nodeCount <= 0) throw new ArgumentOutOfRangeException(nameof(nodeCount));
        NodeCount = nodeCount;
        _links = new Link[links.Count];
        var degree = new int[nodeCount];
        for (int i = 0; i < links.Count; i++)
        {
            var l = links[i];
            if ((uint)l.A >= (uint)nodeCount || (uint)l.B >= (uint)nodeCount || l.A == l.B)
                throw new ArgumentException($"link {i} ({l.A}-{l.B}) is not between two distinct nodes of 0..{nodeCount - 1}");
            _links[i] = l;
            degree[l.A]++;
            degree[l.B]++;
        }
        _adjacency = new int[nodeCount][];
        for (int n = 0; n < nodeCount; n++) _adjacency[n] = new int[degree[n]];
        Array.Clear(degree);
        for (int i = 0; i < _links.Length; i++)
        {
            _adjacency[_links[i].A][degree[_links[i].A]++] = i;
            _adjacency[_links[i].B][degree[_links[i].B]++] = i;
        }
        _predecessorLink = new int[]?[nodeCount];
        _pathSummaries = new PathSummary[]?[nodeCount];
        _complete = complete && _links.Length == (long)nodeCount * (nodeCount - 1) / 2;
        _hasQueues = _links.Any(l => l.BitsPerSecond > 0);
        UsePathSummaries = !_hasQueues && nodeCount <= MaxNodesForPathSummaries;
        DefaultLane = NewLane();
    }

    /// <summary>The lane of single-threaded callers (the overloads without a lane).</summary>
    public NetworkLane DefaultLane { get; }

    /// <summary>A path buffer and counters for one thread; the network's totals include it.</summary>
    public NetworkLane NewLane()
    {
        var lane = new NetworkLane(Enum.GetValues<DropReason>().Length);
        _lanes.Add(lane);
        return lane;
    }

    /// <summary>Whether some link has a bandwidth limit (its queue makes transmissions depend on each other's order).</summary>
    public bool HasQueues => _hasQueues;

    /// <summary>Above this many nodes the per-pair summaries (32 bytes a pair) would cost more memory than they save time.</summary>
    public const int MaxNodesForPathSummaries = 4096;

    /// <summary>
    /// Transmit through a per-pair summary of the path (one lookup) instead of walking it hop by hop (two scattered
    /// reads a hop, the engine's largest cost after the cores). Same distribution: the datagram survives with the
    /// product of the hops' delivery probabilities (one draw) and gains the hops' latencies plus one uniform jitter
    /// draw per jittered hop. Off with queues (a hop's queue depends on the traffic before it) and for paths whose
    /// jittered hops differ in jitter. Settable so tests can compare both.
    /// </summary>
    public bool UsePathSummaries { get; set; }

    public int NodeCount { get; }
    public int LinkCount => _links.Length;

    /// <summary>Probability that a datagram is delivered twice (the copy takes its own extra delay).</summary>
    public double DuplicateProbability { get; set; }
    /// <summary>Probability that a datagram is held back by an extra uniform delay in [0, ReorderMaxExtra).</summary>
    public double ReorderProbability { get; set; }
    public long ReorderMaxExtraTicks { get; set; } = 50 * TimeSpan.TicksPerMillisecond;
    /// <summary>A bandwidth-limited link drops a datagram that would wait longer than this in its queue.</summary>
    public long QueueLimitTicks { get; set; } = 200 * TimeSpan.TicksPerMillisecond;

    public long Sent => _lanes.Sum(l => l.Sent);
    public long Delivered => _lanes.Sum(l => l.Delivered);
    public long HopsTraversed => _lanes.Sum(l => l.HopsTraversed);
    public long Duplicated => _lanes.Sum(l => l.Duplicated);
    public long Reordered => _lanes.Sum(l => l.Reordered);

    /// <summary>Drops by <see cref="DropReason"/>, summed over lanes (a fresh array).</summary>
    public long[] DroppedByReason
    {
        get
        {
            var total = new long[Enum.GetValues<DropReason>().Length];
            foreach (var lane in _lanes)
                for (int r = 0; r < total.Length; r++) total[r] += lane.DroppedByReason[r];
            return total;
        }
    }
    /// <summary>Bumped on every change that can alter paths; lets callers cache reachability.</summary>
    public int TopologyVersion { get; private set; }

    /// <summary>A link's state; change it through <see cref="SetLinkUp"/> and <see cref="SetLoss"/> (paths are cached).</summary>
    public ref readonly Link LinkAt(int index) => ref _links[index];

    public ReadOnlySpan<int> LinksOf(int node) => _adjacency[node];

    public int FindLink(int a, int b)
    {
        if (_complete && a != b)
        {
            int lo = Math.Min(a, b), hi = Math.Max(a, b);
            return (int)((long)lo * (2L * NodeCount - lo - 1) / 2 + (hi - lo - 1));
        }
        foreach (var l in _adjacency[a])
            if (_links[l].Other(a) == b) return l;
        return NoLink;
    }

    public void SetLinkUp(int index, bool up)
    {
        if (_links[index].Up == up) return;
        _links[index].Up = up;
        InvalidateRoutes();
    }

    /// <summary>Sets the loss of one direction (from <paramref name="from"/> over the link); the other is unchanged.</summary>
    public void SetLoss(int index, int from, double loss)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(loss, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(loss, 1);
        ref var link = ref _links[index];
        if (from == link.A) link.LossAtoB = loss; else link.LossBtoA = loss;
        Array.Clear(_pathSummaries);
    }

    public void InvalidateRoutes()
    {
        Array.Clear(_predecessorLink);
        Array.Clear(_pathSummaries);
        TopologyVersion++;
    }

    public bool IsReachable(int from, int to) => from == to || Predecessors(from)[to] != NoLink;

    /// <summary>Hops on the current path, or -1 when unreachable.</summary>
    public int HopCount(int from, int to)
    {
        if (from == to) return 0;
        var pred = Predecessors(from);
        if (pred[to] == NoLink) return -1;
        int hops = 0;
        for (int v = to; v != from; v = _links[pred[v]].Other(v)) hops++;
        return hops;
    }

    /// <summary>Sum of base latencies on the current path (no jitter, no queues), or -1 when unreachable.</summary>
    public long PathLatencyTicks(int from, int to)
    {
        if (from == to) return 0;
        var pred = Predecessors(from);
        if (pred[to] == NoLink) return -1;
        long total = 0;
        for (int v = to; v != from; v = _links[pred[v]].Other(v)) total += _links[pred[v]].LatencyTicks;
        return total;
    }

    /// <summary>
    /// Sends one datagram of <paramref name="bytes"/> at <paramref name="now"/>. Returns <see cref="DropReason.None"/> and
    /// the arrival time when it gets through. Random draws happen in a fixed order so a seed reproduces every outcome.
    /// </summary>
    public DropReason Transmit(int from, int to, int bytes, long now, IRandomSource random, out long arrival) =>
        Transmit(DefaultLane, from, to, bytes, now, random, out arrival);

    public DropReason Transmit(NetworkLane lane, int from, int to, int bytes, long now, IRandomSource random, out long arrival)
    {
        lane.Sent++;
        arrival = now;
        if (from == to)
        {
            lane.Delivered++;
            return DropReason.None;
        }
        if (UsePathSummaries)
        {
            ref readonly var summary = ref PathSummaries(from)[to];
            if (summary.Hops < 0) return Drop(lane, DropReason.Unreachable);
            if (summary.Uniform)
            {
                if (summary.Survival < 1 && random.NextDouble() >= summary.Survival) return Drop(lane, DropReason.Loss);
                long arriving = now + summary.LatencyTicks;
                for (int j = 0; j < summary.JitteredHops; j++) arriving += (long)(random.NextDouble() * summary.JitterTicks);
                lane.HopsTraversed += summary.Hops;
                return Arrive(lane, arriving, random, out arrival);
            }
        }
        int hops = CollectPath(lane, from, to);
        if (hops < 0) return Drop(lane, DropReason.Unreachable);
        long t = now;
        int at = from;
        for (int h = hops - 1; h >= 0; h--)
        {
            ref var link = ref _links[lane.Path[h]];
            bool forward = at == link.A;
            double loss = forward ? link.LossAtoB : link.LossBtoA;
            if (loss > 0 && random.NextDouble() < loss) return Drop(lane, DropReason.Loss);
            if (link.BitsPerSecond > 0)
            {
                long serialization = bytes * 8L * TimeSpan.TicksPerSecond / link.BitsPerSecond;
                ref long busyUntil = ref forward ? ref link.BusyUntilAtoB : ref link.BusyUntilBtoA;
                long start = Math.Max(t, busyUntil);
                if (start - t > QueueLimitTicks) return Drop(lane, DropReason.QueueFull);
                busyUntil = start + serialization;
                t = busyUntil;
            }
            t += link.LatencyTicks;
            if (link.JitterTicks > 0) t += (long)(random.NextDouble() * link.JitterTicks);
            at = link.Other(at);
            lane.HopsTraversed++;
        }
        return Arrive(lane, t, random, out arrival);
    }

    private DropReason Arrive(NetworkLane lane, long t, IRandomSource random, out long arrival)
    {
        if (ReorderProbability > 0 && random.NextDouble() < ReorderProbability)
        {
            t += (long)(random.NextDouble() * ReorderMaxExtraTicks);
            lane.Reordered++;
        }
        arrival = t;
        lane.Delivered++;
        return DropReason.None;
    }

    /// <summary>Whether the network delivers a second copy, and its delay after the first; drawn after a delivery.</summary>
    public bool TryDuplicate(IRandomSource random, out long extraDelay) => TryDuplicate(DefaultLane, random, out extraDelay);

    public bool TryDuplicate(NetworkLane lane, IRandomSource random, out long extraDelay)
    {
        extraDelay = 0;
        if (DuplicateProbability <= 0 || random.NextDouble() >= DuplicateProbability) return false;
        extraDelay = 1 + (long)(random.NextDouble() * ReorderMaxExtraTicks);
        lane.Duplicated++;
        return true;
    }

    public void CountDrop(DropReason reason) => DefaultLane.DroppedByReason[(int)reason]++;

    private static DropReason Drop(NetworkLane lane, DropReason reason)
    {
        lane.DroppedByReason[(int)reason]++;
        return reason;
    }

    /// <summary>Fills the path buffer with link indices from destination back to source; returns the hop count or -1.</summary>
    private int CollectPath(NetworkLane lane, int from, int to)
    {
        if (_complete)
        {
            int direct = FindLink(from, to);
            if (_links[direct].Up)
            {
                lane.Path[0] = direct;
                return 1;
            }
        }
        var pred = Predecessors(from);
        if (pred[to] == NoLink) return -1;
        int hops = 0;
        for (int v = to; v != from; v = _links[pred[v]].Other(v))
        {
            if (hops == lane.Path.Length) lane.GrowPath();
            lane.Path[hops++] = pred[v];
        }
        return hops;
    }

    /// <summary>
    /// The cached shortest-path tree of a source. Two lanes may compute the same tree at once; both get the same
    /// result, and the published array is complete before its reference is (Volatile).
    /// </summary>
    private int[] Predecessors(int source)
    {
        var cached = Volatile.Read(ref _predecessorLink[source]);
        if (cached is not null) return cached;
        var pred = ShortestPathTree(source);
        Volatile.Write(ref _predecessorLink[source], pred);
        return pred;
    }

    /// <summary>The cached path summaries from a source to every node (published like <see cref="Predecessors"/>).</summary>
    private PathSummary[] PathSummaries(int source)
    {
        var cached = Volatile.Read(ref _pathSummaries[source]);
        if (cached is not null) return cached;
        var summaries = new PathSummary[NodeCount];
        var path = new NetworkLane(0);
        for (int to = 0; to < NodeCount; to++)
        {
            if (to == source) continue;
            int hops = CollectPath(path, source, to);
            if (hops < 0)
            {
                summaries[to] = new PathSummary { Hops = -1 };
                continue;
            }
            var summary = new PathSummary { Hops = hops, Survival = 1, Uniform = true };
            int at = source;
            for (int h = hops - 1; h >= 0; h--)
            {
                ref readonly var link = ref _links[path.Path[h]];
                summary.Survival *= 1 - (at == link.A ? link.LossAtoB : link.LossBtoA);
                summary.LatencyTicks += link.LatencyTicks;
                if (link.JitterTicks > 0)
                {
                    if (summary.JitteredHops > 0 && link.JitterTicks != summary.JitterTicks) summary.Uniform = false;
                    summary.JitterTicks = link.JitterTicks;
                    summary.JitteredHops++;
                }
                at = link.Other(at);
            }
            summaries[to] = summary;
        }
        Volatile.Write(ref _pathSummaries[source], summaries);
        return summaries;
    }

    /// <summary>Dijkstra over up links by base latency (plus one tick per hop, so equal-latency ties prefer fewer hops).</summary>
    private int[] ShortestPathTree(int source)
    {
        var pred = new int[NodeCount];
        Array.Fill(pred, NoLink);
        var dist = new long[NodeCount];
        Array.Fill(dist, long.MaxValue);
        dist[source] = 0;
        var queue = new PriorityQueue<int, long>();
        queue.Enqueue(source, 0);
        while (queue.TryDequeue(out int u, out long d))
        {
            if (d != dist[u]) continue;
            foreach (int l in _adjacency[u])
            {
                ref readonly var link = ref _links[l];
                if (!link.Up) continue;
                int v = link.Other(u);
                long nd = d + link.LatencyTicks + 1;
                if (nd < dist[v])
                {
                    dist[v] = nd;
                    pred[v] = l;
                    queue.Enqueue(v, nd);
                }
            }
        }
        pred[source] = NoLink;
        return pred;
    }
}
