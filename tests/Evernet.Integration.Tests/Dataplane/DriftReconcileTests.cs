using System.Globalization;
using Evernet.Dataplane;
using Xunit.Abstractions;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>Someone removes installed pieces by hand; the next reconcile puts exactly those back.</summary>
public sealed class DriftReconcileTests(ITestOutputHelper output)
{
    [DataplaneFact]
    public async Task Reconcile_restores_deleted_route_rule_nexthop_peer_address_and_interface()
    {
        using var lab = GatewayLab.Create("dr");
        var applier = new DataplaneApplier(lab.RouterRunner());
        Assert.True((await applier.ApplyAsync(lab.Desired(1, 3))).Succeeded);
        var groupId = MultipathTunnelTests.ResilientGroup(lab).GetProperty("id").GetUInt32();
        var memberOfB = lab.Router.ExecJson("ip", "-4", "-j", "nexthop", "show").EnumerateArray()
            .Single(n => n.TryGetProperty("dev", out var d) && d.GetString() == lab.Tunnels[1].RouterInterface)
            .GetProperty("id").GetUInt32();
        var tunnelA = lab.Tunnels[0];

        lab.Router.Exec("ip", "route", "del", "default", "table", "100");
        lab.Router.Exec("ip", "rule", "del", "priority", "1000");
        lab.Router.Exec("ip", "nexthop", "del", "id", memberOfB.ToString(CultureInfo.InvariantCulture));
        lab.Router.Exec("wg", "set", tunnelA.RouterInterface, "peer", tunnelA.GatewayPublicKey, "remove");
        lab.Router.Exec("ip", "addr", "del", tunnelA.RouterTunnelAddress + "/24", "dev", tunnelA.RouterInterface);
        Assert.False(lab.PingFromClient(deadlineSeconds: 1), "traffic still flows although route and rule are gone");

        var result = await applier.ReconcileAsync();
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(static e => e.Message)));
        output.WriteLine($"repair: {result.Duration.TotalMilliseconds:0} ms, {result.Mutations} changes");

        var group = MultipathTunnelTests.ResilientGroup(lab);
        Assert.Equal(groupId, group.GetProperty("id").GetUInt32());
        var weights = MultipathTunnelTests.MemberWeightsByDevice(lab, group);
        Assert.Equal(1, weights[tunnelA.RouterInterface]);
        Assert.Equal(3, weights[lab.Tunnels[1].RouterInterface]);
        Assert.Equal(groupId, Assert.Single(lab.Router.ExecJson("ip", "-j", "route", "show", "table", "100").EnumerateArray()).GetProperty("nhid").GetUInt32());
        Assert.Contains(lab.Router.ExecJson("ip", "-j", "rule", "show").EnumerateArray(), static r => r.GetProperty("priority").GetInt32() == 1000);
        Assert.Contains(tunnelA.GatewayPublicKey, lab.Router.Exec("wg", "show", tunnelA.RouterInterface, "peers").StandardOutput);
        Assert.Contains(tunnelA.RouterTunnelAddress + "/24", lab.Router.Exec("ip", "-o", "addr", "show", "dev", tunnelA.RouterInterface).StandardOutput);
        Assert.True(lab.PingFromClient(), "no traffic after reconcile");
        Assert.True(lab.PingThroughTunnel(tunnelA), "tunnel A does not work after its peer was restored");

        // A whole interface disappears (wireguard-go exits with it): it comes back with its peer, and the group with it.
        lab.Router.Exec("ip", "link", "del", lab.Tunnels[1].RouterInterface);
        result = await applier.ReconcileAsync();
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(static e => e.Message)));
        weights = MultipathTunnelTests.MemberWeightsByDevice(lab, MultipathTunnelTests.ResilientGroup(lab));
        Assert.Equal(3, weights[lab.Tunnels[1].RouterInterface]);
        Assert.True(lab.PingThroughTunnel(lab.Tunnels[1]), "re-created tunnel B does not work");

        var quiet = await applier.ReconcileAsync();
        Assert.Equal(0, quiet.Mutations);

        // Things added by hand to evernet's interfaces are removed: a stranger peer and an extra address.
        const string strangerKey = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
        lab.Router.Exec("wg", "set", tunnelA.RouterInterface, "peer", strangerKey, "allowed-ips", "10.250.0.0/24");
        lab.Router.Exec("ip", "addr", "add", "10.250.1.1/24", "dev", tunnelA.RouterInterface);
        Assert.True((await applier.ReconcileAsync()).Succeeded);
        Assert.DoesNotContain(strangerKey, lab.Router.Exec("wg", "show", tunnelA.RouterInterface, "peers").StandardOutput);
        Assert.DoesNotContain("10.250.1.1", lab.Router.Exec("ip", "-o", "addr", "show", "dev", tunnelA.RouterInterface).StandardOutput);

        // A gateway no longer wanted: its interface goes (wireguard-go with it) and the group shrinks.
        var onlyA = lab.Desired(1, 3) with
        {
            Interfaces = [lab.RouterInterface(tunnelA)],
            DefaultRoute = lab.Desired().DefaultRoute! with { Nexthops = [lab.Nexthop(tunnelA, 1)] },
        };
        var shrink = await applier.ApplyAsync(onlyA);
        Assert.True(shrink.Succeeded, string.Join("; ", shrink.Errors.Select(static e => e.Message)));
        Assert.NotEqual(0, lab.Router.TryExec("ip", "link", "show", "dev", lab.Tunnels[1].RouterInterface).ExitCode);
        Assert.Equal([tunnelA.RouterInterface], MultipathTunnelTests.MemberWeightsByDevice(lab, MultipathTunnelTests.ResilientGroup(lab)).Keys);
        Assert.True(lab.PingFromClient(), "no traffic over the remaining gateway");
        Assert.Equal(0, (await applier.ReconcileAsync()).Mutations);
    }
}
