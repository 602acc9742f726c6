using System.Globalization;
using System.Text.Json;
using Evernet.Dataplane;
using Xunit.Abstractions;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>A weight change replaces the resilient group in place: same group id and route, active buckets keep their nexthop.</summary>
public sealed class WeightChangeTests(ITestOutputHelper output)
{
    [DataplaneFact]
    public async Task Weight_change_updates_the_group_in_place_and_keeps_the_active_flow_on_its_gateway()
    {
        using var lab = GatewayLab.Create("wc");
        var applier = new DataplaneApplier(lab.RouterRunner());
        Assert.True((await applier.ApplyAsync(lab.Desired(1, 1))).Succeeded);
        var group = MultipathTunnelTests.ResilientGroup(lab);
        var groupId = group.GetProperty("id").GetUInt32();

        // Let the fresh buckets age so the one our flow touches stands out by its idle time.
        await Task.Delay(1200);
        Assert.True(lab.PingFromClient(), "no reply before the weight change");
        var before = Buckets(lab, groupId);
        var active = before.Where(static b => b.IdleSeconds < 0.5).ToArray();
        Assert.NotEmpty(active);
        var activeNexthop = active[0].NexthopId;
        var devices = Devices(lab);
        var activeDevice = devices[activeNexthop];
        output.WriteLine($"active buckets {string.Join(",", active.Select(static b => b.Index))} on {activeDevice}");

        // Starve the active flow's gateway: 1 of 16 shares, i.e. 2 of 32 buckets.
        var weight1 = activeDevice == lab.Tunnels[0].RouterInterface ? 1 : 15;
        var result = await applier.ApplyAsync(lab.Desired(weight1, 16 - weight1));
        Assert.True(result.Succeeded);
        output.WriteLine($"weight change apply: {result.Duration.TotalMilliseconds:0.0} ms, {result.Commands} commands, {result.Mutations} changes");
        Assert.Equal(2, result.Mutations); // one group replace per family (IPv4 and IPv6)

        var updated = MultipathTunnelTests.ResilientGroup(lab);
        Assert.Equal(groupId, updated.GetProperty("id").GetUInt32());
        var weights = MultipathTunnelTests.MemberWeightsByDevice(lab, updated);
        Assert.Equal(weight1, weights[lab.Tunnels[0].RouterInterface]);
        Assert.Equal(16 - weight1, weights[lab.Tunnels[1].RouterInterface]);
        var route = Assert.Single(lab.Router.ExecJson("ip", "-j", "route", "show", "table", "100").EnumerateArray());
        Assert.Equal(groupId, route.GetProperty("nhid").GetUInt32());

        var after = Buckets(lab, groupId).ToDictionary(static b => b.Index);
        foreach (var bucket in active)
        {
            Assert.Equal(bucket.NexthopId, after[bucket.Index].NexthopId);
        }

        // Idle buckets did move: the starved gateway holds only its share (or the active buckets, if more).
        var activeOnStarved = active.Count(b => b.NexthopId == activeNexthop);
        Assert.Equal(Math.Max(2, activeOnStarved), after.Values.Count(b => b.NexthopId == activeNexthop));
        Assert.Equal(
            [weight1, 16 - weight1],
            applier.Status.Groups.Single(static g => g.Family == IpFamily.V4).Members.OrderBy(m => m.Interface == lab.Tunnels[0].RouterInterface ? 0 : 1).Select(static m => m.Weight));
        Assert.True(lab.PingFromClient(), "no reply after the weight change");
    }

    private static Bucket[] Buckets(GatewayLab lab, uint groupId) =>
        [.. lab.Router.ExecJson("ip", "-j", "nexthop", "bucket", "show", "id", groupId.ToString(CultureInfo.InvariantCulture))
            .EnumerateArray()
            .Select(static e => e.GetProperty("bucket"))
            .Select(static b => new Bucket(b.GetProperty("index").GetInt32(), b.GetProperty("nhid").GetUInt32(), b.GetProperty("idle_time").GetDouble()))];

    private static Dictionary<uint, string> Devices(GatewayLab lab) =>
        lab.RouterNexthops().EnumerateArray()
            .Where(static n => n.TryGetProperty("dev", out _))
            .ToDictionary(static n => n.GetProperty("id").GetUInt32(), static n => n.GetProperty("dev").GetString()!);

    private sealed record Bucket(int Index, uint NexthopId, double IdleSeconds);
}
