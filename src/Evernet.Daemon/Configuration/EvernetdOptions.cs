namespace Evernet.Daemon.Configuration;

/// <summary>
/// The daemon configuration (evernetd.json, EVERNET_* environment variables, --key=value arguments). Every key, its
/// default and meaning: docs/configuration.md. Lists default to empty because the configuration binder appends to a
/// list it finds pre-filled; defaults for lists are applied by the Effective* members instead.
/// </summary>
public sealed class EvernetdOptions
{
    public const string DefaultStateDirectory = "/var/lib/evernet";
    public const string DefaultCertificateFile = "/etc/evernet/node.cert";
    public const string DefaultControlSocket = "/run/evernet/evernetd.sock";

    /// <summary>This router's name; must equal the name in its certificate. Also the mDNS instance name.</summary>
    public string? NodeName { get; set; }
    /// <summary>"node" or "gateway".</summary>
    public string Role { get; set; } = RoleNames.Node;
    public string StateDirectory { get; set; } = DefaultStateDirectory;
    /// <summary>Ed25519 public keys (64 hex digits) of the community authorities whose certificates this node accepts.</summary>
    public List<string> Authorities { get; set; } = [];
    public string CertificateFile { get; set; } = DefaultCertificateFile;
    /// <summary>Interfaces towards the mesh (gossip, mDNS, WireGuard underlay).</summary>
    public List<string> MeshInterfaces { get; set; } = [];
    /// <summary>Prefixes of the clients behind this router (CIDR), announced in the node record.</summary>
    public List<string> ClientPrefixes { get; set; } = [];
    public GossipSettings Gossip { get; set; } = new();
    public WireGuardSettings WireGuard { get; set; } = new();
    public RoutingSettings Routing { get; set; } = new();
    public List<TrafficClassSettings> TrafficClasses { get; set; } = [];
    /// <summary>Read only when <see cref="Role"/> is gateway.</summary>
    public GatewaySettings Gateway { get; set; } = new();
    public string ControlSocket { get; set; } = DefaultControlSocket;
    public MetricsSettings Metrics { get; set; } = new();
    public WebAdminSettings WebAdmin { get; set; } = new();
    public DiscoverySettings Discovery { get; set; } = new();
    /// <summary>Trace, Debug, Information, Warning, Error, Critical or None.</summary>
    public string LogLevel { get; set; } = "Information";
    /// <summary>Compute everything, change nothing in the kernel (the dataplane logs what it would run).</summary>
    public bool DryRun { get; set; }

    /// <summary>
    /// Optional settings written as "" or null in JSON (the JSON provider turns null into "") mean "not set".
    /// Called after binding, before validation.
    /// </summary>
    public void NormalizeOptionalValues()
    {
        static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        Gossip.BindInterface = Clean(Gossip.BindInterface);
        WireGuard.PrivateKeyFile = Clean(WireGuard.PrivateKeyFile);
        Metrics.ListenAddress = Clean(Metrics.ListenAddress);
        WebAdmin.ListenAddress = Clean(WebAdmin.ListenAddress);
        WebAdmin.PasswordHash = Clean(WebAdmin.PasswordHash);
        Gateway.WanInterface = Clean(Gateway.WanInterface);
        foreach (var c in TrafficClasses)
        {
            if (c is null) continue;
            c.Gateway = Clean(c.Gateway);
            c.Match.Protocol = Clean(c.Match.Protocol);
        }
    }

    public bool IsGateway => string.Equals(Role?.Trim(), RoleNames.Gateway, StringComparison.OrdinalIgnoreCase);

    /// <summary>The node key file in the state directory.</summary>
    public string NodeKeyFile => Path.Combine(StateDirectory, State.StateDirectory.NodeKeyFileName);

    /// <summary>The configured WireGuard key file, or wireguard.key in the state directory.</summary>
    public string EffectiveWireGuardKeyFile =>
        string.IsNullOrWhiteSpace(WireGuard.PrivateKeyFile) ? Path.Combine(StateDirectory, State.StateDirectory.WireGuardKeyFileName) : WireGuard.PrivateKeyFile;
}

public static class RoleNames
{
    public const string Node = "node";
    public const string Gateway = "gateway";
}

public sealed class GossipSettings
{
    public const int DefaultPort = 7946;

