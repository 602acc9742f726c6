using System.Collections.Immutable;
using Evernet.Dataplane;
using Evernet.Dataplane.Commands;
using Evernet.Dataplane.Planning;
using Evernet.Dataplane.State;
using Evernet.Policy;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>Pure planning and validation: what is rejected, how weights are normalised, when nftables is rewritten.</summary>
public sealed class PlannerTests
{
    private static readonly DataplaneOptions Options = new();

    [Theory]
    [InlineData("-evil")]
    [InlineData("wg0;reboot")]
    [InlineData("averyveryverylongname")]
    [InlineData("")]
    public void Interface_names_that_could_be_options_or_are_invalid_are_rejected(string name)
    {
        var desired = new DesiredDataplane([new WireGuardInterfaceSpec(name, "/k", null, [], 1420, [])], null, []);
        Assert.Throws<DataplaneConfigurationException>(() => DesiredStateValidator.ValidateInterfaces(desired));
    }

    [Fact]
    public void Bad_peer_keys_endpoints_and_duplicate_tables_are_rejected()
    {
        WireGuardInterfaceSpec Interface(WireGuardPeerSpec peer) => new("wg0", "/k", null, [], 1420, [peer]);
        Assert.Throws<DataplaneConfigurationException>(() => DesiredStateValidator.ValidateInterfaces(
            new DesiredDataplane([Interface(new WireGuardPeerSpec("short", null, [], 0))], null, [])));
        Assert.Throws<DataplaneConfigurationException>(() => DesiredStateValidator.ValidateInterfaces(
            new DesiredDataplane([Interface(new WireGuardPeerSpec("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", "no-port", [], 0))], null, [])));

        var route = new MultipathRouteSpec(100, 1000, ["10.99.0.0/24"], [new GatewayNexthop("g", "wg0", null, 1)], 32, 60);
        var clash = new ClassRouteSpec("c", TrafficStrategy.Balance, 0x10, 100, 900, new TrafficMatch(null, [], []), []);
        Assert.Throws<DataplaneConfigurationException>(() => DesiredStateValidator.ValidateRouting(new DesiredDataplane([], route, [clash]), Options));
        var markInOurRange = clash with { Table = 110, FirewallMark = Options.ConnectionMarkBase | 7 };
        Assert.Throws<DataplaneConfigurationException>(() => DesiredStateValidator.ValidateRouting(new DesiredDataplane([], route, [markInOurRange]), Options));
        Assert.Throws<DataplaneConfigurationException>(() => DesiredStateValidator.ValidateRouting(new DesiredDataplane([], route with { Table = 254 }, []), Options));
    }

    [Fact]
    public void Weights_are_merged_reduced_and_scaled_into_the_kernel_range_and_zero_weights_dropped()
    {
        var route = new MultipathRouteSpec(100, 1000, ["10.99.0.0/24"],
        [
            new GatewayNexthop("a", "wga", null, 200),
            new GatewayNexthop("a2", "wga", null, 200),
            new GatewayNexthop("b", "wgb", null, 400),
            new GatewayNexthop("down", "wgc", null, 0),
        ], 32, 60);

        var reduced = DesiredStateValidator.ValidateRouting(new DesiredDataplane([], route, []), Options).Default!;
        Assert.Equal([("wga", 1), ("wgb", 1)], reduced.Hops.Select(static h => (h.Key.Device, h.Weight)));

        var skewed = route with { Nexthops = [new GatewayNexthop("a", "wga", null, 1000), new GatewayNexthop("b", "wgb", null, 1)] };
        var scaled = DesiredStateValidator.ValidateRouting(new DesiredDataplane([], skewed, []), Options).Default!;
        Assert.Equal([256, 1], scaled.Hops.Select(static h => h.Weight));
    }

