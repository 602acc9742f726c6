using Evernet.Gossip.Runtime;

namespace Evernet.Sim.Network;

/// <summary>
/// Builds the three topologies. All randomness comes from the given seed, so a seed gives the same graph every time.
/// Node indices: gateways first (0..G-1), then (evernet) village hubs, then households.
/// </summary>
public static class TopologyGenerator
{
    private const long Ms = TimeSpan.TicksPerMillisecond;

    public static Topology Generate(TopologyOptions options, ulong seed)
    {
        if (options.Gateways < 1) throw new ArgumentException("at least one gateway is needed");
        if (options.Nodes < options.Gateways + 1) throw new ArgumentException($"{options.Nodes} nodes cannot hold {options.Gateways} gateways and a member");
        if (options.MeshLoss is < 0 or >= 1) throw new ArgumentException("loss must be in [0, 1)");
        var random = new SeededRandom(seed);
        return options.Kind switch
        {
            TopologyKind.Evernet => Evernet(options, random),
            TopologyKind.Geometric => Geometric(options, random),
            TopologyKind.Full => Full(options, random),
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        };
    }

    /// <summary>
    /// Gateways and village hubs joined by point-to-point backbone links (0.3–2 ms, low loss); each village a multi-hop
    /// mesh of household routers (1–5 ms per hop, <see cref="TopologyOptions.MeshLoss"/> per hop).
    /// </summary>
    private static Topology Evernet(TopologyOptions o, SeededRandom random)
    {
        int gateways = o.Gateways;
        int members = o.Nodes - gateways;
        int hubs = Math.Max(1, (int)Math.Round(members / (double)(o.HouseholdsPerVillage + 1)));
        hubs = Math.Min(hubs, members);
        int households = members - hubs;
        var links = new List<Link>();
        var x = new double[o.Nodes];
        var y = new double[o.Nodes];

        // Villages on a jittered grid, ~1.5 km apart; gateways somewhere among them.
        int cols = (int)Math.Ceiling(Math.Sqrt(hubs));
        const double villageSpacing = 1500;
        for (int h = 0; h < hubs; h++)
        {
            int node = gateways + h;
            x[node] = (h % cols) * villageSpacing + (random.NextDouble() - 0.5) * 400;
            y[node] = (h / cols) * villageSpacing + (random.NextDouble() - 0.5) * 400;
        }
        int rows = (hubs + cols - 1) / cols;
        for (int g = 0; g < gateways; g++)
        {
            x[g] = random.NextDouble() * Math.Max(1, cols - 1) * villageSpacing;
            y[g] = random.NextDouble() * Math.Max(1, rows - 1) * villageSpacing;
        }

        // Backbone: each hub to its 3 nearest hubs, each gateway to its 2 nearest hubs, then join any leftover components.
        var backbone = new List<int>(hubs + gateways);
        for (int n = 0; n < gateways + hubs; n++) backbone.Add(n);
        var hubNodes = backbone.GetRange(gateways, hubs);
        var linked = new HashSet<long>();
        void AddLink(int a, int b, LinkKind kind, double minMs, double maxMs, double jitterMs, double loss, long bps)
        {
            long key = (long)Math.Min(a, b) * int.MaxValue + Math.Max(a, b);
            if (a == b || !linked.Add(key)) return;
            long latency = (long)((minMs + random.NextDouble() * (maxMs - minMs)) * Ms);
            links.Add(new Link(a, b, kind, latency, (long)(jitterMs * Ms), loss, o.Bandwidth ? bps : 0));
        }
        void Backbone(int a, int b) => AddLink(a, b, LinkKind.Backbone, 0.3, 2.0, 0.1, o.BackboneLoss, 300_000_000);
        foreach (var h in hubNodes)
            foreach (var other in Nearest(h, hubNodes, x, y, 3)) Backbone(h, other);
        for (int g = 0; g < gateways; g++)
            foreach (var other in Nearest(g, hubNodes, x, y, Math.Min(2, hubs))) Backbone(g, other);
        JoinComponents(o.Nodes, backbone, links, x, y, (a, b) => Backbone(a, b));

        // Households: village v gets every hubs-th household, placed around its hub at ~1 neighbour per 80 m square.
        const double spacing = 80;
        const double radioRange = 1.5 * spacing;
        var villages = new List<int>[hubs];
        for (int v = 0; v < hubs; v++) villages[v] = new List<int> { gateways + v };
        for (int i = 0; i < households; i++) villages[i % hubs].Add(gateways + hubs + i);
        foreach (var village in villages)
        {
            int hub = village[0];
            double side = Math.Sqrt(village.Count) * spacing;
            for (int k = 1; k < village.Count; k++)
            {
                x[village[k]] = x[hub] + (random.NextDouble() - 0.5) * side;
                y[village[k]] = y[hub] + (random.NextDouble() - 0.5) * side;
            }
            void Mesh(int a, int b) => AddLink(a, b, LinkKind.Mesh, 1.0, 5.0, 1.0, o.MeshLoss, 20_000_000);
            for (int a = 0; a < village.Count; a++)
                for (int b = a + 1; b < village.Count; b++)
                    if (Distance(village[a], village[b], x, y) <= radioRange) Mesh(village[a], village[b]);
            JoinComponents(o.Nodes, village, links, x, y, Mesh);
        }
        var network = new NetworkModel(o.Nodes, links);
        var gatewayIds = Enumerable.Range(0, gateways).ToArray();
        return new Topology("evernet", network, gatewayIds, villages[0].ToArray(),
            $"evernet: {gateways} gateways, {hubs} villages of ~{(households + hubs) / Math.Max(1, hubs)} routers, mesh loss {o.MeshLoss:P1}/hop");
    }

