namespace Evernet.Policy.Tests;

public sealed class PathQualityTests
{
    private static readonly Gossip.Identity.NodeId Gw = Mesh.Id("gw");

    [Fact]
    public void Smooths_rtt_and_loss_and_declares_a_clean_path_dead_after_a_run_of_losses_and_two_seconds_of_silence()
    {
        var options = new PathQualityOptions();
        var tracker = new PathQualityTracker(options);
        long t = Mesh.Now;
        tracker.Record(Gw, t, PathSample.Reply(10));
        for (int i = 1; i <= 20; i++) tracker.Record(Gw, t + i * 100, PathSample.Reply(30));
        var e = tracker.Snapshot(t + 2_000).For(Gw)!;
        Assert.InRange(e.RttMs, 28, 30);
        Assert.Equal(0, e.LossRatio);
        Assert.False(e.Dead);
        Assert.False(tracker.InDoubt(Gw, t + 2_000));
        Assert.Equal(1_000, tracker.NextProbeDelayMs(Gw, t + 2_000, 1_000));

        // A clean path needs the minimum run (5); the first loss puts the tracker in doubt: retry at 200 ms.
        Assert.Equal(options.DeadAfterLosses, tracker.RequiredRun(0));
        long at = t + 2_000;
        for (int i = 1; i < options.DeadAfterLosses; i++)
        {
            at += 200;
            tracker.Record(Gw, at, PathSample.Lost);
            Assert.False(tracker.Snapshot(at).For(Gw)!.Dead);
            Assert.True(tracker.InDoubt(Gw, at));
            Assert.Equal(200, tracker.NextProbeDelayMs(Gw, at, 1_000));
        }
        at += 200;
        tracker.Record(Gw, at, PathSample.Lost);
        Assert.Equal(options.DeadAfterLosses, tracker.Snapshot(at).For(Gw)!.ConsecutiveLosses);
        // The run is long enough but the last reply was only 1 s ago: a burst, not yet a dead path.
        Assert.False(tracker.Snapshot(at).For(Gw)!.Dead);
        // The silence grows without new samples: the verdict is taken again at every look.
        var dead = tracker.Snapshot(t + 2_000 + options.DeadAfterSilenceMs).For(Gw)!;
        Assert.True(dead.Dead);
        Assert.Equal(1 - Math.Pow(1 - options.LossGain, options.DeadAfterLosses), dead.LossRatio, 9);
        Assert.False(tracker.InDoubt(Gw, t + 2_000 + options.DeadAfterSilenceMs));

        tracker.Record(Gw, t + 4_500, PathSample.Reply(30));
        Assert.False(tracker.Snapshot(t + 4_500).For(Gw)!.Dead);
    }

    [Theory]
    [InlineData(0.0, 5)]
    [InlineData(0.05, 7)]
    [InlineData(0.18, 11)]
    [InlineData(0.3, 15)]
    [InlineData(0.6, 20)]
    public void The_run_a_dead_verdict_needs_grows_with_the_paths_own_loss(double loss, int expected)
    {
        var tracker = new PathQualityTracker(new PathQualityOptions());
        Assert.Equal(expected, tracker.RequiredRun(loss));
        // By construction: a live path with that loss produces such a run by chance at most once in 10^7 runs (below the cap).
        if (expected < 20) Assert.True(Math.Pow(Math.Max(loss, 1e-3), expected - 1) <= 1e-7);
    }

    [Fact]
    public void A_loss_verdict_for_a_probe_sent_before_an_answered_one_does_not_extend_the_run()
    {
        var tracker = new PathQualityTracker(new PathQualityOptions { DeadAfterLosses = 1, MaxDeadAfterLosses = 1, DeadAfterSilenceMs = 0 });
        long t = Mesh.Now;
        tracker.Record(Gw, t + 210, PathSample.Reply(10), sentUnixMs: t + 200);
        tracker.Record(Gw, t + 800, PathSample.Lost, sentUnixMs: t);
        var e = tracker.Snapshot(t + 800).For(Gw)!;
        Assert.False(e.Dead);
        Assert.Equal(0, e.ConsecutiveLosses);
        Assert.True(e.LossRatio > 0);
        tracker.Record(Gw, t + 1_300, PathSample.Lost, sentUnixMs: t + 500);
        Assert.True(tracker.Snapshot(t + 1_300).For(Gw)!.Dead);
    }

