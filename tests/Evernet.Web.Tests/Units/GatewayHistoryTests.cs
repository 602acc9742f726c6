using Evernet.Control.Dtos;
using Evernet.Daemon.Web;

namespace Evernet.Web.Tests.Units;

public sealed class GatewayHistoryTests
{
    private static GatewayStatus Gateway(string name, double? loss, string uplink = "up", bool usable = true) =>
        new(name, name + "-id", name[..2], uplink, loss, 12.5, 0.5, 3.1, 100, 40, 50, 4, 50, 10, false, usable ? 50 : 0, usable ? 50 : 0,
            "wg-" + name, "up", 3, 1, 0.8, [], usable, usable ? "usable" : "uplink-down", 60);

    private static GatewaysData At(long ms, params GatewayStatus[] gateways) => new(ms, gateways);

    [Fact]
    public void Keeps_one_column_per_field_oldest_first()
    {
        var history = new GatewayHistory(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        history.Record(At(1_000, Gateway("gw-a", 1.5)));
        history.Record(At(11_000, Gateway("gw-a", null, "down", usable: false)));
        var series = Assert.Single(history.Snapshot().Gateways);
        Assert.Equal([1_000L, 11_000L], series.AtUnixMs);
        Assert.Equal([1.5, null], series.UplinkLossPercent);
        Assert.Equal(["up", "down"], series.Uplink);
        Assert.Equal([true, false], series.Usable);
        Assert.Equal([50.0, 0.0], series.SharePercent);
        Assert.Equal(2, history.Version);
    }

    [Fact]
    public void Holds_only_the_window_and_at_most_its_capacity()
    {
        var history = new GatewayHistory(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        for (int i = 0; i < 100; i++) history.Record(At(i * 10_000L, Gateway("gw-a", i)));
        var series = Assert.Single(history.Snapshot().Gateways);
        Assert.Equal(7, series.AtUnixMs.Count); // 60 s window, inclusive at both ends
        Assert.Equal(990_000L, series.AtUnixMs[^1]);
        Assert.Equal(930_000L, series.AtUnixMs[0]);

        // Samples closer together than the interval are bounded by the ring, not only by the window.
        var dense = new GatewayHistory(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        for (int i = 0; i < 100; i++) dense.Record(At(i * 100L, Gateway("gw-a", i)));
        Assert.Equal(7, Assert.Single(dense.Snapshot().Gateways).AtUnixMs.Count);
    }

    [Fact]
    public void A_gateway_that_disappears_ages_out()
    {
        var history = new GatewayHistory(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        history.Record(At(0, Gateway("gw-a", 1), Gateway("gw-b", 2)));
        history.Record(At(30_000, Gateway("gw-a", 1)));
        Assert.Equal(["gw-a", "gw-b"], history.Snapshot().Gateways.Select(g => g.Name));
        history.Record(At(61_000, Gateway("gw-a", 1)));
        Assert.Equal(["gw-a"], history.Snapshot().Gateways.Select(g => g.Name));
    }

    [Fact]
    public void A_clock_that_steps_back_starts_the_series_over()
    {
        var history = new GatewayHistory(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        history.Record(At(100_000, Gateway("gw-a", 1)));
        history.Record(At(110_000, Gateway("gw-a", 2)));
        history.Record(At(50_000, Gateway("gw-a", 3)));
        var series = Assert.Single(history.Snapshot().Gateways);
        Assert.Equal([50_000L], series.AtUnixMs);
    }

    [Fact]
    public void Tracks_a_bounded_number_of_gateways()
    {
        var history = new GatewayHistory(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        history.Record(At(0, [.. Enumerable.Range(0, GatewayHistory.MaxGateways + 10).Select(i => Gateway($"gw-{i:000}", 1))]));
        Assert.Equal(GatewayHistory.MaxGateways, history.Snapshot().Gateways.Count);
    }
}