    [Fact]
    public void Resilient_plan_on_its_own_result_is_empty_and_a_weight_change_is_one_group_replace()
    {
        var route = new MultipathRouteSpec(100, 1000, ["10.99.0.0/24"], [new GatewayNexthop("a", "wga", null, 1), new GatewayNexthop("b", "wgb", null, 3)], 32, 60);
        var intent = DesiredStateValidator.ValidateRouting(new DesiredDataplane([], route, []), Options);
        var first = ResilientRoutingPlanner.Plan(intent, RoutingState.Empty, Options);
        Assert.Equal(5, first.Commands.Length);

        // What the kernel holds after those commands, as `ip -N -j` would report it.
        var memberA = Options.NexthopIdBase + 1;
        var memberB = Options.NexthopIdBase + 2;
        var group = Options.NexthopIdBase + 0x2001;
        RoutingState Installed(int weightA, int weightB) => new(
            [
                new InstalledNexthop(memberA, "wga", null, false, 77, [], false, null, null),
                new InstalledNexthop(memberB, "wgb", null, false, 77, [], false, null, null),
                new InstalledNexthop(group, null, null, false, 77, [new(memberA, weightA), new(memberB, weightB)], true, 32, 60),
            ],
            [new InstalledRoute(System.Net.Sockets.AddressFamily.InterNetwork, 100, "default", "unicast", group, "wga", null, null, 77)],
            [new InstalledRule(System.Net.Sockets.AddressFamily.InterNetwork, 1000, IpPrefix.Parse("10.99.0.0/24"), null, null, 100, 77)]);

        Assert.Empty(ResilientRoutingPlanner.Plan(intent, Installed(1, 3), Options).Commands);

        var changed = ResilientRoutingPlanner.Plan(intent, Installed(1, 1), Options).Commands;
        var replace = Assert.Single(changed);
        Assert.Equal($"ip nexthop replace id {group} group {memberA},1/{memberB},3 type resilient buckets 32 idle_timer 60 proto 77", replace.ToString());

        // A bucket-count change cannot be done in place: delete, re-create, and re-point the route.
        var rebucketed = DesiredStateValidator.ValidateRouting(new DesiredDataplane([], route with { Buckets = 64 }, []), Options);
        Assert.Equal(
            ["nexthop del", "nexthop replace", "route replace"],
            ResilientRoutingPlanner.Plan(rebucketed, Installed(1, 3), Options).Commands.Select(static c => string.Join(' ', c.Arguments.Where(static a => a is "nexthop" or "route" or "del" or "replace"))));

        // Nothing desired any more: everything of ours goes, routes and rules before groups before members.
        var removal = ResilientRoutingPlanner.Plan(RoutingIntent.None, Installed(1, 3), Options).Commands.Select(static c => c.ToString()).ToArray();
        Assert.Equal(
            [
                "ip -4 rule del priority 1000 from 10.99.0.0/24 lookup 100 proto 77",
                "ip -4 route del default table 100 proto 77",
                $"ip nexthop del id {group}",
                $"ip nexthop del id {memberA}",
                $"ip nexthop del id {memberB}",
            ],
            removal);
    }

    [Fact]
    public void Nft_table_is_rewritten_only_when_a_rule_comment_differs()
    {
        var route = new MultipathRouteSpec(100, 1000, ["10.99.0.0/24", "fd00:99::/64"], [new GatewayNexthop("a", "wga", null, 1)], 32, 60);
        var voice = new ClassRouteSpec("voice", TrafficStrategy.Pinned, 0x10, 110, 900, new TrafficMatch(null, [5060, 5061], [46]), [new GatewayNexthop("a", "wga", null, 1)]);
        var intent = DesiredStateValidator.ValidateRouting(new DesiredDataplane([], route, [voice]), Options);
        var table = ClassifierTableBuilder.Build(intent, MultipathMode.ResilientNexthopGroup, ImmutableDictionary<HopKey, int>.Empty, Options)!;

        var script = table.RenderReplaceScript();
        Assert.Contains("ip saddr { 10.99.0.0/24 } meta l4proto { tcp, udp } th dport { 5060, 5061 } ip dscp { 46 } meta mark set 0x00000010 return", script);
        Assert.Contains("ip6 saddr { fd00:99::/64 } meta l4proto { tcp, udp } th dport { 5060, 5061 } ip6 dscp { 46 } meta mark set 0x00000010 return", script);

        var installed = new InstalledNftTable(true, [.. table.Chains.SelectMany(c => c.Rules.Select(r => new NftRuleSignature(c.Name, NftTableSpec.CommentFor(c, r))))]);
        Assert.True(table.IsInstalledAs(installed));
        Assert.False(table.IsInstalledAs(installed with { Rules = installed.Rules.RemoveAt(0) }));
        Assert.False(table.IsInstalledAs(installed with { Rules = installed.Rules.SetItem(0, installed.Rules[0] with { Comment = "evernet:0000" }) }));
        Assert.False(table.IsInstalledAs(InstalledNftTable.Absent));
    }

    [Fact]
    public void Commands_render_copy_pasteable_with_quoting()
    {
        var command = Command.Mutate("nft", "add", "rule", "a b", "it's") with { StandardInput = "flush ruleset" };
        Assert.Equal("ip netns exec ns1 nft add rule 'a b' 'it'\\''s' <<'EOF'\nflush ruleset\nEOF", command.ToDisplayString("ns1"));
    }
}
