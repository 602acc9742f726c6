using System.Text.RegularExpressions;
using Evernet.Dataplane;
using Xunit.Abstractions;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>The connection-mark fallback (forced here; chosen automatically on kernels without resilient groups).</summary>
public sealed class ConnectionMarkFallbackTests(ITestOutputHelper output)
{
    [DataplaneFact]
    public async Task Forced_fallback_installs_ct_mark_rules_per_gateway_tables_and_carries_traffic()
    {
        using var lab = GatewayLab.Create("cm");
        var options = new DataplaneOptions { MultipathMode = MultipathModePreference.ConnectionMark };
        var applier = new DataplaneApplier(lab.RouterRunner(), options);

        var result = await applier.ApplyAsync(lab.Desired(1, 2));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(static e => e.Message)));
        Assert.Equal(MultipathMode.ConnectionMark, applier.Status.Multipath);
        var table = lab.Router.Exec("nft", "list", "table", "inet", "evernet").StandardOutput;
        output.WriteLine(table);
        // Gateway slots follow interface names in ordinal order: slot s has mark 0x0e7e000s and table 32256 + s.
        var slotA = string.CompareOrdinal(lab.Tunnels[0].RouterInterface, lab.Tunnels[1].RouterInterface) < 0 ? 1 : 2;
        var slotB = 3 - slotA;
        Assert.Contains("ct mark { 0x0e7e0001, 0x0e7e0002 } meta mark set ct mark return", table);
        Assert.Contains($"ip saddr 10.99.0.0/24 ct mark set numgen random mod 3 map {{ 0 : 0x0e7e000{slotA}, 1-2 : 0x0e7e000{slotB} }} meta mark set ct mark return", table);
        Assert.Contains($"ip6 saddr fd99::/64 ct mark set numgen random mod 3 map {{ 0 : 0x0e7e000{slotA}, 1-2 : 0x0e7e000{slotB} }} meta mark set ct mark return", table);
        Assert.Contains("type filter hook prerouting priority mangle; policy accept;", table);
        Assert.Contains("type route hook output priority mangle; policy accept;", table);

        var rules = lab.Router.Exec("ip", "rule", "show").StandardOutput;
        Assert.Contains("1000:\tfrom all fwmark 0xe7e0001 lookup 32257 proto 77", rules);
        Assert.Contains("1000:\tfrom all fwmark 0xe7e0002 lookup 32258 proto 77", rules);
        Assert.Contains("1001:\tfrom 10.99.0.0/24 lookup 100 proto 77", rules);
        Assert.Contains($"default dev {lab.Tunnels[0].RouterInterface} proto 77", lab.Router.Exec("ip", "route", "show", "table", $"{32256 + slotA}").StandardOutput);
        Assert.Contains($"default dev {lab.Tunnels[1].RouterInterface} proto 77", lab.Router.Exec("ip", "route", "show", "table", $"{32256 + slotB}").StandardOutput);
        var fallbackRoute = lab.Router.Exec("ip", "route", "show", "table", "100").StandardOutput;
        Assert.Contains($"nexthop dev {lab.Tunnels[0].RouterInterface} weight 1", fallbackRoute);
        Assert.Contains($"nexthop dev {lab.Tunnels[1].RouterInterface} weight 2", fallbackRoute);
        Assert.Empty(lab.RouterNexthops().EnumerateArray());

        Assert.True(lab.PingFromClient(), "no reply through the connection-marked path");
        var marked = lab.Router.Exec("conntrack", "-L", "-s", GatewayLab.ClientAddress, "-p", "icmp").StandardOutput;
        output.WriteLine(marked);
        Assert.Matches("mark=24313856[12]", marked);

        var again = await applier.ApplyAsync(lab.Desired(1, 2));
        Assert.Equal(0, again.Mutations);

        // A weight change rewrites the draw, plus the first-lookup routes (IPv4 multipath; IPv6 heaviest hop, now A).
        // Tracked connections keep their mark.
        var reweighted = await applier.ApplyAsync(lab.Desired(3, 1));
        Assert.Equal(3, reweighted.Mutations);
        Assert.Equal(
            Regex.Match(marked, "mark=[0-9]+").Value,
            Regex.Match(lab.Router.Exec("conntrack", "-L", "-s", GatewayLab.ClientAddress, "-p", "icmp").StandardOutput, "mark=[0-9]+").Value);
        Assert.Contains($"numgen random mod 4 map {{ 0-2 : 0x0e7e000{slotA}, 3 : 0x0e7e000{slotB} }}", lab.Router.Exec("nft", "list", "table", "inet", "evernet").StandardOutput);

        // Switching to resilient groups (e.g. after a kernel upgrade) cleans the fallback up.
        var resilient = new DataplaneApplier(lab.RouterRunner());
        Assert.True((await resilient.ApplyAsync(lab.Desired(3, 1))).Succeeded);
        Assert.Equal(MultipathMode.ResilientNexthopGroup, resilient.Status.Multipath);
        Assert.NotEqual(0, lab.Router.TryExec("nft", "list", "table", "inet", "evernet").ExitCode);
        Assert.DoesNotContain("fwmark", lab.Router.Exec("ip", "rule", "show").StandardOutput);
        Assert.Empty(lab.Router.Exec("ip", "route", "show", "table", "32257").StandardOutput.Trim());
        Assert.True(lab.PingFromClient(), "no reply after switching to resilient groups");
    }
}
