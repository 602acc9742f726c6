using Evernet.Gossip.Runtime;
using Evernet.Sim.Network;

namespace Evernet.Sim.Tests;

public sealed class NetworkModelTests
{
    private const long Ms = TimeSpan.TicksPerMillisecond;

    private static Link L(int a, int b, double ms, double loss = 0, double jitterMs = 0, long bps = 0) =>
        new(a, b, LinkKind.Generic, (long)(ms * Ms), (long)(jitterMs * Ms), loss, bps);

    [Fact]
    public void Datagrams_follow_the_lowest_latency_path_not_the_fewest_hops()
    {
        // 0-1 direct is 10 ms; 0-2-1 is 2+2 ms.
        var net = new NetworkModel(3, [L(0, 1, 10), L(0, 2, 2), L(2, 1, 2)]);
        Assert.Equal(2, net.HopCount(0, 1));
        Assert.Equal(4 * Ms, net.PathLatencyTicks(0, 1));
        Assert.Equal(Evernet.Sim.Network.DropReason.None, net.Transmit(0, 1, 100, 1000, new SeededRandom(1), out long arrival));
        Assert.Equal(1000 + 4 * Ms, arrival);
    }

    [Fact]
    public void A_link_going_down_reroutes_and_a_cut_makes_nodes_unreachable()
    {
        var net = new NetworkModel(4, [L(0, 1, 1), L(1, 2, 1), L(0, 3, 5), L(3, 2, 5)]);
        Assert.Equal(2, net.HopCount(0, 2));
        Assert.Equal(2 * Ms, net.PathLatencyTicks(0, 2));
        net.SetLinkUp(1, false);
        Assert.Equal(10 * Ms, net.PathLatencyTicks(0, 2));
        net.SetLinkUp(3, false);
        Assert.False(net.IsReachable(0, 2));
        Assert.False(net.IsReachable(2, 0));
        Assert.Equal(DropReason.Unreachable, net.Transmit(0, 2, 10, 0, new SeededRandom(1), out _));
        Assert.Equal(1, net.DroppedByReason[(int)DropReason.Unreachable]);
        net.SetLinkUp(1, true);
        Assert.True(net.IsReachable(0, 2));
    }

    [Theory]
    [InlineData(1, 0.10)]
    [InlineData(3, 0.05)]
    [InlineData(6, 0.02)]
    public void Every_hop_applies_its_own_loss(int hops, double lossPerHop)
    {
        var links = new List<Link>();
        for (int i = 0; i < hops; i++) links.Add(L(i, i + 1, 1, lossPerHop));
        var net = new NetworkModel(hops + 1, links);
        var random = new SeededRandom(42);
        const int sends = 40_000;
        int delivered = 0;
        for (int i = 0; i < sends; i++)
            if (net.Transmit(0, hops, 100, 0, random, out _) == DropReason.None) delivered++;
        double expected = Math.Pow(1 - lossPerHop, hops);
        double sigma = Math.Sqrt(expected * (1 - expected) / sends);
        Assert.InRange(delivered / (double)sends, expected - 5 * sigma, expected + 5 * sigma);
        Assert.Equal(sends - delivered, net.DroppedByReason[(int)DropReason.Loss]);
    }

    [Fact]
    public void Loss_can_differ_per_direction()
    {
        var net = new NetworkModel(2, [L(0, 1, 1)]);
        net.SetLoss(0, from: 0, loss: 0.5);
        var random = new SeededRandom(7);
        int forward = 0, backward = 0;
        for (int i = 0; i < 10_000; i++)
        {
            if (net.Transmit(0, 1, 10, 0, random, out _) == DropReason.None) forward++;
            if (net.Transmit(1, 0, 10, 0, random, out _) == DropReason.None) backward++;
        }
        Assert.InRange(forward, 4700, 5300);
        Assert.Equal(10_000, backward);
    }

    [Fact]
    public void Jitter_stays_within_its_bound_and_latency_adds_up_per_hop()
    {
        var net = new NetworkModel(3, [L(0, 1, 2, jitterMs: 1), L(1, 2, 3, jitterMs: 1)]);
        var random = new SeededRandom(3);
        long min = long.MaxValue, max = 0;
        for (int i = 0; i < 5000; i++)
        {
            net.Transmit(0, 2, 10, 0, random, out long arrival);
            min = Math.Min(min, arrival);
            max = Math.Max(max, arrival);
        }
        Assert.True(min >= 5 * Ms && max < 7 * Ms, $"{min} {max}");
        Assert.True(max - min > Ms, "jitter should spread arrivals");
    }

    [Fact]
    public void Bandwidth_adds_serialization_delay_and_queues_back_to_back_datagrams()
    {
        // 8 Mbit/s: 1000 bytes take 1 ms on the wire.
        var net = new NetworkModel(2, [L(0, 1, 1, bps: 8_000_000)]);
        var random = new SeededRandom(1);
        net.Transmit(0, 1, 1000, 0, random, out long first);
        net.Transmit(0, 1, 1000, 0, random, out long second);
        Assert.Equal(2 * Ms, first);
        Assert.Equal(3 * Ms, second);
        // The other direction has its own queue.
        net.Transmit(1, 0, 1000, 0, random, out long reverse);
        Assert.Equal(2 * Ms, reverse);
    }

