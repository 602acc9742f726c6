using Evernet.Gossip.Records;

namespace Evernet.Policy.Tests;

public sealed class UplinkTests
{
    private static readonly string[] Targets = ["icmp:1.1.1.1", "icmp:9.9.9.9", "dns:[2620:fe::fe]:53"];

    private static GatewayHealthOptions Options(int quorum = 0) => new()
    {
        Uplink = new UplinkMonitorOptions { Targets = [.. Targets], Quorum = quorum },
        Load = new LoadReporterOptions { CapacityDownBps = 100_000_000, CapacityUpBps = 40_000_000 },
    };

    /// <summary>
    /// Drives a publisher the way the daemon does: each target probed every interval (targets phase-shifted), a success
    /// reported after its RTT, a failure after the timeout; Poll after every result. Returns every publication.
    /// </summary>
    private static List<(long At, GatewayPublication Pub)> Run(
        GatewayHealthPublisher publisher, long from, long to, Func<int, long, bool> answers, Func<int, long, double>? rttMs = null)
    {
        var options = Options().Uplink;
        var events = new PriorityQueue<(int Target, ProbeResult Result), long>();
        for (int t = 0; t < Targets.Length; t++)
        {
            for (long sent = from + t * 67; sent < to; sent += options.ProbeIntervalMs)
            {
                if (answers(t, sent))
                {
                    double rtt = rttMs?.Invoke(t, sent) ?? 12;
                    events.Enqueue((t, ProbeResult.Ok(TimeSpan.FromMilliseconds(rtt))), sent + (long)rtt);
                }
                else events.Enqueue((t, ProbeResult.Failed("timeout")), sent + options.ProbeTimeoutMs);
            }
        }
        var publications = new List<(long, GatewayPublication)>();
        while (events.TryDequeue(out var e, out long at))
        {
            if (at >= to) break;
            Assert.True(publisher.RecordProbe(Targets[e.Target], at, e.Result));
            if (publisher.Poll(at) is { } pub) publications.Add((at, pub));
        }
        return publications;
    }

    private static GatewayHealthPublisher StartedUp(long start)
    {
        var p = new GatewayHealthPublisher(Options(), start);
        Run(p, start, start + 5_000, (_, _) => true);
        Assert.Equal(UplinkState.Up, p.Uplink.State);
        return p;
    }

    [Fact]
    public void Starts_down_and_comes_up_after_the_startup_hold()
    {
        long start = Mesh.Now;
        var p = new GatewayHealthPublisher(Options(), start);
        var pubs = Run(p, start, start + 5_000, (_, _) => true);
        Assert.Equal(UplinkState.Down, pubs[0].Pub.Report.Uplink);
        Assert.True(pubs[0].Pub.Urgent);
        var up = pubs.Single(x => x.Pub.Transition?.To == UplinkState.Up);
        Assert.True(up.Pub.Urgent);
        Assert.InRange(up.At - start, 2_000, 2_400);
    }

    [Fact]
    public void Total_outage_is_detected_well_under_a_second_and_published_urgently()
    {
        long start = Mesh.Now;
        var p = StartedUp(start);
        long outage = start + 5_000 + 37;
        var pubs = Run(p, start + 5_000, start + 8_000, (_, sent) => sent < outage);
        // Straight to Down: no Degraded summary a probe earlier.
        var down = Assert.Single(pubs, x => x.Pub.Transition is not null);
        Assert.Equal(UplinkState.Down, down.Pub.Transition!.To);
        Assert.True(down.Pub.Urgent);
        Assert.Equal(UplinkState.Down, down.Pub.Report.Uplink);
        // 3 misses at 200 ms with a 250 ms timeout: the third miss of the second-fastest target lands 650..850 ms after the line died.
        Assert.InRange(down.At - outage, 600, 900);
    }

    [Fact]
    public void One_dead_target_is_not_an_outage()
    {
        long start = Mesh.Now;
        var p = StartedUp(start);
        var pubs = Run(p, start + 5_000, start + 60_000, (target, _) => target != 1);
        Assert.DoesNotContain(pubs, x => x.Pub.Transition is not null);
        Assert.Equal(UplinkState.Up, p.Uplink.State);
        var health = p.Monitor.Health(start + 60_000);
        Assert.Equal(TargetVerdict.Down, health[1].Verdict);
        Assert.Equal(1000, health[1].Stats.LossPermille);
    }

    [Fact]
    public void Two_dead_targets_of_three_are_a_quorum()
    {
        long start = Mesh.Now;
        var p = StartedUp(start);
        Run(p, start + 5_000, start + 7_000, (target, _) => target == 0);
        Assert.Equal(UplinkState.Down, p.Uplink.State);
    }

    [Fact]
    public void Quorum_of_one_goes_down_on_any_dead_target()
    {
        long start = Mesh.Now;
        var options = Options(quorum: 1);
        var p = new GatewayHealthPublisher(options, start);
        // With k=1 a single recovered target brings the uplink up, but a single dead one also takes it down.
        Run(p, start, start + 5_000, (_, _) => true);
        Assert.Equal(UplinkState.Up, p.Uplink.State);
        Run(p, start + 5_000, start + 7_000, (target, _) => target != 2);
        Assert.Equal(UplinkState.Down, p.Uplink.State);
    }

