using Evernet.Daemon.Configuration;

namespace Evernet.Integration.Tests.Configuration;

public sealed class EvernetdOptionsValidatorTests
{
    private static EvernetdOptions Valid() => new()
    {
        NodeName = "router-17",
        Authorities = [ConfigFiles.Authority],
        MeshInterfaces = ["mesh0"],
    };

    private static EvernetdOptions ValidGateway()
    {
        var o = Valid();
        o.Role = "gateway";
        o.Gateway = new GatewaySettings
        {
            WanInterface = "pppoe-wan",
            CapacityDownBps = 100_000_000,
            CapacityUpBps = 40_000_000,
            ProbeTargets = [new() { Kind = "icmp", Address = "9.9.9.9" }, new() { Kind = "tcp", Address = "example.net:443" }, new() { Kind = "dns", Address = "[2620:fe::fe]:53" }],
        };
        return o;
    }

    [Fact]
    public void Valid_node_and_gateway_pass()
    {
        Assert.Empty(EvernetdOptionsValidator.Validate(Valid()));
        Assert.Empty(EvernetdOptionsValidator.Validate(ValidGateway()));
    }

    public static TheoryData<Action<EvernetdOptions>, string> Broken => new()
    {
        { o => o.NodeName = null, "nodeName: is required" },
        { o => o.NodeName = "two words", "nodeName: must be 1..64 UTF-8 bytes without spaces or control characters" },
        { o => o.Role = "router", "role: must be node or gateway, not 'router'" },
        { o => o.Authorities = [], "authorities: at least one authority public key is required" },
        { o => o.Authorities = [ConfigFiles.Authority, "abc"], "authorities[1]: not 64 hex characters" },
        { o => o.Authorities = [ConfigFiles.Authority, ConfigFiles.Authority], "authorities[1]: listed twice" },
        { o => o.StateDirectory = "relative/dir", "stateDirectory: must be an absolute path" },
        { o => o.MeshInterfaces = ["mesh0", "a-name-much-too-long"], "meshInterfaces[1]: 'a-name-much-too-long' is not a valid interface name (1..15 characters of [a-zA-Z0-9_.-])" },
        { o => o.ClientPrefixes = ["10.17.0.1/24"], "clientPrefixes[0]: '10.17.0.1/24' is not a prefix in CIDR notation without host bits (e.g. 10.17.0.0/24)" },
        { o => o.Gossip.Port = 0, "gossip.port: must be 1..65535" },
        { o => o.Gossip.ListenAddresses = ["0.0.0.0", "mesh0"], "gossip.listenAddresses[1]: 'mesh0' is not an IP address" },
        { o => o.Gossip.Seeds = ["10.0.0.1"], "gossip.seeds[0]: '10.0.0.1' is not host:port, a.b.c.d:port or [v6]:port" },
        { o => o.Gossip.Timing.ProbeTimeoutMs = 5000, "gossip.timing.probeTimeoutMs: must be positive and shorter than ProbeInterval" },
        { o => o.Gossip.Timing.IndirectChecks = 0, "gossip.timing.indirectChecks: must be 1..16" },
        { o => o.WireGuard.ListenPort = 7946, "wireGuard.listenPort: must differ from gossip.port (7946): both are UDP" },
        { o => o.WireGuard.Mtu = 1000, "wireGuard.mtu: must be 1280..9000" },
        { o => o.WireGuard.InterfacePrefix = "much-too-long", "wireGuard.interfacePrefix: must be 1..9 characters of [a-zA-Z0-9_.-]" },
        { o => o.Routing.Table = 254, "routing.table: must be a table id other than 0 and default/main/local (253..255)" },
        { o => o.Routing.ResilientBuckets = 8, "routing.resilientBuckets: must be 16..4096" },
        { o => o.TrafficClasses = [new() { Name = "x", Strategy = "fastest", Match = new() { Protocol = "udp" } }], "trafficClasses[0].strategy: must be balance, lowest-latency or pinned, not 'fastest'" },
        { o => o.TrafficClasses = [new() { Name = "x", Strategy = "pinned", Match = new() { Dscp = [46] } }], "trafficClasses[0].gateway: is required when strategy is pinned" },
        { o => o.TrafficClasses = [new() { Name = "x", Match = new() }], "trafficClasses[0].match: must match on at least one of protocol, ports, dscp (a class matching everything would replace the default route)" },
        { o => o.TrafficClasses = [new() { Name = "x", Match = new() { Ports = [80] } }], "trafficClasses[0].match.ports: ports need match.protocol tcp or udp" },
        { o => o.TrafficClasses = [new() { Name = "x", Match = new() { Dscp = [64] } }], "trafficClasses[0].match.dscp[0]: must be 0..63" },
        { o => o.TrafficClasses = [new() { Name = "x", Match = new() { Dscp = [1] } }, new() { Name = "x", Match = new() { Dscp = [2] } }], "trafficClasses[1].name: 'x' is used by two classes" },
        { o => o.ControlSocket = "evernetd.sock", "controlSocket: must be an absolute path" },
        { o => o.Metrics.ListenAddress = "9464", "metrics.listenAddress: '9464' is not address:port (e.g. 127.0.0.1:9464 or [::1]:9464)" },
        { o => o.WebAdmin.ListenAddress = "127.0.0.1:8080", "webAdmin.passwordHash: is required when webAdmin.listenAddress is set" },
        { o => o.MeshInterfaces = [], "discovery.enabled: needs at least one entry in meshInterfaces" },
        { o => o.LogLevel = "Verbose", "logLevel: must be one of Trace, Debug, Information, Warning, Error, Critical, None" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Each_problem_names_its_key_and_why(Action<EvernetdOptions> breakIt, string expected)
    {
        var o = Valid();
        breakIt(o);
        Assert.Contains(expected, EvernetdOptionsValidator.Validate(o));
    }

    public static TheoryData<Action<GatewaySettings>, string> BrokenGateway => new()
    {
        { g => g.CapacityDownBps = 0, "gateway.capacityDownBps: must be > 0 when role is gateway" },
        { g => g.CapacityUpBps = 0, "gateway.capacityUpBps: must be > 0 when role is gateway" },
        { g => g.WanInterface = null, "gateway.wanInterface: is required when role is gateway (an interface name)" },
        { g => g.ProbeTargets = [], "gateway.probeTargets: 1..8 targets are required when role is gateway (3 independent ones recommended)" },
        { g => g.ProbeTargets[1] = new() { Kind = "tcp", Address = "example.net" }, "gateway.probeTargets[1]: 'example.net' is not host:port or [v6]:port (tcp needs a port)" },
        { g => g.ProbeTargets[0] = new() { Kind = "smoke", Address = "x" }, "gateway.probeTargets[0]: kind must be icmp, dns, tcp or http, not 'smoke'" },
        { g => g.ProbeTargets[0] = new() { Kind = "http", Address = "ftp://x" }, "gateway.probeTargets[0]: 'ftp://x' is not an http:// or https:// URL" },
        { g => g.ProbeIntervalMs = 5, "gateway.probeIntervalMs: must be 20..60000" },
    };

    [Theory]
    [MemberData(nameof(BrokenGateway))]
    public void Gateway_settings_are_checked_when_role_is_gateway(Action<GatewaySettings> breakIt, string expected)
    {
        var o = ValidGateway();
        breakIt(o.Gateway);
        Assert.Contains(expected, EvernetdOptionsValidator.Validate(o));
        o.Role = "node"; // a node ignores the gateway section
        Assert.Empty(EvernetdOptionsValidator.Validate(o));
    }

    [Fact]
    public void All_problems_come_at_once()
    {
        var o = Valid();
        o.NodeName = "";
        o.Gossip.Port = -1;
        o.Routing.RulePriority = 40000;
        Assert.Equal(3, EvernetdOptionsValidator.Validate(o).Count);
    }
}
