using System.Globalization;
using System.Text.RegularExpressions;

namespace Evernet.Integration.Tests.Packaging;

/// <summary>
/// packaging/systemd/evernetd.service as systemd reads it (systemd-analyze works without a running systemd), and the
/// unit's central claim: the dataplane tools work as an unprivileged user holding only the unit's two ambient
/// capabilities.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class SystemdUnitTests : IDisposable
{
    private static string Unit => Path.Combine(PackagingCommand.PackagingDirectory, "systemd", "evernetd.service");
    private readonly string _root = Directory.CreateTempSubdirectory("evernet-unit-root-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A root with the unit, a stand-in executable at /usr/bin/evernetd and the system's own units.</summary>
    private string PrepareRoot(string unitText)
    {
        Directory.CreateDirectory(Path.Combine(_root, "usr", "bin"));
        Directory.CreateDirectory(Path.Combine(_root, "etc", "systemd", "system"));
        Directory.CreateDirectory(Path.Combine(_root, "usr", "lib", "systemd"));
        var exe = Path.Combine(_root, "usr", "bin", "evernetd");
        File.WriteAllText(exe, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var systemUnits = Path.Combine(_root, "usr", "lib", "systemd", "system");
        if (!Directory.Exists(systemUnits)) Directory.CreateSymbolicLink(systemUnits, "/usr/lib/systemd/system");
        File.WriteAllText(Path.Combine(_root, "etc", "systemd", "system", "evernetd.service"), unitText);
        return _root;
    }

    [Fact]
    public async Task The_unit_verifies_without_a_single_complaint()
    {
        var root = PrepareRoot(File.ReadAllText(Unit));
        var result = await PackagingCommand.RunAsync(["systemd-analyze", "verify", "--root=" + root, "evernetd.service"]);
        Assert.True(result.ExitCode == 0 && result.Stdout.Length == 0 && result.Stderr.Length == 0, result.ToString());
    }

    [Fact]
    public async Task Verify_catches_a_misspelt_directive_and_a_missing_executable()
    {
        // The check above can fail: systemd-analyze reports unknown keys (exit 0, on stderr) and a missing ExecStart.
        var root = PrepareRoot(File.ReadAllText(Unit).Replace("KillMode=process", "KilMode=process", StringComparison.Ordinal));
        var typo = await PackagingCommand.RunAsync(["systemd-analyze", "verify", "--root=" + root, "evernetd.service"]);
        Assert.Contains("Unknown key", typo.Stderr, StringComparison.Ordinal);
        File.Delete(Path.Combine(root, "usr", "bin", "evernetd"));
        var missing = await PackagingCommand.RunAsync(["systemd-analyze", "verify", "--root=" + root, "evernetd.service"]);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("/usr/bin/evernetd", missing.Stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Overall exposure level for evernetd\.service: (?<score>\d+\.\d+)")]
    private static partial Regex Exposure();

    [Fact]
    public async Task The_sandbox_keeps_the_exposure_score_low()
    {
        var root = PrepareRoot(File.ReadAllText(Unit));
        var result = await PackagingCommand.RunAsync(["systemd-analyze", "security", "--offline=true", "--root=" + root, "--no-pager", "evernetd.service"]);
        var match = Exposure().Match(result.Stdout);
        Assert.True(match.Success, result.ToString());
        double score = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
        Assert.True(score <= 3.0, $"exposure {score} (was 2.6):\n{result.Stdout}");
    }

    [Fact]
    public void The_unit_keeps_the_settings_the_daemon_relies_on()
    {
        var settings = File.ReadAllLines(Unit).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToLookup(p => p[0], p => p[1]);
        Assert.Equal(["notify"], settings["Type"]);
        Assert.Equal(["process"], settings["KillMode"]); // or a restart kills the wireguard-go tunnels
        Assert.Equal(["78"], settings["RestartPreventExitStatus"]);
        Assert.Equal(["on-failure"], settings["Restart"]);
        Assert.Equal(["/usr/bin/evernetd --check-config"], settings["ExecStartPre"]);
        Assert.Equal(["CAP_NET_ADMIN CAP_NET_RAW"], settings["AmbientCapabilities"]);
        Assert.Equal(["CAP_NET_ADMIN CAP_NET_RAW"], settings["CapabilityBoundingSet"]);
        Assert.Equal(["evernet"], settings["User"]);
        Assert.Equal(["/dev/net/tun rw"], settings["DeviceAllow"]);
        Assert.Equal(["evernet wireguard"], settings["RuntimeDirectory"]);
        Assert.Equal(["yes"], settings["RuntimeDirectoryPreserve"]);
        Assert.Single(settings["WatchdogSec"]);
    }

    /// <summary>
    /// As user nobody with exactly CAP_NET_ADMIN and CAP_NET_RAW as ambient capabilities (what the unit grants), in a
    /// fresh network namespace: wireguard-go makes a tunnel, wg configures it, ip adds an address, a resilient nexthop
    /// group, a route and a rule, nft a table, sysctl turns on forwarding. /run is a private tmpfs with an
    /// nobody-owned /run/wireguard, as RuntimeDirectory= makes it. Without the capabilities the same fails.
    /// </summary>
    [Fact]
    public async Task The_dataplane_tools_work_with_only_the_units_two_ambient_capabilities()
    {
        foreach (var tool in new[] { "wireguard-go", "wg", "ip", "nft", "sysctl", "setpriv", "unshare" })
            Assert.True(PackagingCommand.Which(tool) is not null, $"{tool} is not installed");
        string Script(string caps) => $$"""
            set -eu
            mount -t tmpfs tmpfs /run
            install -d -o nobody -g nogroup -m 0750 /run/wireguard
            ip link set lo up
            (umask 077; wg genkey > /run/wg.key); chown nobody /run/wg.key
            trap 'ip link del evlp0 2>/dev/null || true' EXIT
            setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all{{caps}} --ambient-caps=-all{{caps}} --bounding-set=-all{{caps}} -- sh -c '
              grep -E "^(Uid|CapAmb)" /proc/self/status
              step() { if "$@" >/dev/null 2>&1; then echo "ok $1 $2"; else echo "failed $1 $2"; fi; }
              step env -u LOG_LEVEL -u WG_PROCESS_FOREGROUND wireguard-go evlp0
              step wg set evlp0 private-key /run/wg.key listen-port 51999
              step ip addr add 10.99.0.1/32 dev evlp0
              step ip link set evlp0 up
              step ip nexthop add id 9901 dev evlp0
              step ip nexthop add id 9902 group 9901 type resilient buckets 32
              step ip route add 10.98.0.0/24 nhid 9902 table 4242
              step ip rule add from 10.97.0.0/24 table 4242 priority 4242
              step nft add table inet evernet_lp
              step sysctl -q -w net.ipv4.ip_forward=1
              echo "listen-port $(wg show evlp0 listen-port 2>/dev/null)"
            '
            echo "forwarding $(cat /proc/sys/net/ipv4/ip_forward)"
            """;
        var granted = await PackagingCommand.RunAsync(["unshare", "--mount", "--propagation", "private", "--net", "sh", "-c", Script(",+net_admin,+net_raw")],
            new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
        string log = granted.ToString();
        Assert.True(granted.ExitCode == 0, log);
        Assert.Contains("CapAmb:\t0000000000003000", granted.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("failed", granted.Stdout, StringComparison.Ordinal);
        Assert.Equal(10, Regex.Matches(granted.Stdout, "^ok ", RegexOptions.Multiline).Count);
        Assert.Contains("listen-port 51999", granted.Stdout, StringComparison.Ordinal);
        Assert.Contains("forwarding 1", granted.Stdout, StringComparison.Ordinal);

        var denied = await PackagingCommand.RunAsync(["unshare", "--mount", "--propagation", "private", "--net", "sh", "-c", Script("")],
            new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
        Assert.Contains("CapAmb:\t0000000000000000", denied.Stdout, StringComparison.Ordinal);
        Assert.Contains("failed env", denied.Stdout, StringComparison.Ordinal); // wireguard-go: no TUN without NET_ADMIN
        Assert.Contains("failed nft", denied.Stdout, StringComparison.Ordinal);
        Assert.Contains("failed sysctl", denied.Stdout, StringComparison.Ordinal);
        Assert.Contains("forwarding 0", denied.Stdout, StringComparison.Ordinal);
    }
}
