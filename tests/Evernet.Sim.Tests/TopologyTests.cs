using Evernet.Sim.Network;

namespace Evernet.Sim.Tests;

public sealed class TopologyTests
{
    [Theory]
    [InlineData(TopologyKind.Evernet, 103, 3)]
    [InlineData(TopologyKind.Evernet, 400, 5)]
    [InlineData(TopologyKind.Geometric, 300, 3)]
    [InlineData(TopologyKind.Full, 40, 2)]
    public void Every_generated_topology_is_connected(TopologyKind kind, int nodes, int gateways)
    {
        var t = TopologyGenerator.Generate(new TopologyOptions(kind, nodes, gateways, 0.02), 11);
        Assert.Equal(nodes, t.NodeCount);
        Assert.Equal(Enumerable.Range(0, gateways), t.Gateways);
        for (int v = 0; v < nodes; v++) Assert.True(t.Network.IsReachable(0, v), $"node {v} unreachable");
    }

    [Fact]
    public void The_evernet_topology_has_a_backbone_and_multi_hop_villages()
    {
        var t = TopologyGenerator.Generate(new TopologyOptions(TopologyKind.Evernet, 103, 3, 0.05), 5);
        int backbone = 0, mesh = 0;
        for (int i = 0; i < t.Network.LinkCount; i++)
        {
            ref readonly var l = ref t.Network.LinkAt(i);
            if (l.Kind == LinkKind.Backbone)
            {
                backbone++;
                Assert.InRange(l.LatencyTicks, 3_000, 20_000);
                Assert.Equal(0.001, l.LossAtoB);
            }
            else
            {
                mesh++;
                Assert.InRange(l.LatencyTicks, 10_000, 50_000);
                Assert.Equal(0.05, l.LossAtoB);
                Assert.Equal(0.05, l.LossBtoA);
            }
        }
        Assert.True(backbone >= 6 && mesh > 100, $"{backbone} backbone, {mesh} mesh links");
        var stats = TopologyStats.Measure(t, 1);
        Assert.InRange(stats.AverageHops, 3, 8);
        Assert.InRange(stats.AverageHopsToNearestGateway, 2, 6);
    }

    [Fact]
    public void The_same_seed_gives_the_same_graph_and_another_seed_another()
    {
        var o = new TopologyOptions(TopologyKind.Evernet, 103, 3, 0.02);
        string Shape(Topology t) => string.Join(";", Enumerable.Range(0, t.Network.LinkCount).Select(i =>
        {
            ref readonly var l = ref t.Network.LinkAt(i);
            return $"{l.A}-{l.B}:{l.LatencyTicks}";
        }));
        Assert.Equal(Shape(TopologyGenerator.Generate(o, 3)), Shape(TopologyGenerator.Generate(o, 3)));
        Assert.NotEqual(Shape(TopologyGenerator.Generate(o, 3)), Shape(TopologyGenerator.Generate(o, 4)));
    }

    [Theory]
    [InlineData(TopologyKind.Evernet)]
    [InlineData(TopologyKind.Geometric)]
    [InlineData(TopologyKind.Full)]
    public void Cutting_the_partition_side_separates_it_and_restoring_heals(TopologyKind kind)
    {
        var t = TopologyGenerator.Generate(new TopologyOptions(kind, 60, 2, 0.02), 2);
        var side = t.PartitionSide;
        Assert.NotEmpty(side);
        var cut = t.CutLinks(side);
        foreach (var l in cut) t.Network.SetLinkUp(l, false);
        var inSide = new HashSet<int>(side);
        int outside = Enumerable.Range(0, 60).First(v => !inSide.Contains(v));
        foreach (var v in side) Assert.False(t.Network.IsReachable(v, outside));
        foreach (var l in cut) t.Network.SetLinkUp(l, true);
        foreach (var v in side) Assert.True(t.Network.IsReachable(v, outside));
    }

    [Fact]
    public void Ten_thousand_nodes_generate_quickly()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var t = TopologyGenerator.Generate(new TopologyOptions(TopologyKind.Evernet, 10_000, 3, 0.02), 1);
        Assert.True(t.Network.IsReachable(0, 9_999));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }
}
