using System.Text.Json;
using Evernet.Dataplane;
using Evernet.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>Full apply against real wireguard-go tunnels: interfaces, peers, resilient group, rules, and traffic through it.</summary>
public sealed class MultipathTunnelTests(ITestOutputHelper output)
{
    [DataplaneFact]
    public async Task Apply_builds_tunnels_and_resilient_group_and_client_traffic_reaches_the_internet()
    {
        using var lab = GatewayLab.Create("mp");
        var applier = new DataplaneApplier(lab.RouterRunner());

        var result = await applier.ApplyAsync(lab.Desired(weight1: 1, weight2: 2));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(static e => e.Message)));
        output.WriteLine($"first apply: {result.Duration.TotalMilliseconds:0} ms, {result.Commands} commands, {result.Mutations} changes");
        var status = applier.Status;
        Assert.Equal(DataplaneHealth.Healthy, status.Health);
        Assert.Equal(WireGuardImplementation.WireGuardGo, status.WireGuard);
        Assert.Equal(MultipathMode.ResilientNexthopGroup, status.Multipath);

        foreach (var tunnel in lab.Tunnels)
        {
            var dump = lab.Router.Exec("wg", "show", tunnel.RouterInterface, "dump").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, dump.Length);
            var peer = dump[1].Split('\t');
            Assert.Equal(tunnel.GatewayPublicKey, peer[0]);
            Assert.Equal($"{tunnel.GatewayUnderlayAddress}:51820", peer[2]);
            Assert.Equal("0.0.0.0/0,::/0", peer[3]);
            Assert.Equal("25", peer[7]);
            Assert.Equal(tunnel.RouterPublicKey, dump[0].Split('\t')[1]);
            Assert.Equal("tun", lab.Router.ExecJson("ip", "-j", "-d", "link", "show", tunnel.RouterInterface)[0].GetProperty("linkinfo").GetProperty("info_kind").GetString());
        }

        var group = ResilientGroup(lab, IPv4);
        Assert.Equal(GatewayLab.Buckets, group.GetProperty("resilient_args").GetProperty("buckets").GetInt32());
        Assert.Equal(GatewayLab.IdleTimerSeconds, group.GetProperty("resilient_args").GetProperty("idle_timer").GetInt32());
        var weights = MemberWeightsByDevice(lab, group);
        Assert.Equal(1, weights[lab.Tunnels[0].RouterInterface]);
        Assert.Equal(2, weights[lab.Tunnels[1].RouterInterface]);

        var route = Assert.Single(lab.Router.ExecJson("ip", "-j", "route", "show", "table", "100").EnumerateArray());
        Assert.Equal(group.GetProperty("id").GetUInt32(), route.GetProperty("nhid").GetUInt32());
        Assert.Contains(
            lab.Router.ExecJson("ip", "-j", "rule", "show").EnumerateArray(),
            static r => r.GetProperty("priority").GetInt32() == GatewayLab.RulePriority
                && r.TryGetProperty("src", out var src) && src.GetString() == "10.99.0.0"
                && r.GetProperty("table").GetString() == "100");

        // IPv6 gets its own members and group (the kernel does not let IPv6 routes use IPv4 nexthops), same weights.
        var group6 = ResilientGroup(lab, IPv6);
        var weights6 = MemberWeightsByDevice(lab, group6);
        Assert.Equal(1, weights6[lab.Tunnels[0].RouterInterface]);
        Assert.Equal(2, weights6[lab.Tunnels[1].RouterInterface]);
        var route6 = Assert.Single(lab.Router.ExecJson("ip", "-6", "-j", "route", "show", "table", "100").EnumerateArray());
        Assert.Equal(group6.GetProperty("id").GetUInt32(), route6.GetProperty("nhid").GetUInt32());
        Assert.Contains(
            lab.Router.ExecJson("ip", "-6", "-j", "rule", "show").EnumerateArray(),
            static r => r.GetProperty("priority").GetInt32() == GatewayLab.RulePriority
                && r.TryGetProperty("src", out var src) && src.GetString() == "fd99::"
                && r.GetProperty("table").GetString() == "100");

        Assert.Equal(2, status.Groups.Length);
        var statusGroup = Assert.Single(status.Groups, static g => g.Family == IpFamily.V4);
        Assert.Equal(group.GetProperty("id").GetUInt32(), statusGroup.GroupId);
        Assert.Equal([1, 2], statusGroup.Members.OrderBy(static m => m.Weight).Select(static m => m.Weight));

        foreach (var tunnel in lab.Tunnels)
        {
            Assert.True(lab.PingThroughTunnel(tunnel), $"no reply from {tunnel.GatewayTunnelAddress} through {tunnel.RouterInterface}");
        }

        Assert.True(lab.PingFromClient(), "no reply from the internet address through the multipath route and gateway NAT");
    }

    internal const bool IPv4 = false;
    internal const bool IPv6 = true;

    /// <summary>The group the IPv4 (or IPv6) default route in table 100 uses.</summary>
    internal static JsonElement ResilientGroup(GatewayLab lab, bool ipv6 = IPv4)
    {
        var route = Assert.Single(lab.Router.ExecJson("ip", ipv6 ? "-6" : "-4", "-j", "route", "show", "table", "100").EnumerateArray());
        var id = route.GetProperty("nhid").GetUInt32();
        var group = Assert.Single(lab.RouterNexthops().EnumerateArray(), n => n.GetProperty("id").GetUInt32() == id);
        Assert.Equal("resilient", group.GetProperty("type").GetString());
        return group;
    }

    internal static Dictionary<string, int> MemberWeightsByDevice(GatewayLab lab, JsonElement group)
    {
        var devices = lab.RouterNexthops().EnumerateArray()
            .Where(static n => n.TryGetProperty("dev", out _))
            .ToDictionary(static n => n.GetProperty("id").GetUInt32(), static n => n.GetProperty("dev").GetString()!);
        return group.GetProperty("group").EnumerateArray().ToDictionary(
            m => devices[m.GetProperty("id").GetUInt32()],
            static m => m.TryGetProperty("weight", out var w) ? w.GetInt32() : 1);
    }
}