    [Fact]
    public void Coming_back_needs_ten_seconds_of_unbroken_success_and_a_miss_restarts_the_clock()
    {
        long start = Mesh.Now;
        var p = StartedUp(start);
        long outage = start + 5_000, back = start + 8_000, blip = start + 14_000;
        // Line dies, returns at `back`, drops one probe round at `blip`, then is stable.
        bool Answers(int target, long sent) => sent < outage || (sent >= back && !(sent >= blip && sent < blip + 200));
        var pubs = Run(p, start + 5_000, start + 40_000, Answers);
        var transitions = pubs.Where(x => x.Pub.Transition is not null).Select(x => (x.At, x.Pub.Transition!.To)).ToList();
        Assert.True(transitions.Count == 2, string.Join(", ", transitions.Select(t => $"{t.To}@{t.At - start}")));
        Assert.Equal(UplinkState.Down, transitions[0].To);
        Assert.Equal(UplinkState.Up, transitions[1].To);
        // Without the blip it would be up at back + 10 s; the blip restarted the clock: up about 10 s after the blip.
        Assert.InRange(transitions[1].At - (blip + 200), 9_800, 10_600);
    }

    [Fact]
    public void Loss_on_a_quorum_degrades_and_recovery_is_hysteretic()
    {
        long start = Mesh.Now;
        var p = StartedUp(start);
        long lossy = start + 5_000, clean = start + 25_000;
        // Every 8th probe lost on two targets (12.5 % loss > 5 %) but never 3 in a row: degraded, not down.
        bool Answers(int target, long sent) => !(target < 2 && sent >= lossy && sent < clean && sent / 200 % 8 == 0);
        var pubs = Run(p, start + 5_000, start + 60_000, Answers);
        var transitions = pubs.Where(x => x.Pub.Transition is not null).Select(x => (x.At, x.Pub.Transition!.To, x.Pub.Urgent)).ToList();
        Assert.Equal([UplinkState.Degraded, UplinkState.Up], transitions.Select(t => t.To));
        Assert.All(transitions, t => Assert.True(t.Urgent));
        // Up only after the 10 s loss window has emptied and a further 10 s of clean Up votes.
        Assert.True(transitions[1].At - clean >= 10_000);
    }

    [Fact]
    public void High_rtt_on_a_quorum_degrades()
    {
        long start = Mesh.Now;
        var p = StartedUp(start);
        Run(p, start + 5_000, start + 20_000, (_, _) => true, (target, _) => target == 2 ? 12 : 180);
        Assert.Equal(UplinkState.Degraded, p.Uplink.State);
    }

    [Fact]
    public void A_target_that_falls_silent_votes_down()
    {
        long start = Mesh.Now;
        var options = Options().Uplink;
        var monitor = new UplinkMonitor(options);
        monitor.Record(Targets[0], start, ProbeResult.Ok(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(TargetVerdict.Up, monitor.Health(start + 100)[0].Verdict);
        Assert.Equal(TargetVerdict.Down, monitor.Health(start + options.StaleAfterMs)[0].Verdict);
        Assert.Equal(TargetVerdict.Unknown, monitor.Health(start)[1].Verdict);
    }

    [Fact]
    public void Monitor_computes_loss_rtt_and_jitter_over_a_bounded_window()
    {
        var options = new UplinkMonitorOptions { Targets = ["icmp:192.0.2.1"], WindowSize = 4, WindowMs = 10_000, MinSamplesForDegraded = 2 };
        var monitor = new UplinkMonitor(options);
        long t = Mesh.Now;
        monitor.Record("icmp:192.0.2.1", t, ProbeResult.Failed("timeout"));        // falls out by count
        monitor.Record("icmp:192.0.2.1", t + 1, ProbeResult.Ok(TimeSpan.FromMilliseconds(10)));
        monitor.Record("icmp:192.0.2.1", t + 2, ProbeResult.Ok(TimeSpan.FromMilliseconds(30)));
        monitor.Record("icmp:192.0.2.1", t + 3, ProbeResult.Failed("timeout"));
        monitor.Record("icmp:192.0.2.1", t + 4, ProbeResult.Ok(TimeSpan.FromMilliseconds(20)));
        var stats = monitor.Stats(t + 5)[0];
        Assert.Equal(250, stats.LossPermille);           // 1 of 4
        Assert.Equal(20_000u, stats.RttMicros);           // mean of 10, 30, 20
        Assert.Equal(15_000u, stats.JitterMicros);        // mean of |30-10|, |20-30|
        // By age: 10 s later everything has left the window.
        Assert.Equal(0, monitor.Health(t + 10_004).Single().Samples);
        Assert.False(monitor.Record("icmp:203.0.113.9", t, ProbeResult.Ok(TimeSpan.Zero)));
        Assert.Equal(1, monitor.UnknownTargetResults);
    }

    [Theory]
    [InlineData("icmp:1.1.1.1", ProbeKind.Icmp, "1.1.1.1", null)]
    [InlineData("dns:9.9.9.9", ProbeKind.Dns, "9.9.9.9", 53)]
    [InlineData("dns:[2620:fe::fe]:5353", ProbeKind.Dns, "2620:fe::fe", 5353)]
    [InlineData("tcp:example.net:443", ProbeKind.Tcp, "example.net", 443)]
    [InlineData("icmp:2001:db8::1", ProbeKind.Icmp, "2001:db8::1", null)]
    [InlineData("http://example.net/generate_204", ProbeKind.Http, "http://example.net/generate_204", 80)]
    public void Probe_targets_parse(string spec, ProbeKind kind, string address, int? port)
    {
        Assert.True(ProbeTarget.TryParse(spec, out var target, out var error), error);
        Assert.Equal(new ProbeTarget(spec, kind, address, port), target);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.1.1.1")]
    [InlineData("ping:1.1.1.1")]
    [InlineData("tcp:1.1.1.1")]
    [InlineData("icmp:1.1.1.1:80")]
    [InlineData("tcp:1.1.1.1:99999")]
    [InlineData("dns:[zz::1]:53")]
    public void Bad_probe_targets_are_refused_with_a_reason(string spec)
    {
        Assert.False(ProbeTarget.TryParse(spec, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
