namespace Evernet.Policy.Tests;

public sealed class PathQualityTests
{
    [Fact]
    public void Smooths_rtt_and_loss_and_declares_a_path_dead_after_consecutive_losses()
    {
        var tracker = new PathQualityTracker(new PathQualityOptions());
        var gw = Mesh.Id("gw");
        long t = Mesh.Now;
        tracker.Record(gw, t, PathSample.Reply(10));
        for (int i = 1; i <= 20; i++) tracker.Record(gw, t + i * 100, PathSample.Reply(30));
        var e = tracker.Snapshot(t + 2_000).For(gw)!;
        Assert.InRange(e.RttMs, 28, 30);
        Assert.Equal(0, e.LossRatio);
        Assert.False(e.Dead);

        tracker.Record(gw, t + 2_100, PathSample.Lost);
        tracker.Record(gw, t + 2_200, PathSample.Lost);
        Assert.False(tracker.Snapshot(t + 2_200).For(gw)!.Dead);
        tracker.Record(gw, t + 2_300, PathSample.Lost);
        var dead = tracker.Snapshot(t + 2_300).For(gw)!;
        Assert.True(dead.Dead);
        Assert.InRange(dead.LossRatio, 0.1, 0.2);

        tracker.Record(gw, t + 2_400, PathSample.Reply(30));
        Assert.False(tracker.Snapshot(t + 2_400).For(gw)!.Dead);
    }

    [Fact]
    public void Without_samples_the_estimate_goes_stale_rather_than_dead()
    {
        var options = new PathQualityOptions();
        var tracker = new PathQualityTracker(options);
        var gw = Mesh.Id("gw");
        tracker.Record(gw, Mesh.Now, PathSample.Reply(5));
        Assert.NotNull(tracker.Snapshot(Mesh.Now + options.StaleAfterMs - 1).For(gw));
        Assert.Null(tracker.Snapshot(Mesh.Now + options.StaleAfterMs).For(gw));
    }
}
