using System.Collections.Immutable;
using Evernet.Dataplane;
using Evernet.Dataplane.Commands;
using Evernet.Integration.Tests.Infrastructure;
using Evernet.Policy;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>Dry run prints the commands an apply on an empty system would issue and runs nothing.</summary>
public sealed class DryRunTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("evernet-dp-dry-");

    [Fact]
    public async Task Dry_run_prints_the_expected_commands_in_order_and_touches_nothing()
    {
        const string privateKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
        const string peerKey = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
        var keyFile = Path.Combine(_directory.FullName, "wg.key");
        File.WriteAllText(keyFile, privateKey + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var name = NetNs.UniqueInterfaceName("evd");
        var second = NetNs.UniqueInterfaceName("evd");
        var desired = new DesiredDataplane(
            [
                new WireGuardInterfaceSpec(name, keyFile, 51820, ["10.201.1.2/24"], 1420, [new WireGuardPeerSpec(peerKey, "192.0.2.1:51820", ["0.0.0.0/0"], 25)]),
                new WireGuardInterfaceSpec(second, keyFile, 51821, ["10.201.2.2/24"], 1420, [new WireGuardPeerSpec(peerKey, "192.0.2.2:51820", ["0.0.0.0/0"], 25)]),
            ],
            new MultipathRouteSpec(100, 1000, ["10.99.0.0/24"], [new GatewayNexthop("gw1", name, null, 2), new GatewayNexthop("gw2", second, null, 4)], 32, 60),
            [new ClassRouteSpec("voice", TrafficStrategy.Pinned, 0x10, 110, 900, new TrafficMatch("udp", [5060], [46]), [new GatewayNexthop("gw1", name, null, 1)])]);
        using var printed = new StringWriter();
        var runner = new DryRunCommandRunner(printed);

        var result = await new DataplaneApplier(runner).ApplyAsync(desired);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(static e => e.Message)));
        var lines = printed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] sorted = [.. new[] { name, second }.Order(StringComparer.Ordinal)];
        string[] expected =
        [
            $"ip link add dev {name} type wireguard",
            $"ip link set dev {name} alias evernet",
            $"ip link set dev {name} mtu 1420",
            $"ip link set dev {name} up",
            $"sysctl -q -w net/ipv4/conf/{name}/rp_filter=2 net/ipv4/conf/{name}/src_valid_mark=1",
            $"ip link add dev {second} type wireguard",

            // Member ids follow interface names in ordinal order; weights 2:4 are reduced to 1:2.
            $"ip -4 nexthop replace id 243138561 dev {sorted[0]} proto 77",
            $"ip -4 nexthop replace id 243138562 dev {sorted[1]} proto 77",
            $"ip nexthop replace id 243146753 group {(sorted[0] == name ? "243138561,1/243138562,2" : "243138561,2/243138562,1")} type resilient buckets 32 idle_timer 60 proto 77",
            $"ip nexthop replace id 243146754 group {(sorted[0] == name ? "243138561" : "243138562")},1 type resilient buckets 32 idle_timer 60 proto 77",
            "ip -4 route replace default nhid 243146753 table 100 proto 77",
            "ip -4 route replace default nhid 243146754 table 110 proto 77",
            "ip -4 rule add priority 1000 from 10.99.0.0/24 lookup 100 proto 77",
            "ip -4 rule add priority 900 fwmark 0x10 lookup 110 proto 77",
            "nft -f - <<'EOF'",
        ];
        var cursor = 0;
        foreach (var line in expected)
        {
            var found = Array.IndexOf(lines, line, cursor);
            Assert.True(found >= 0, $"missing or out of order: {line}\n--- printed ---\n{printed}");
            cursor = found + 1;
        }

        // A dry run sees an empty system: it creates and configures the interface from scratch, in one wg set.
        Assert.Contains(
            $"wg set {name} private-key {keyFile} listen-port 51820 peer {peerKey} endpoint 192.0.2.1:51820 allowed-ips 0.0.0.0/0 persistent-keepalive 25",
            lines);
        Assert.Contains($"ip addr replace 10.201.1.2/24 dev {name}", lines);
        Assert.Contains("\t\tip saddr { 10.99.0.0/24 } udp dport { 5060 } ip dscp { 46 } meta mark set 0x00000010 return comment", printed.ToString());
        Assert.Contains(
            $"wg set {second} private-key {keyFile} listen-port 51821 peer {peerKey} endpoint 192.0.2.2:51820 allowed-ips 0.0.0.0/0 persistent-keepalive 25",
            lines);
        Assert.DoesNotContain(privateKey, printed.ToString());
        Assert.All(runner.Recorded.Where(static c => c.Kind == CommandKind.Read), static c => Assert.DoesNotContain("replace", c.Arguments));

        // Nothing ran: the interface does not exist on this host.
        Assert.NotEqual(0, NetNs.Run(["ip", "link", "show", "dev", name]).ExitCode);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
