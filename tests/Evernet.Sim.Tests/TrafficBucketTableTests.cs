using Evernet.Sim.Traffic;

namespace Evernet.Sim.Tests;

/// <summary>The resilient nexthop group model: proportional buckets, busy buckets stay, a removed nexthop's buckets move at once.</summary>
public sealed class TrafficBucketTableTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(120);
    private const long Second = TimeSpan.TicksPerSecond;

    [Fact]
    public void Buckets_are_shared_in_proportion_to_the_weights_and_sum_to_the_group_size()
    {
        var table = new ResilientBucketTable(512, 3, Idle);
        table.SetWeights([250, 125, 625], 0);
        Assert.True(table.HasRoute);
        Assert.True(table.Balanced);
        Assert.Equal(128, table.CountOf(0));
        Assert.Equal(64, table.CountOf(1));
        Assert.Equal(320, table.CountOf(2));
        Assert.Equal(512, Enumerable.Range(0, 3).Sum(table.CountOf));
        Assert.All(Enumerable.Range(0, 512), b => Assert.InRange(table.GatewayOf(b), 0, 2));
    }

    [Fact]
    public void A_weight_change_moves_only_idle_buckets_and_a_busy_bucket_keeps_its_gateway()
    {
        var table = new ResilientBucketTable(64, 2, Idle);
        table.SetWeights([1, 1], 0);
        // Every bucket of gateway 0 carries a flow: none of them may move when gateway 0's weight drops.
        var busy = Enumerable.Range(0, 64).Where(b => table.GatewayOf(b) == 0).ToList();
        foreach (var b in busy) table.FlowStarted(b, 10 * Second);
        int moved = table.SetWeights([1, 3], 20 * Second);
        Assert.Equal(0, moved);
        Assert.False(table.Balanced);
        Assert.All(busy, b => Assert.Equal(0, table.GatewayOf(b)));

        // Flows end; the buckets stay put until they have been idle for the idle timer, then move in one upkeep pass.
        foreach (var b in busy) table.FlowEnded(b, 30 * Second);
        Assert.Equal(0, table.Upkeep(30 * Second + Idle.Ticks - 1));
        Assert.Equal(16, table.Upkeep(30 * Second + Idle.Ticks));
        Assert.True(table.Balanced);
        Assert.Equal(16, table.CountOf(0));
        Assert.Equal(48, table.CountOf(1));
    }

    [Fact]
    public void A_removed_gateway_loses_all_its_buckets_at_once_even_busy_ones_and_the_others_keep_theirs()
    {
        var table = new ResilientBucketTable(90, 3, Idle);
        table.SetWeights([1, 1, 1], 0);
        var before = Enumerable.Range(0, 90).Select(table.GatewayOf).ToArray();
        for (int b = 0; b < 90; b++) table.FlowStarted(b, Second);
        int moved = table.SetWeights([1, 0, 1], 2 * Second);
        Assert.Equal(30, moved);
        for (int b = 0; b < 90; b++)
        {
            if (before[b] == 1) Assert.NotEqual(1, table.GatewayOf(b));
            else Assert.Equal(before[b], table.GatewayOf(b));
        }
        Assert.Equal(45, table.CountOf(0));
        Assert.Equal(45, table.CountOf(2));
    }

    [Fact]
    public void Without_any_weight_there_is_no_route_and_the_buckets_are_left_alone()
    {
        var table = new ResilientBucketTable(32, 2, Idle);
        Assert.False(table.HasRoute);
        table.SetWeights([3, 1], 0);
        var before = Enumerable.Range(0, 32).Select(table.GatewayOf).ToArray();
        Assert.Equal(0, table.SetWeights([0, 0], Second));
        Assert.False(table.HasRoute);
        Assert.Equal(before, Enumerable.Range(0, 32).Select(table.GatewayOf).ToArray());
        Assert.Throws<InvalidOperationException>(() => table.FlowEnded(0, Second));
        Assert.Throws<ArgumentException>(() => table.SetWeights([1], Second));
    }
}
