using Evernet.Gossip.Runtime;

namespace Evernet.Sim.Network;

/// <summary>Path statistics of a topology, from a deterministic sample of node pairs.</summary>
public sealed record TopologyStats(int Nodes, int Links, double AverageHops, int MaxHops, double AverageHopsToNearestGateway, double AverageLatencyMs)
{
    public static TopologyStats Measure(Topology topology, ulong seed, int samplePairs = 2000)
    {
        var net = topology.Network;
        var random = new SeededRandom(seed);
        int n = net.NodeCount;
        long hopSum = 0, pairs = 0;
        int maxHops = 0;
        double latencySum = 0;
        for (int i = 0; i < samplePairs && n > 1; i++)
        {
            int a = random.Next(n), b = random.Next(n);
            if (a == b) continue;
            int hops = net.HopCount(a, b);
            if (hops < 0) continue;
            hopSum += hops;
            pairs++;
            maxHops = Math.Max(maxHops, hops);
            latencySum += net.PathLatencyTicks(a, b) / (double)TimeSpan.TicksPerMillisecond;
        }
        double gatewayHopSum = 0;
        int counted = 0;
        int step = Math.Max(1, n / 500);
        for (int v = 0; v < n; v += step)
        {
            if (topology.IsGateway[v]) continue;
            int best = int.MaxValue;
            foreach (var g in topology.Gateways)
            {
                int h = net.HopCount(g, v);
                if (h >= 0) best = Math.Min(best, h);
            }
            if (best == int.MaxValue) continue;
            gatewayHopSum += best;
            counted++;
        }
        return new TopologyStats(n, net.LinkCount,
            pairs == 0 ? 0 : hopSum / (double)pairs, maxHops,
            counted == 0 ? 0 : gatewayHopSum / counted,
            pairs == 0 ? 0 : latencySum / pairs);
    }
}