    [Fact]
    public void A_full_queue_drops()
    {
        var net = new NetworkModel(2, [L(0, 1, 1, bps: 80_000)]) { QueueLimitTicks = 200 * Ms };
        var random = new SeededRandom(1);
        int dropped = 0;
        for (int i = 0; i < 100; i++)
            if (net.Transmit(0, 1, 1000, 0, random, out _) == DropReason.QueueFull) dropped++;
        // 100 ms per datagram: the queue holds about 3.
        Assert.InRange(dropped, 90, 97);
    }

    [Fact]
    public void Duplication_and_reordering_happen_at_their_probabilities()
    {
        var net = new NetworkModel(2, [L(0, 1, 1)]) { DuplicateProbability = 0.1, ReorderProbability = 0.2 };
        var random = new SeededRandom(9);
        int duplicates = 0;
        for (int i = 0; i < 10_000; i++)
        {
            net.Transmit(0, 1, 10, 0, random, out _);
            if (net.TryDuplicate(random, out long extra))
            {
                duplicates++;
                Assert.InRange(extra, 1, net.ReorderMaxExtraTicks);
            }
        }
        Assert.InRange(duplicates, 850, 1150);
        Assert.InRange(net.Reordered, 1800, 2200);
    }

    [Fact]
    public void The_full_mesh_routes_directly_and_falls_back_when_the_direct_link_is_down()
    {
        var links = new List<Link>();
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++) links.Add(L(a, b, 1));
        var net = new NetworkModel(4, links, complete: true);
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                if (a != b)
                {
                    int l = net.FindLink(a, b);
                    ref readonly var link = ref net.LinkAt(l);
                    Assert.True((link.A == a && link.B == b) || (link.A == b && link.B == a));
                }
        net.SetLinkUp(net.FindLink(0, 3), false);
        Assert.Equal(DropReason.None, net.Transmit(0, 3, 10, 0, new SeededRandom(1), out long arrival));
        Assert.Equal(2 * Ms, arrival);
    }

    /// <summary>The per-pair path summary and the hop-by-hop walk draw from the same distribution.</summary>
    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(1.0, 0.5)] // jittered hops that differ: the summary path falls back to the walk
    public void Path_summaries_deliver_like_the_hop_by_hop_walk(double jitterA, double jitterB)
    {
        static NetworkModel Net(double ja, double jb, bool summaries) => new(5, [L(0, 1, 2, 0.05, ja), L(1, 2, 0.5, 0.001), L(2, 3, 3, 0.02, jb), L(3, 4, 1, 0.1, ja)])
        {
            UsePathSummaries = summaries,
        };
        (double Delivered, double MeanMs, double SdMs) Measure(NetworkModel net)
        {
            var random = new SeededRandom(11);
            var arrivals = new List<double>();
            const int sends = 60_000;
            for (int i = 0; i < sends; i++)
                if (net.Transmit(0, 4, 100, 0, random, out long at) == DropReason.None) arrivals.Add(at / (double)Ms);
            double mean = arrivals.Average();
            return (arrivals.Count / (double)sends, mean, Math.Sqrt(arrivals.Average(a => (a - mean) * (a - mean))));
        }
        var walk = Measure(Net(jitterA, jitterB, summaries: false));
        var summary = Measure(Net(jitterA, jitterB, summaries: true));
        double expected = 0.95 * 0.999 * 0.98 * 0.9;
        Assert.InRange(walk.Delivered, expected - 0.01, expected + 0.01);
        Assert.InRange(summary.Delivered, expected - 0.01, expected + 0.01);
        Assert.InRange(summary.MeanMs, walk.MeanMs - 0.02, walk.MeanMs + 0.02);
        Assert.InRange(summary.SdMs, walk.SdMs * 0.97, walk.SdMs * 1.03);
        Assert.InRange(summary.MeanMs, 6.5 + (2 * jitterA + jitterB) / 2 - 0.02, 6.5 + (2 * jitterA + jitterB) / 2 + 0.02);
    }

    [Fact]
    public void A_loss_change_reaches_paths_already_in_use()
    {
        var net = new NetworkModel(3, [L(0, 1, 1), L(1, 2, 1)]);
        var random = new SeededRandom(3);
        Assert.Equal(DropReason.None, net.Transmit(0, 2, 10, 0, random, out _));
        net.SetLoss(1, from: 1, loss: 1.0);
        Assert.Equal(DropReason.Loss, net.Transmit(0, 2, 10, 0, random, out _));
        Assert.Equal(DropReason.None, net.Transmit(2, 0, 10, 0, random, out _));
        net.SetLoss(1, from: 1, loss: 0);
        Assert.Equal(DropReason.None, net.Transmit(0, 2, 10, 0, random, out _));
    }
}