    /// <summary>Random geometric graph in the unit square, radius chosen for connectivity; leftover components joined.</summary>
    private static Topology Geometric(TopologyOptions o, SeededRandom random)
    {
        int n = o.Nodes;
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = random.NextDouble();
            y[i] = random.NextDouble();
        }
        double radius = Math.Sqrt(2.5 * Math.Log(Math.Max(n, 3)) / (Math.PI * n));
        var links = new List<Link>();
        void Add(int a, int b)
        {
            double d = Distance(a, b, x, y);
            long latency = (long)((1 + 4 * Math.Min(1, d / radius)) * Ms);
            links.Add(new Link(a, b, LinkKind.Generic, latency, Ms, o.MeshLoss, o.Bandwidth ? 20_000_000 : 0));
        }
        // A grid of radius-sized cells keeps this near-linear at 10,000 nodes.
        int cells = Math.Max(1, (int)(1 / radius));
        var grid = new List<int>[cells * cells];
        for (int i = 0; i < grid.Length; i++) grid[i] = new List<int>();
        int Cell(double v) => Math.Min(cells - 1, (int)(v * cells));
        for (int i = 0; i < n; i++) grid[Cell(x[i]) * cells + Cell(y[i])].Add(i);
        for (int i = 0; i < n; i++)
        {
            int cx = Cell(x[i]), cy = Cell(y[i]);
            for (int dx = -1; dx <= 1; dx++)
                for (int dy = -1; dy <= 1; dy++)
                {
                    int gx = cx + dx, gy = cy + dy;
                    if (gx < 0 || gy < 0 || gx >= cells || gy >= cells) continue;
                    foreach (var j in grid[gx * cells + gy])
                        if (j > i && Distance(i, j, x, y) <= radius) Add(i, j);
                }
        }
        var all = Enumerable.Range(0, n).ToList();
        JoinComponents(n, all, links, x, y, Add);
        var side = all.Where(i => x[i] < 0.3 && i >= o.Gateways).ToArray();
        return new Topology("geometric", new NetworkModel(n, links), Enumerable.Range(0, o.Gateways).ToArray(), side,
            $"geometric: {n} nodes, radius {radius:0.###}, loss {o.MeshLoss:P1}/link");
    }

    /// <summary>Every pair linked directly; latency grows with distance in the plane so the direct link is the shortest path.</summary>
    private static Topology Full(TopologyOptions o, SeededRandom random)
    {
        int n = o.Nodes;
        if ((long)n * (n - 1) / 2 > 20_000_000) throw new ArgumentException("the full topology is limited to about 6,000 nodes");
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = random.NextDouble();
            y[i] = random.NextDouble();
        }
        var links = new List<Link>(n * (n - 1) / 2);
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
            {
                long latency = (long)((1 + 4 * Distance(a, b, x, y) / Math.Sqrt(2)) * Ms);
                links.Add(new Link(a, b, LinkKind.Generic, latency, Ms, o.MeshLoss, o.Bandwidth ? 20_000_000 : 0));
            }
        var side = Enumerable.Range(o.Gateways, Math.Max(1, (n - o.Gateways) * 3 / 10)).ToArray();
        return new Topology("full", new NetworkModel(n, links, complete: true), Enumerable.Range(0, o.Gateways).ToArray(), side,
            $"full mesh: {n} nodes, loss {o.MeshLoss:P1}/link");
    }

    private static double Distance(int a, int b, double[] x, double[] y)
    {
        double dx = x[a] - x[b], dy = y[a] - y[b];
        return Math.Sqrt(dx * dx + dy * dy);
    }

    private static IEnumerable<int> Nearest(int from, List<int> candidates, double[] x, double[] y, int count) =>
        candidates.Where(c => c != from).OrderBy(c => Distance(from, c, x, y)).ThenBy(c => c).Take(count);

    /// <summary>Links the closest pair between the first node's component and any other until the group is connected.</summary>
    private static void JoinComponents(int nodeCount, List<int> group, List<Link> links, double[] x, double[] y, Action<int, int> add)
    {
        var parent = new int[nodeCount];
        for (int i = 0; i < nodeCount; i++) parent[i] = i;
        int Find(int v)
        {
            while (parent[v] != v) v = parent[v] = parent[parent[v]];
            return v;
        }
        var inGroup = new bool[nodeCount];
        foreach (var v in group) inGroup[v] = true;
        foreach (var l in links)
            if (inGroup[l.A] && inGroup[l.B]) parent[Find(l.A)] = Find(l.B);
        while (true)
        {
            int root = Find(group[0]);
            var inside = group.Where(v => Find(v) == root).ToList();
            var outside = group.Where(v => Find(v) != root).ToList();
            if (outside.Count == 0) return;
            int bestA = -1, bestB = -1;
            double best = double.MaxValue;
            foreach (var a in inside)
                foreach (var b in outside)
                {
                    double d = Distance(a, b, x, y);
                    if (d < best) { best = d; bestA = a; bestB = b; }
                }
            add(bestA, bestB);
            parent[Find(bestB)] = root;
            // Merge everything the new link connects transitively.
            foreach (var l in links)
                if (inGroup[l.A] && inGroup[l.B]) parent[Find(l.A)] = Find(l.B);
        }
    }
}