    /// <summary>
    /// The prober the daemon and the simulator run: a probe every second with a 0.8-s timeout, and while the tracker is
    /// in doubt a retry every <see cref="PathQualityOptions.RetryIntervalMs"/> (overlapping). Probes are lost
    /// independently with <paramref name="loss"/>, or all of them once the path dies at <paramref name="dieAtMs"/>.
    /// Returns when the path was first seen dead (ms after start; -1 never) and how many probes were sent.
    /// </summary>
    private static (long DeadAtMs, int Probes) Probe(double loss, long durationMs, long dieAtMs, ulong seed, PathQualityOptions options)
    {
        var tracker = new PathQualityTracker(options);
        var random = new Random((int)seed);
        var verdicts = new PriorityQueue<(long SentMs, bool Delivered, double RttMs), long>();
        long nextRegular = 0, nextRetry = long.MaxValue;
        int probes = 0;
        for (long now = 0; now <= durationMs; now += 10)
        {
            while (verdicts.TryPeek(out var v, out long at) && at <= now)
            {
                verdicts.Dequeue();
                tracker.Record(Gw, Mesh.Now + at, v.Delivered ? PathSample.Reply(v.RttMs) : PathSample.Lost, Mesh.Now + v.SentMs);
                if (!v.Delivered && nextRetry == long.MaxValue && tracker.NextProbeDelayMs(Gw, Mesh.Now + at, 1_000) is var d && d < 1_000)
                    nextRetry = at + d;
            }
            if (tracker.Snapshot(Mesh.Now + now).For(Gw) is { Dead: true }) return (now, probes);
            bool retry = now >= nextRetry;
            if (retry) nextRetry = tracker.NextProbeDelayMs(Gw, Mesh.Now + now, 1_000) is var delay && delay < 1_000 ? now + delay : long.MaxValue;
            if (now < nextRegular && !retry) continue;
            if (now >= nextRegular) nextRegular += 1_000;
            probes++;
            bool delivered = now < dieAtMs && random.NextDouble() >= loss;
            double rtt = 20 + 10 * random.NextDouble();
            verdicts.Enqueue((now, delivered, rtt), delivered ? now + (long)rtt : now + 800);
        }
        return (-1, probes);
    }

    [Fact]
    public void A_live_path_losing_a_fifth_of_its_round_trips_is_never_called_dead()
    {
        // 20 % round-trip loss is worse than the 5.4-hop average path at 2 %/hop (~20 %); 10 simulated hours.
        for (ulong seed = 1; seed <= 10; seed++)
        {
            var (deadAt, probes) = Probe(0.2, 3_600_000, long.MaxValue, seed, new PathQualityOptions());
            Assert.True(deadAt < 0, $"seed {seed}: a live path was called dead at {deadAt} ms");
            Assert.InRange(probes, 3_600, 3_600 * 1.4); // retries cost about a third more probes, not a multiple
        }
    }

    [Fact]
    public void The_old_rule_three_losses_in_a_row_calls_such_a_path_dead_within_minutes()
    {
        var old = new PathQualityOptions { DeadAfterLosses = 3, MaxDeadAfterLosses = 3, DeadAfterSilenceMs = 0, RetryIntervalMs = 0 };
        Assert.InRange(Probe(0.2, 3_600_000, long.MaxValue, 1, old).DeadAtMs, 0, 1_800_000);
    }

    [Theory]
    [InlineData(0.0, 3_500)]
    [InlineData(0.2, 7_000)]
    public void A_dead_path_is_detected_within_a_few_seconds(double lossBefore, long worstMs)
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            long dieAt = 120_000 + (long)(seed * 37 % 1000);
            var (deadAt, _) = Probe(lossBefore, 200_000, dieAt, seed, new PathQualityOptions());
            Assert.True(deadAt >= dieAt, $"seed {seed}: dead at {deadAt} before the path died at {dieAt}");
            Assert.InRange(deadAt - dieAt, 1_000, worstMs);
        }
    }

    [Fact]
    public void Without_samples_the_estimate_goes_stale_rather_than_dead()
    {
        var options = new PathQualityOptions();
        var tracker = new PathQualityTracker(options);
        tracker.Record(Gw, Mesh.Now, PathSample.Reply(5));
        Assert.NotNull(tracker.Snapshot(Mesh.Now + options.StaleAfterMs - 1).For(Gw));
        Assert.Null(tracker.Snapshot(Mesh.Now + options.StaleAfterMs).For(Gw));
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.NotEmpty(new PathQualityOptions { MaxDeadAfterLosses = 2, DeadAfterLosses = 3 }.Validate());
        Assert.NotEmpty(new PathQualityOptions { FalseDeadProbability = 0 }.Validate());
        Assert.NotEmpty(new PathQualityOptions { RetryIntervalMs = 5 }.Validate());
        Assert.NotEmpty(new PathQualityOptions { DeadAfterSilenceMs = -1 }.Validate());
        Assert.Empty(new PathQualityOptions().Validate());
    }
}
