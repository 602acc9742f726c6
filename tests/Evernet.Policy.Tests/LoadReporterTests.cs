using Evernet.Gossip.Records;

namespace Evernet.Policy.Tests;

public sealed class LoadReporterTests
{
    private const ulong Mbps = 1_000_000;

    private static LoadReporterOptions Options(int counterBits = 64, int smoothing = 0) => new()
    {
        CapacityDownBps = 100 * Mbps,
        CapacityUpBps = 40 * Mbps,
        CounterBits = counterBits,
        RateSmoothingMs = smoothing,
    };

    private static ulong Bytes(double mbps, double seconds) => (ulong)(mbps * Mbps / 8 * seconds);

    [Fact]
    public void Rate_is_the_counter_delta_over_time()
    {
        var r = new LoadReporter(Options());
        long t = Mesh.Now;
        r.RecordCounters(new(t, 1_000, 2_000));
        r.RecordCounters(new(t + 1000, 1_000 + Bytes(30, 1), 2_000 + Bytes(5, 1)));
        Assert.Equal(30 * Mbps, r.Current.LoadDownBps);
        Assert.Equal(5 * Mbps, r.Current.LoadUpBps);
    }

    [Fact]
    public void A_32_bit_counter_wrap_is_a_small_delta_not_a_negative_one()
    {
        var r = new LoadReporter(Options(counterBits: 32));
        long t = Mesh.Now;
        ulong nearTop = uint.MaxValue - Bytes(10, 0.5);
        r.RecordCounters(new(t, nearTop, 0));
        r.RecordCounters(new(t + 1000, Bytes(10, 0.5) + 1, Bytes(1, 1)));   // wrapped past 2^32 in between
        Assert.InRange((double)r.Current.LoadDownBps, 9.9 * Mbps, 10.1 * Mbps);   // half a second of 10 Mbit/s each side of the wrap
        Assert.Equal(0, r.DiscardedSamples);
    }

    [Fact]
    public void A_64_bit_counter_going_backwards_is_a_reset_and_is_discarded()
    {
        var r = new LoadReporter(Options());
        long t = Mesh.Now;
        r.RecordCounters(new(t, 5_000_000_000, 0));
        r.RecordCounters(new(t + 1000, 5_000_000_000 + Bytes(40, 1), Bytes(2, 1)));
        r.RecordCounters(new(t + 2000, 1_000, 10));                          // interface re-created
        Assert.Equal(40 * Mbps, r.Current.LoadDownBps);                     // old rate kept
        r.RecordCounters(new(t + 3000, 1_000 + Bytes(50, 1), 10 + Bytes(2, 1)));
        Assert.Equal(50 * Mbps, r.Current.LoadDownBps);                     // measuring again from the new base
        Assert.Equal(1, r.DiscardedSamples);
    }

    [Fact]
    public void A_32_bit_reset_that_looks_like_a_huge_wrap_is_discarded()
    {
        var r = new LoadReporter(Options(counterBits: 32));
        long t = Mesh.Now;
        r.RecordCounters(new(t, 3_000_000_000, 0));
        r.RecordCounters(new(t + 1000, 100, 0));   // "wrap" of ~1.3 GB in one second = 10 Gbit/s on a 100 Mbit/s line
        Assert.Equal(1, r.DiscardedSamples);
        Assert.Equal(0UL, r.Current.LoadDownBps);
    }

    [Fact]
    public void Smoothing_follows_a_step_gradually()
    {
        var r = new LoadReporter(Options(smoothing: 2_000));
        long t = Mesh.Now;
        ulong rx = 0;
        r.RecordCounters(new(t, rx, 0));
        r.RecordCounters(new(t + 1000, rx += Bytes(10, 1), 0));
        Assert.Equal(10 * Mbps, r.Current.LoadDownBps);
        r.RecordCounters(new(t + 2000, rx += Bytes(50, 1), 0));
        Assert.InRange((double)r.Current.LoadDownBps, 20 * Mbps, 40 * Mbps);
        for (int i = 3; i < 20; i++) r.RecordCounters(new(t + i * 1000, rx += Bytes(50, 1), 0));
        Assert.InRange((double)r.Current.LoadDownBps, 49.9 * Mbps, 50.1 * Mbps);
    }

