using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Evernet.Dataplane;
using Evernet.Dataplane.Commands;
using Evernet.Integration.Tests.Infrastructure;
using Evernet.Policy;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>
/// A router and two gateways in their own namespaces, with an "internet" behind both:
/// <code>
///   router ──veth── gw1 ──veth── internet (198.51.100.1 on lo)
///          ──veth── gw2 ──veth──┘
/// </code>
/// Each gateway runs wireguard-go with the router as its peer and masquerades towards the internet namespace, which
/// has no route back to the client prefix: a ping from the client address only comes back through a tunnel and NAT.
/// The router side is left empty for the dataplane under test to build.
/// </summary>
internal sealed class GatewayLab : IDisposable
{
    public const string ClientPrefix = "10.99.0.0/24";
    public const string ClientPrefix6 = "fd99::/64";
    public const string ClientAddress = "10.99.0.1";
    public const string InternetAddress = "198.51.100.1";
    public const int Table = 100;
    public const int RulePriority = 1000;
    public const int Buckets = 32;
    public const int IdleTimerSeconds = 60;

    private readonly List<NetNs> _namespaces = [];
    private readonly DirectoryInfo _keys;

    private GatewayLab(string label)
    {
        _keys = Directory.CreateTempSubdirectory("evernet-dp-keys-");
        try
        {
            Router = Add(NetNs.Create(label + "r"));
            Internet = Add(NetNs.Create(label + "i"));
            Tunnels = [BuildGateway(label, 1), BuildGateway(label, 2)];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public NetNs Router { get; } = null!;

    public NetNs Internet { get; } = null!;

    public ImmutableArray<Tunnel> Tunnels { get; }

    public static GatewayLab Create(string label)
    {
        GatewayLab? lab = null;
        try
        {
            lab = new GatewayLab(label);
            lab.Router.Exec("ip", "addr", "add", ClientAddress + "/32", "dev", "lo");

            // Like a Debian host: strict reverse-path filtering, which the dataplane must relax on its own interfaces.
            lab.Router.Exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.default.rp_filter=1");
            lab.Internet.Exec("ip", "addr", "add", InternetAddress + "/32", "dev", "lo");
            return lab;
        }
        catch
        {
            lab?.Dispose();
            throw;
        }
    }

    public ProcessCommandRunner RouterRunner() => new(Router.Name);

    public WireGuardInterfaceSpec RouterInterface(Tunnel tunnel) =>
        new(tunnel.RouterInterface, tunnel.RouterKeyFile, null, [tunnel.RouterTunnelAddress + "/24"], 1420,
            [new WireGuardPeerSpec(tunnel.GatewayPublicKey, $"{tunnel.GatewayUnderlayAddress}:51820", ["0.0.0.0/0", "::/0"], 25)]);

    public GatewayNexthop Nexthop(Tunnel tunnel, int weight) => new($"gw{tunnel.Index}", tunnel.RouterInterface, null, weight);

    /// <summary>Both tunnels, and the client prefixes (IPv4 and IPv6) routed over both gateways with the given weights.</summary>
    public DesiredDataplane Desired(int weight1 = 1, int weight2 = 1, ImmutableArray<ClassRouteSpec> classes = default) =>
        new(
            [RouterInterface(Tunnels[0]), RouterInterface(Tunnels[1])],
            new MultipathRouteSpec(Table, RulePriority, [ClientPrefix, ClientPrefix6], [Nexthop(Tunnels[0], weight1), Nexthop(Tunnels[1], weight2)], Buckets, IdleTimerSeconds),
            classes.IsDefault ? [] : classes);

    /// <summary>A voice class (UDP 5060, DSCP EF) pinned to gateway 1, for tests that need the nftables table.</summary>
    public ClassRouteSpec VoiceClass() =>
        new("voice", TrafficStrategy.Pinned, 0x10, 110, 900, new TrafficMatch("udp", [5060], [46]), [Nexthop(Tunnels[0], 1)]);

    /// <summary>Pings from the router's client address (so policy routing applies) until one reply or 3 s.</summary>
    public bool PingFromClient(string destination = InternetAddress, int deadlineSeconds = 3) =>
        Router.TryExec("ping", "-n", "-q", "-c", "1", "-i", "0.2", "-w", deadlineSeconds.ToString(CultureInfo.InvariantCulture), "-I", ClientAddress, destination).ExitCode == 0;

    /// <summary>Pings a gateway's tunnel address from the router's own tunnel address (main table, connected route).</summary>
    public bool PingThroughTunnel(Tunnel tunnel) =>
        Router.TryExec("ping", "-n", "-q", "-c", "1", "-i", "0.2", "-w", "3", "-I", tunnel.RouterTunnelAddress, tunnel.GatewayTunnelAddress).ExitCode == 0;

    public JsonElement RouterNexthops() => Router.ExecJson("ip", "-j", "nexthop", "show");

    public void Dispose()
    {
        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            ns.Dispose();
        }

        _namespaces.Clear();
        if (_keys.Exists)
        {
            _keys.Delete(recursive: true);
        }
    }

    private NetNs Add(NetNs ns)
    {
        _namespaces.Add(ns);
        return ns;
    }

    private Tunnel BuildGateway(string label, int index)
    {
        var gateway = Add(NetNs.Create($"{label}g{index}"));
        var underlayRouter = $"172.30.{index}.2";
        var underlayGateway = $"172.30.{index}.1";
        NetNs.ConnectVeth(Router, $"r-g{index}", gateway, "g-r");
        Router.Exec("ip", "addr", "add", underlayRouter + "/30", "dev", $"r-g{index}");
        gateway.Exec("ip", "addr", "add", underlayGateway + "/30", "dev", "g-r");

        NetNs.ConnectVeth(gateway, "wan", Internet, $"i-g{index}");
        gateway.Exec("ip", "addr", "add", $"172.31.{index}.1/30", "dev", "wan");
        Internet.Exec("ip", "addr", "add", $"172.31.{index}.2/30", "dev", $"i-g{index}");
        gateway.Exec("ip", "route", "add", "default", "via", $"172.31.{index}.2");

        var (routerKeyFile, routerPublic) = NewKey($"router{index}");
        var (gatewayKeyFile, gatewayPublic) = NewKey($"gateway{index}");
        var gatewayInterface = NetNs.UniqueInterfaceName("evg");
        gateway.Exec("wireguard-go", gatewayInterface);
        gateway.Exec("wg", "set", gatewayInterface, "private-key", gatewayKeyFile, "listen-port", "51820",
            "peer", routerPublic, "allowed-ips", $"10.201.{index}.2/32,{ClientPrefix}");
        gateway.Exec("ip", "addr", "add", $"10.201.{index}.1/24", "dev", gatewayInterface);
        gateway.Exec("ip", "link", "set", gatewayInterface, "up");
        gateway.Exec("ip", "route", "add", ClientPrefix, "dev", gatewayInterface);

        var forwarding = new GatewayForwarding(new ProcessCommandRunner(gateway.Name));
        var result = forwarding.ApplyAsync(new GatewayForwardingSpec("wan", [gatewayInterface])).GetAwaiter().GetResult();
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("gateway forwarding failed: " + string.Join("; ", result.Errors.Select(static e => e.Message)));
        }

        return new Tunnel(index, gateway, NetNs.UniqueInterfaceName("evr"), routerKeyFile, routerPublic, $"10.201.{index}.2",
            gatewayInterface, gatewayPublic, underlayGateway, $"10.201.{index}.1");
    }

    private (string File, string PublicKey) NewKey(string name)
    {
        var privateKey = NetNs.Run(["wg", "genkey"]).EnsureSuccess().StandardOutput.Trim();
        var publicKey = NetNs.Run(["wg", "pubkey"], privateKey + "\n").EnsureSuccess().StandardOutput.Trim();
        var path = Path.Combine(_keys.FullName, name + ".key");
        File.WriteAllText(path, privateKey + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return (path, publicKey);
    }

    /// <summary>One router-to-gateway tunnel: router side (built by the dataplane) and gateway side (built here).</summary>
    internal sealed record Tunnel(
        int Index,
        NetNs Gateway,
        string RouterInterface,
        string RouterKeyFile,
        string RouterPublicKey,
        string RouterTunnelAddress,
        string GatewayInterface,
        string GatewayPublicKey,
        string GatewayUnderlayAddress,
        string GatewayTunnelAddress);
}
