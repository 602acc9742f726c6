namespace Evernet.Policy.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_valid_where_nothing_site_specific_is_needed()
    {
        Assert.Empty(new PolicyOptions().Validate());
        Assert.Empty(new WeightOptions().Validate());
        Assert.Empty(new PathQualityOptions().Validate());
        Assert.Empty(new WireGuardOptions().Validate());
        Assert.Empty(new TunnelAddressingOptions().Validate());
    }

    [Fact]
    public void Site_specific_settings_are_required_with_a_reason()
    {
        var errors = new GatewayHealthOptions().Validate();
        Assert.Contains(errors, e => e.StartsWith("Uplink:Targets: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Load:CapacityDownBps: must be positive", StringComparison.Ordinal));
        var ex = Assert.Throws<ArgumentException>(() => new GatewayHealthOptions().ThrowIfInvalid());
        Assert.Contains("Load:CapacityUpBps", ex.Message);
    }

    [Fact]
    public void Every_error_names_its_key()
    {
        var options = new PolicyOptions
        {
            Weights = new WeightOptions { Total = 5, FloorShare = 0.9 },
            Tunnel = new TunnelAddressingOptions { IPv4Prefix = "10.127.0.1/16", IPv6Prefix = "2001:db8::/64" },
            WireGuard = new WireGuardOptions { GatewayInterfaceName = "this-name-is-too-long", Mtu = 500 },
            Routing = new RoutingOptions { Table = 254 },
            TrafficClasses =
            [
                new TrafficClassOptions { Name = "a", Strategy = "fastest", Protocol = "sctp", Ports = [0] },
                new TrafficClassOptions { Name = "a", Strategy = "pinned", Dscp = [64] },
                new TrafficClassOptions { Name = "c" },
            ],
        };
        var errors = options.Validate();
        string[] keys =
        [
            "Weights:Total: ", "Weights:FloorShare: ", "Tunnel:IPv4Prefix: ", "Tunnel:IPv6Prefix: must be a unique local",
            "WireGuard:GatewayInterfaceName: ", "WireGuard:Mtu: ", "Routing:Table: ",
            "TrafficClasses:0:Strategy: ", "TrafficClasses:0:Protocol: ", "TrafficClasses:0:Ports: ",
            "TrafficClasses:1:Gateways: pinned needs", "TrafficClasses:1:Dscp: ", "TrafficClasses:1:Name: 'a' is used by two classes",
            "TrafficClasses:2:Name: a class must match",
        ];
        foreach (var key in keys) Assert.Contains(errors, e => e.StartsWith(key, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Matches("^[A-Za-z0-9:]+: .+", e));
    }

    [Fact]
    public void Explicit_class_ids_may_not_collide_with_derived_ones()
    {
        var options = new PolicyOptions
        {
            TrafficClasses =
            [
                new TrafficClassOptions { Name = "a", Protocol = "udp" },
                new TrafficClassOptions { Name = "b", Protocol = "tcp", Table = 4201, RulePriority = 4300 },
            ],
        };
        var errors = options.Validate();
        Assert.Contains(errors, e => e.StartsWith("TrafficClasses:1:Table: table 4201 is used twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TrafficClasses:1:RulePriority: must come before", StringComparison.Ordinal));
    }

    [Fact]
    public void Uplink_options_check_the_probe_timing()
    {
        var o = new UplinkMonitorOptions { Targets = ["icmp:1.1.1.1", "icmp:1.1.1.1", "bogus"], Quorum = 4, StaleAfterMs = 300 };
        var errors = o.Validate();
        Assert.Contains(errors, e => e.StartsWith("Targets: 'icmp:1.1.1.1' is listed twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Targets: 'bogus'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Quorum: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("StaleAfterMs: ", StringComparison.Ordinal));
        Assert.Equal(2, new UplinkMonitorOptions { Targets = ["icmp:1.1.1.1", "icmp:9.9.9.9", "icmp:8.8.8.8"] }.EffectiveQuorum);
    }
}