    [Fact]
    public void Re_signs_on_the_steady_interval_and_on_significant_change_but_not_on_every_sample()
    {
        var options = Options();
        var p = new GatewayHealthPublisher(new GatewayHealthOptions
        {
            Uplink = new UplinkMonitorOptions { Targets = ["icmp:192.0.2.1"] },
            Load = options,
        }, Mesh.Now);
        long t = Mesh.Now;
        ulong rx = 0;
        var published = new List<(long At, GatewayPublication Pub)>();
        // 60 s of samples every 250 ms at a steady 30 Mbit/s with ±2 % noise, then a jump to 60 Mbit/s at 60 s.
        for (long at = t; at < t + 90_000; at += 250)
        {
            double mbps = (at < t + 60_000 ? 30 : 60) * (1 + 0.02 * Math.Sin(at / 250.0));
            p.RecordProbe("icmp:192.0.2.1", at, ProbeResult.Ok(TimeSpan.FromMilliseconds(10)));
            p.RecordCounters(new(at, rx += Bytes(mbps, 0.25), 0));
            p.RecordFlows(400, 20);
            if (p.Poll(at) is { } pub) published.Add((at, pub));
        }
        var routine = published.Where(x => !x.Pub.Urgent).ToList();
        // Steady part (after the start-up publications): one re-sign per 5 s, never per sample.
        var steady = routine.Where(x => x.At > t + 10_000 && x.At < t + 60_000).ToList();
        Assert.InRange(steady.Count, 9, 11);
        Assert.All(steady.Zip(steady.Skip(1)), pair => Assert.InRange(pair.Second.At - pair.First.At, 4_750, 5_250));
        Assert.All(steady, x => Assert.Equal(nameof(LoadPublishReason.SteadyInterval), x.Pub.Reason));
        // The jump (30 % of capacity) is published within a second, ahead of the steady interval.
        var jump = routine.First(x => x.At >= t + 60_000);
        Assert.Equal(nameof(LoadPublishReason.SignificantLoadChange), jump.Pub.Reason);
        Assert.InRange(jump.At - (t + 60_000), 0, 1_250);
        Assert.InRange((double)jump.Pub.Report.LoadDownBps, 50 * Mbps, 65 * Mbps);
        // Two urgent ones: the initial Down and the Up.
        Assert.Equal([UplinkState.Down, UplinkState.Up], published.Where(x => x.Pub.Urgent).Select(x => x.Pub.Report.Uplink));
        Assert.All(published, x => Assert.Equal(400u, x.Pub.Report.ActiveFlows));
    }

    [Fact]
    public void Min_interval_holds_back_load_changes_but_not_drain()
    {
        var p = new GatewayHealthPublisher(new GatewayHealthOptions
        {
            Uplink = new UplinkMonitorOptions { Targets = ["icmp:192.0.2.1"] },
            Load = Options(),
        }, Mesh.Now);
        long t = Mesh.Now;
        Assert.NotNull(p.Poll(t));
        p.RecordCounters(new(t, 0, 0));
        p.RecordCounters(new(t + 100, Bytes(80, 0.1), 0));
        Assert.Null(p.Poll(t + 100));                           // big change, but within MinIntervalMs
        p.SetDraining(true);
        var drain = p.Poll(t + 150);
        Assert.NotNull(drain);
        Assert.True(drain.Urgent);
        Assert.True(drain.Report.Draining);
        Assert.Null(p.Poll(t + 200));
        Assert.Equal(LoadPublishReason.None, p.Load.Due(t + 200));
    }

    [Fact]
    public void Capacity_changes_are_published()
    {
        var r = new LoadReporter(Options());
        r.MarkPublished(Mesh.Now, r.Current);
        r.SetCapacity(50 * Mbps, 10 * Mbps);
        Assert.Equal(LoadPublishReason.CapacityChanged, r.Due(Mesh.Now + 1_000));
    }

    [Fact]
    public void Flow_changes_count_only_when_large()
    {
        var r = new LoadReporter(Options());
        r.RecordFlows(1000, 5);
        r.MarkPublished(Mesh.Now, r.Current);
        r.RecordFlows(1100, 5);
        Assert.Equal(LoadPublishReason.None, r.Due(Mesh.Now + 1_000));
        r.RecordFlows(1400, 5);
        Assert.Equal(LoadPublishReason.FlowsChanged, r.Due(Mesh.Now + 1_000));
        r.RecordFlows(1000, 6);
        Assert.Equal(LoadPublishReason.ClientsChanged, r.Due(Mesh.Now + 1_000));
    }
}