    public int Port { get; set; } = DefaultPort;
    /// <summary>Addresses to bind (IP literals). Empty: 0.0.0.0 and :: (all IPv4 and IPv6 addresses).</summary>
    public List<string> ListenAddresses { get; set; } = [];
    /// <summary>Restrict the gossip sockets to one interface (SO_BINDTODEVICE); null: no restriction.</summary>
    public string? BindInterface { get; set; }
    /// <summary>Members to contact at start: "192.0.2.1:7946", "[fd00::1]:7946" or "host.example:7946".</summary>
    public List<string> Seeds { get; set; } = [];
    /// <summary>Overrides of the protocol timing (Evernet.Gossip.GossipOptions); unset keys keep the core's defaults.</summary>
    public GossipTimingSettings Timing { get; set; } = new();

    public IReadOnlyList<string> EffectiveListenAddresses => ListenAddresses.Count > 0 ? ListenAddresses : ["0.0.0.0", "::"];
}

/// <summary>Each key overrides the GossipOptions property of the same name; durations are in milliseconds.</summary>
public sealed class GossipTimingSettings
{
    public int? ProbeIntervalMs { get; set; }
    public int? ProbeTimeoutMs { get; set; }
    public int? IndirectChecks { get; set; }
    public double? SuspicionMultiplier { get; set; }
    public double? SuspicionMaxMultiplier { get; set; }
    public double? RetransmitMultiplier { get; set; }
    public int? UrgentFanout { get; set; }
    public int? PushPullIntervalMs { get; set; }
    public int? GatewayProbeIntervalMs { get; set; }
    public int? GatewayProbeTimeoutMs { get; set; }
    public int? GatewayRoundTimeoutMs { get; set; }
    public int? GatewayFailedRoundsToUnusable { get; set; }
    public int? GatewayIndirectChecks { get; set; }
    public int? TombstoneRetentionMs { get; set; }
    public int? MaxClockSkewMs { get; set; }
    public int? MaxAwareness { get; set; }
    public int? RecordRefreshIntervalMs { get; set; }

    /// <summary>The core's defaults with these overrides applied.</summary>
    public Gossip.GossipOptions ToGossipOptions()
    {
        var o = new Gossip.GossipOptions();
        if (ProbeIntervalMs is { } a) o.ProbeInterval = TimeSpan.FromMilliseconds(a);
        if (ProbeTimeoutMs is { } b) o.ProbeTimeout = TimeSpan.FromMilliseconds(b);
        if (IndirectChecks is { } c) o.IndirectChecks = c;
        if (SuspicionMultiplier is { } d) o.SuspicionMultiplier = d;
        if (SuspicionMaxMultiplier is { } e) o.SuspicionMaxMultiplier = e;
        if (RetransmitMultiplier is { } f) o.RetransmitMultiplier = f;
        if (UrgentFanout is { } g) o.UrgentFanout = g;
        if (PushPullIntervalMs is { } h) o.PushPullInterval = TimeSpan.FromMilliseconds(h);
        if (GatewayProbeIntervalMs is { } i) o.GatewayProbeInterval = TimeSpan.FromMilliseconds(i);
        if (GatewayProbeTimeoutMs is { } j) o.GatewayProbeTimeout = TimeSpan.FromMilliseconds(j);
        if (GatewayRoundTimeoutMs is { } k) o.GatewayRoundTimeout = TimeSpan.FromMilliseconds(k);
        if (GatewayFailedRoundsToUnusable is { } l) o.GatewayFailedRoundsToUnusable = l;
        if (GatewayIndirectChecks is { } m) o.GatewayIndirectChecks = m;
        if (TombstoneRetentionMs is { } n) o.TombstoneRetention = TimeSpan.FromMilliseconds(n);
        if (MaxClockSkewMs is { } p) o.MaxClockSkew = TimeSpan.FromMilliseconds(p);
        if (MaxAwareness is { } q) o.MaxAwareness = q;
        if (RecordRefreshIntervalMs is { } r) o.RecordRefreshInterval = TimeSpan.FromMilliseconds(r);
        return o;
    }

