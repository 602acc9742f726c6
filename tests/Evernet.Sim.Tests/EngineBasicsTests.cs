using Evernet.Sim.Cli;
using Evernet.Sim.Engine;
using Evernet.Sim.Metrics;
using Evernet.Sim.Time;

namespace Evernet.Sim.Tests;

public sealed class EngineBasicsTests
{
    [Fact]
    public void The_event_queue_orders_by_time_then_by_the_pushers_sequence()
    {
        var q = new EventQueue();
        var random = new Evernet.Gossip.Runtime.SeededRandom(5);
        var times = new List<long>();
        for (int i = 0; i < 2000; i++)
        {
            long t = random.Next(50);
            times.Add(t);
            q.Push(new SimEvent { Time = t, Seq = i, Node = i });
        }
        long lastTime = -1, lastSeq = -1;
        int lastNode = -1;
        while (q.Count > 0)
        {
            var e = q.Pop();
            Assert.True(e.Time > lastTime || (e.Time == lastTime && e.Seq > lastSeq));
            if (e.Time == lastTime) Assert.True(e.Node > lastNode, "same-time events come in sequence order");
            (lastTime, lastSeq, lastNode) = (e.Time, e.Seq, e.Node);
        }
    }

    [Fact]
    public void Virtual_time_providers_share_the_clock_and_apply_their_skew()
    {
        var clock = new VirtualClock();
        var a = new VirtualTimeProvider(clock);
        var b = new VirtualTimeProvider(clock, TimeSpan.FromSeconds(2));
        Assert.Equal(VirtualClock.Epoch, a.GetUtcNow());
        clock.AdvanceTo(TimeSpan.FromMinutes(3).Ticks);
        Assert.Equal(VirtualClock.Epoch.AddMinutes(3), a.GetUtcNow());
        Assert.Equal(VirtualClock.Epoch.AddMinutes(3).AddSeconds(2), b.GetUtcNow());
        Assert.Equal(TimeSpan.FromMinutes(3).Ticks, a.GetTimestamp());
        Assert.Throws<InvalidOperationException>(() => clock.AdvanceTo(0));
        Assert.Throws<NotSupportedException>(() => a.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2.5", 2_500)]
    public void Durations_parse(string text, double ms)
    {
        Assert.True(DurationParser.TryParse(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10x")]
    [InlineData("ms")]
    [InlineData("-3")]
    public void Bad_durations_are_refused(string text) => Assert.False(DurationParser.TryParse(text, out _));

    [Fact]
    public void Addresses_round_trip_and_garbage_is_refused()
    {
        Assert.Equal(17, SimNode.ParseAddress(SimNode.AddressOf(17)));
        Assert.Equal(-1, SimNode.ParseAddress("sim:"));
        Assert.Equal(-1, SimNode.ParseAddress("sim:1a"));
        Assert.Equal(-1, SimNode.ParseAddress("10.0.0.1:7946"));
        Assert.Equal(-1, SimNode.ParseAddress("sim:99999999999"));
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var d = Distribution.Of(Enumerable.Range(1, 100).Select(i => (double)i).ToList());
        Assert.Equal(50, d.P50);
        Assert.Equal(99, d.P99);
        Assert.Equal(100, d.Max);
        Assert.Equal(Distribution.Empty, Distribution.Of(Array.Empty<double>()));
    }

    [Fact]
    public void Run_arguments_parse_and_reject_mistakes()
    {
        var ok = RunArguments.Parse(["uplink-outage", "--nodes", "50", "--loss", "5%", "--seeds", "3", "--probe-interval", "100ms", "--set", "UrgentFanout=6"]);
        Assert.Null(ok.Error);
        Assert.Equal(50, ok.Config!.Topology.Nodes);
        Assert.Equal(0.05, ok.Config.Topology.MeshLoss, 10);
        var options = ok.Config.Options();
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.GatewayProbeInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(40), options.GatewayProbeTimeout);
        Assert.Equal(6, options.UrgentFanout);
        Assert.NotNull(RunArguments.Parse(["no-such-scenario"]).Error);
        Assert.NotNull(RunArguments.Parse(["churn", "--loss", "1.5"]).Error);
        Assert.NotNull(RunArguments.Parse(["churn", "--set", "Nope=1"]).Error);
        Assert.NotNull(RunArguments.Parse(["churn", "--set", "ProbeTimeout=5s"]).Error);
        Assert.NotNull(RunArguments.Parse(["churn", "--gateways", "5", "--nodes", "5"]).Error);
    }

    [Fact]
    public void Seed_derivation_is_stable_and_separates_purposes()
    {
        Assert.Equal(SeedDerivation.Derive(1, SeedDerivation.Network), SeedDerivation.Derive(1, SeedDerivation.Network));
        Assert.NotEqual(SeedDerivation.Derive(1, SeedDerivation.Network), SeedDerivation.Derive(1, SeedDerivation.Topology));
        Assert.NotEqual(SeedDerivation.Derive(1, SeedDerivation.NodeKey, 1), SeedDerivation.Derive(1, SeedDerivation.NodeKey, 2));
        Assert.NotEqual(SeedDerivation.Derive(1, SeedDerivation.NodeKey, 1), SeedDerivation.Derive(2, SeedDerivation.NodeKey, 1));
    }
}
