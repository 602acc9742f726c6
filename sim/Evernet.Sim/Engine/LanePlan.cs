using Evernet.Sim.Network;

namespace Evernet.Sim.Engine;

/// <summary>
/// How the nodes of one simulation are split over lanes (threads) and how far a lane may run ahead on its own. A
/// datagram between lanes crosses at least one link joining them, so it arrives no sooner than that link's latency
/// after it was sent: the smallest latency among the links between lanes is the lookahead. Links faster than a
/// threshold are never cut (their endpoints go together), the threshold is lowered until the lanes' expected loads
/// are balanced, and clusters are packed largest first onto the least loaded lane.
/// </summary>
public sealed class LanePlan
{
    private static readonly double[] ThresholdsMs = [5, 3, 2, 1.5, 1, 0.5, 0.25];
    /// <summary>A lane may carry this much more than an even share of the expected load.</summary>
    private const double Imbalance = 1.10;
    /// <summary>Below this lookahead the windows are too short to be worth synchronising threads for.</summary>
    private static readonly long MinLookaheadTicks = TimeSpan.FromMilliseconds(0.2).Ticks;

    private LanePlan(int lanes, int[] laneOf, long lookaheadTicks)
    {
        Lanes = lanes;
        LaneOf = laneOf;
        LookaheadTicks = lookaheadTicks;
    }

    public int Lanes { get; }
    /// <summary>The lane of every node.</summary>
    public int[] LaneOf { get; }
    /// <summary>How far past the earliest pending event every lane may process before they exchange datagrams.</summary>
    public long LookaheadTicks { get; }

    public static LanePlan Single(int nodes) => new(1, new int[nodes], long.MaxValue);

    /// <summary>
    /// A plan for up to <paramref name="lanes"/> lanes; one lane when the network has queues (shared link state), is
    /// too small, or cannot be cut with a useful lookahead. Gateways weigh more: every node probes every gateway.
    /// </summary>
    public static LanePlan For(NetworkModel network, IReadOnlyList<NodeRole> roles, int lanes)
    {
        int n = network.NodeCount;
        if (lanes <= 1 || n < 4 * lanes || network.HasQueues) return Single(n);
        var weight = new double[n];
        for (int i = 0; i < n; i++) weight[i] = roles[i] == NodeRole.Gateway ? Math.Max(1, n / 40.0) : 1;
        double total = weight.Sum();
        foreach (var thresholdMs in ThresholdsMs)
        {
            long threshold = (long)(thresholdMs * TimeSpan.TicksPerMillisecond);
            var laneOf = Pack(network, weight, lanes, threshold, out double heaviest);
            if (heaviest > Imbalance * total / lanes) continue;
            long lookahead = Lookahead(network, laneOf);
            return lookahead >= MinLookaheadTicks ? new LanePlan(lanes, laneOf, lookahead) : Single(n);
        }
        return Single(n);
    }

    private static int[] Pack(NetworkModel network, double[] weight, int lanes, long threshold, out double heaviest)
    {
        int n = weight.Length;
        var parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        int Find(int x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }
        for (int l = 0; l < network.LinkCount; l++)
        {
            ref readonly var link = ref network.LinkAt(l);
            if (link.LatencyTicks >= threshold) continue;
            int a = Find(link.A), b = Find(link.B);
            if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b);
        }
        var clusterWeight = new Dictionary<int, double>();
        for (int i = 0; i < n; i++) clusterWeight[Find(i)] = clusterWeight.GetValueOrDefault(Find(i)) + weight[i];
        var load = new double[lanes];
        var laneOfCluster = new Dictionary<int, int>();
        foreach (var (root, w) in clusterWeight.OrderByDescending(c => c.Value).ThenBy(c => c.Key))
        {
            int lightest = 0;
            for (int k = 1; k < lanes; k++) if (load[k] < load[lightest]) lightest = k;
            load[lightest] += w;
            laneOfCluster[root] = lightest;
        }
        heaviest = load.Max();
        var laneOf = new int[n];
        for (int i = 0; i < n; i++) laneOf[i] = laneOfCluster[Find(i)];
        return laneOf;
    }

    private static long Lookahead(NetworkModel network, int[] laneOf)
    {
        long min = long.MaxValue;
        for (int l = 0; l < network.LinkCount; l++)
        {
            ref readonly var link = ref network.LinkAt(l);
            if (laneOf[link.A] != laneOf[link.B]) min = Math.Min(min, link.LatencyTicks);
        }
        return min;
    }
}