    /// <summary>GossipOptions property → configuration key, so the core's validation messages name the key the operator wrote.</summary>
    internal static string KeyFor(string gossipOptionsProperty) => gossipOptionsProperty switch
    {
        nameof(Gossip.GossipOptions.ProbeInterval) => "probeIntervalMs",
        nameof(Gossip.GossipOptions.ProbeTimeout) => "probeTimeoutMs",
        nameof(Gossip.GossipOptions.PushPullInterval) => "pushPullIntervalMs",
        nameof(Gossip.GossipOptions.GatewayProbeInterval) => "gatewayProbeIntervalMs",
        nameof(Gossip.GossipOptions.GatewayProbeTimeout) => "gatewayProbeTimeoutMs",
        nameof(Gossip.GossipOptions.GatewayRoundTimeout) => "gatewayRoundTimeoutMs",
        nameof(Gossip.GossipOptions.TombstoneRetention) => "tombstoneRetentionMs",
        nameof(Gossip.GossipOptions.MaxClockSkew) => "maxClockSkewMs",
        nameof(Gossip.GossipOptions.RecordRefreshInterval) => "recordRefreshIntervalMs",
        _ => char.ToLowerInvariant(gossipOptionsProperty[0]) + gossipOptionsProperty[1..],
    };
}

public sealed class WireGuardSettings
{
    /// <summary>The UDP port a gateway's WireGuard interface listens on (the port nodes dial).</summary>
    public int ListenPort { get; set; } = 51820;
    /// <summary>Private key file (base64, as `wg genkey` writes it). Null: wireguard.key in the state directory, created if missing.</summary>
    public string? PrivateKeyFile { get; set; }
    /// <summary>A node's per-gateway interfaces are named prefix + gateway fingerprint (15 characters in all).</summary>
    public string InterfacePrefix { get; set; } = "evg-";
    public int Mtu { get; set; } = 1420;
    public int PersistentKeepaliveSeconds { get; set; } = 15;
}

public sealed class RoutingSettings
{
    public int Table { get; set; } = 4200;
    public int RulePriority { get; set; } = 4200;
    public int ResilientBuckets { get; set; } = 4096;
    public int IdleTimerSeconds { get; set; } = 120;
}

public sealed class TrafficClassSettings
{
    public string? Name { get; set; }
    public TrafficMatchSettings Match { get; set; } = new();
    /// <summary>balance, lowest-latency or pinned.</summary>
    public string Strategy { get; set; } = "balance";
    /// <summary>Pinned: the gateway (certificate name, fingerprint or id) to use.</summary>
    public string? Gateway { get; set; }
    /// <summary>Pinned: when the gateway is unusable, balance over the others (true) or fall through to the default route (false).</summary>
    public bool Failover { get; set; } = true;
}

public sealed class TrafficMatchSettings
{
    /// <summary>tcp, udp or any (null).</summary>
    public string? Protocol { get; set; }
    /// <summary>Destination ports (need tcp or udp).</summary>
    public List<int> Ports { get; set; } = [];
    /// <summary>DSCP values 0..63.</summary>
    public List<int> Dscp { get; set; } = [];
}

public sealed class GatewaySettings
{
    /// <summary>The uplink interface (VDSL PPPoE or WAN ethernet) whose counters give the load.</summary>
    public string? WanInterface { get; set; }
    public ulong CapacityDownBps { get; set; }
    public ulong CapacityUpBps { get; set; }
    public List<ProbeTargetSettings> ProbeTargets { get; set; } = [];
    public int ProbeIntervalMs { get; set; } = 200;
}

public sealed class ProbeTargetSettings
{
    /// <summary>icmp, dns, tcp or http.</summary>
    public string? Kind { get; set; }
    /// <summary>icmp: host; dns: host[:port]; tcp: host:port; http: http(s) URL.</summary>
    public string? Address { get; set; }

    /// <summary>The target as the uplink monitor spells it: "icmp:1.1.1.1", "tcp:example.net:443", or the URL.</summary>
    public string ToSpec() =>
        string.Equals(Kind?.Trim(), "http", StringComparison.OrdinalIgnoreCase) ? Address?.Trim() ?? "" : $"{Kind?.Trim().ToLowerInvariant()}:{Address?.Trim()}";
}

public sealed class MetricsSettings
{
    /// <summary>"127.0.0.1:9464" or "[::1]:9464" to serve Prometheus metrics; null: off.</summary>
    public string? ListenAddress { get; set; }
}

public sealed class WebAdminSettings
{
    /// <summary>Address of the web admin page; null (default): off.</summary>
    public string? ListenAddress { get; set; }
    /// <summary>Hash of the admin password (required when the page is on).</summary>
    public string? PasswordHash { get; set; }
}

public sealed class DiscoverySettings
{
    /// <summary>mDNS/DNS-SD neighbour discovery on the mesh interfaces.</summary>
    public bool Enabled { get; set; } = true;
}
