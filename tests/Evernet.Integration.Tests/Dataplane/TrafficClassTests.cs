using System.Globalization;
using Evernet.Dataplane;
using Evernet.Policy;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>A traffic class marked by nftables leaves through its own table's gateway, other traffic through the default route.</summary>
public sealed class TrafficClassTests
{
    [DataplaneFact]
    public async Task Dscp_marked_traffic_takes_the_class_gateway_and_the_rest_the_default_route()
    {
        using var lab = GatewayLab.Create("tc");
        var (tunnelA, tunnelB) = (lab.Tunnels[0], lab.Tunnels[1]);

        // Default route only via A (weight 0 leaves B out); expedited-forwarding ICMP pinned to B.
        var expedited = new ClassRouteSpec("expedited", TrafficStrategy.Pinned, 0x20, 120, 900, new TrafficMatch("icmp", [], [46]), [lab.Nexthop(tunnelB, 1)]);
        var desired = lab.Desired(1, 0, [expedited]);
        var result = await new DataplaneApplier(lab.RouterRunner()).ApplyAsync(desired);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(static e => e.Message)));
        Assert.Contains("fwmark 0x20 lookup 120", lab.Router.Exec("ip", "rule", "show").StandardOutput);

        var before = TransmittedBytes(lab, tunnelB);
        Assert.True(lab.PingFromClient(), "plain ping failed");
        Assert.Equal(before, TransmittedBytes(lab, tunnelB));

        // TOS 0xb8 is DSCP 46 (EF).
        var ef = lab.Router.TryExec("ping", "-n", "-q", "-c", "1", "-w", "3", "-Q", "0xb8", "-I", GatewayLab.ClientAddress, GatewayLab.InternetAddress);
        Assert.True(ef.ExitCode == 0, "EF ping failed: " + ef.StandardOutput + ef.StandardError);
        Assert.True(TransmittedBytes(lab, tunnelB) > before, "EF traffic did not leave through gateway B");
    }

    private static long TransmittedBytes(GatewayLab lab, GatewayLab.Tunnel tunnel) =>
        lab.Router.Exec("wg", "show", tunnel.RouterInterface, "transfer").StandardOutput
            .Split('\t', StringSplitOptions.TrimEntries) is [_, _, var sent] ? long.Parse(sent, CultureInfo.InvariantCulture) : -1;
}
