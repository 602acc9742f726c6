using System.Net;
using System.Net.Sockets;
using Evernet.Dataplane;
using Evernet.Dataplane.State;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>Parsers for real outputs of `wg show dump`, `ip -N -j ...` and `nft -j` (captured on this kernel / iproute2 6.1).</summary>
public sealed class StateParserTests
{
    private const string PrivateKey = "aH2R/05+UGMxEGWB8dFfYn4oXq1XDiW1kcTxmvYdqVk=";

    [Fact]
    public void Wg_dump_keeps_peers_but_only_a_fingerprint_of_the_private_key()
    {
        var dump = $"{PrivateKey}\tis6JjWjN21CMk3RugsFE3QZf1nbV2Mve7deOwkZI9Xc=\t51999\toff\n"
            + "hxzNIz3grthACmCvgm1VYn4oXq1XDiW1kcTxmvYdqVk=\t(none)\t10.0.0.1:5\t10.1.0.0/16,fd00::/64\t1700000000\t10\t20\t25\n"
            + "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t(none)\t(none)\t(none)\t0\t0\t0\toff\n";

        var device = InstalledStateParser.ParseWireGuardDump(dump);

        Assert.NotNull(device);
        Assert.Equal(InstalledStateParser.KeyFingerprint(PrivateKey), device.PrivateKeyFingerprint);
        Assert.DoesNotContain(PrivateKey, device.ToString());
        Assert.Equal(51999, device.ListenPort);
        Assert.Equal(2, device.Peers.Length);
        Assert.Equal("10.0.0.1:5", device.Peers[0].Endpoint);
        Assert.Equal([IpPrefix.Parse("10.1.0.0/16"), IpPrefix.Parse("fd00::/64")], device.Peers[0].AllowedIps.ToArray());
        Assert.Equal(25, device.Peers[0].PersistentKeepaliveSeconds);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), device.Peers[0].LatestHandshake);
        Assert.Null(device.Peers[1].Endpoint);
        Assert.Empty(device.Peers[1].AllowedIps);
        Assert.Equal(0, device.Peers[1].PersistentKeepaliveSeconds);
        Assert.Null(InstalledStateParser.ParseWireGuardDump(""));
        Assert.Throws<UnexpectedOutputException>(() => InstalledStateParser.ParseWireGuardDump("garbage"));
    }

    [Fact]
    public void Nexthops_fill_in_the_omitted_weight_1_and_resilient_arguments()
    {
        const string json = """
            [{"id":1,"dev":"va","scope":"254","flags":[]},{"id":2,"dev":"vb","scope":"254","protocol":"77","flags":[]},
             {"id":10,"group":[{"id":1,"weight":5},{"id":2}],"type":"resilient","resilient_args":{"buckets":32,"idle_timer":60,"unbalanced_timer":0,"unbalanced_time":0},"protocol":"77","flags":[]},
             {"id":500,"blackhole":null,"flags":[]}]
            """;

        var nexthops = InstalledStateParser.ParseNexthops(json);

        Assert.Equal(4, nexthops.Length);
        Assert.Equal("va", nexthops[0].Device);
        Assert.Equal(77, nexthops[1].Protocol);
        var group = nexthops[2];
        Assert.True(group.IsGroup);
        Assert.True(group.IsResilient);
        Assert.Equal(32, group.Buckets);
        Assert.Equal(60, group.IdleTimerSeconds);
        Assert.Equal([new NexthopGroupMember(1, 5), new NexthopGroupMember(2, 1)], group.Members.ToArray());
        Assert.True(nexthops[3].IsBlackhole);
        Assert.Empty(InstalledStateParser.ParseNexthops(""));
        Assert.Throws<UnexpectedOutputException>(() => InstalledStateParser.ParseNexthops("{not json"));
    }

    [Fact]
    public void Routes_and_rules_parse_numeric_output()
    {
        const string routes = """
            [{"type":"7","dst":"default","table":"300","flags":[]},
             {"dst":"default","nhid":21,"dev":"va","table":"200","flags":[]},
             {"dst":"default","table":"100","flags":[],"nexthops":[{"dev":"wga","weight":1,"flags":[]},{"gateway":"10.0.0.1","dev":"wgb","weight":2,"flags":[]}]}]
            """;
        const string rules = """
            [{"priority":0,"src":"all","table":"255"},{"priority":1000,"src":"10.99.0.0","srclen":24,"table":"200","protocol":"77"},
             {"priority":1001,"src":"all","fwmark":"0x46","fwmask":"0xff","table":"201","protocol":"77"}]
            """;

        var parsedRoutes = InstalledStateParser.ParseRoutes(routes, AddressFamily.InterNetwork);
        var parsedRules = InstalledStateParser.ParseRules(rules, AddressFamily.InterNetwork);

        Assert.Equal("unreachable", parsedRoutes[0].Type);
        Assert.Equal(300, parsedRoutes[0].Table);
        Assert.Equal(21u, parsedRoutes[1].NexthopId);
        Assert.Equal("unicast", parsedRoutes[1].Type);
        Assert.Equal([new RouteHop("wga", null, 1), new RouteHop("wgb", IPAddress.Parse("10.0.0.1"), 2)], parsedRoutes[2].Hops.ToArray());
        Assert.Null(parsedRules[0].Source);
        Assert.Equal(255, parsedRules[0].Table);
        Assert.Equal(IpPrefix.Parse("10.99.0.0/24"), parsedRules[1].Source);
        Assert.Equal(77, parsedRules[1].Protocol);
        Assert.Equal(0x46u, parsedRules[2].FirewallMark);
        Assert.Equal(0xFFu, parsedRules[2].FirewallMask);
    }

    [Fact]
    public void Links_carry_kind_alias_flags_and_addresses()
    {
        const string json = """
            [{"ifindex":2,"ifname":"evr1","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1420,"linkinfo":{"info_kind":"tun"},"ifalias":"evernet",
              "addr_info":[{"family":"inet","local":"10.201.1.2","prefixlen":24},{"family":"inet6","local":"fe80::1","prefixlen":64}]}]
            """;

        var link = Assert.Single(InstalledStateParser.ParseLinks(json));

        Assert.Equal(("evr1", "tun", 1420, true, "evernet"), (link.Name, link.Kind, link.Mtu, link.IsUp, link.Alias));
        Assert.Equal([IpPrefix.Parse("10.201.1.2/24"), IpPrefix.Parse("fe80::1/64")], link.Addresses.ToArray());
        Assert.True(link.Addresses[1].IsIPv6LinkLocal);
    }

    [Fact]
    public void Nft_listing_reduces_to_rule_comments_per_chain()
    {
        const string json = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "inet", "name": "evernet", "handle": 3}},
             {"chain": {"family": "inet", "table": "evernet", "name": "classify", "handle": 1}},
             {"rule": {"family": "inet", "table": "evernet", "chain": "classify", "handle": 6, "comment": "evernet:abc", "expr": []}},
             {"rule": {"family": "inet", "table": "evernet", "chain": "classify", "handle": 7, "expr": []}}]}
            """;

        var table = InstalledStateParser.ParseNftTable(json);

        Assert.True(table.Exists);
        Assert.Equal([new NftRuleSignature("classify", "evernet:abc"), new NftRuleSignature("classify", null)], table.Rules.ToArray());
        Assert.False(InstalledStateParser.ParseNftTable("").Exists);
    }

    [Theory]
    [InlineData("10.1.2.3/16", "10.1.0.0/16")]
    [InlineData("fd00::1:2/64", "fd00::/64")]
    [InlineData("10.0.0.1", "10.0.0.1/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void Prefixes_mask_like_the_kernel(string text, string masked) =>
        Assert.Equal(masked, IpPrefix.Parse(text).Masked().ToString());

    [Theory]
    [InlineData("10.0.0.1/33")]
    [InlineData("fe80::1%eth0/64")]
    [InlineData("-1.2.3.4/8")]
    [InlineData("")]
    public void Bad_prefixes_are_rejected(string text) => Assert.False(IpPrefix.TryParse(text, out _));
}
