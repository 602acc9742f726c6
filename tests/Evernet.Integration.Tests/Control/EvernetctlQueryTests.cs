using System.Text.Json;
using System.Text.RegularExpressions;
using Evernet.Control.Server;

namespace Evernet.Integration.Tests.Control;

/// <summary>The built evernetctl, run as a real process against a real control socket.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class EvernetctlQueryTests
{
    private static readonly string[] GatewayFields =
    [
        "name", "node_id", "fingerprint", "uplink", "uplink_loss_percent", "uplink_rtt_ms", "path_loss_percent", "path_rtt_ms",
        "capacity_down_bps", "capacity_up_bps", "load_down_bps", "load_up_bps", "load_percent", "active_flows", "draining",
        "weight", "share_percent", "tunnel_interface", "tunnel_state", "last_handshake_age_seconds", "summary_version",
        "summary_age_seconds", "targets", "usable", "reason", "usability_since_seconds",
    ];

    [Fact]
    public async Task Every_query_prints_json_with_the_documented_fields()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler());

        async Task<JsonElement> Json(string command)
        {
            var result = await Evernetctl.RunAsync(command, "--json", "--socket", server.SocketPath);
            Assert.True(result.ExitCode == 0, $"{command} --json exited {result.ExitCode}: {result.Stderr}");
            using var document = JsonDocument.Parse(result.Stdout);
            return document.RootElement.Clone();
        }

        var status = await Json("status");
        AssertFields(status, "node", "membership", "gateways", "usable_gateways");
        AssertFields(status.GetProperty("node"), "name", "roles", "node_id", "fingerprint", "uptime_seconds", "version", "incarnation", "draining", "at_unix_ms");
        AssertFields(status.GetProperty("membership"), "alive", "suspect", "dead", "left");
        Assert.Equal(4, status.GetProperty("gateways").GetArrayLength());
        foreach (var gateway in status.GetProperty("gateways").EnumerateArray()) AssertFields(gateway, GatewayFields);
        var north = status.GetProperty("gateways").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "gw-north");
        AssertFields(north.GetProperty("targets")[0], "target", "loss_percent", "rtt_ms", "jitter_ms");
        Assert.Equal(2, status.GetProperty("usable_gateways").GetInt32());
        Assert.Equal(0.8, north.GetProperty("summary_age_seconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("gateways")[3].GetProperty("uplink").ValueKind); // gw-west: no summary yet

        var members = await Json("members");
        AssertFields(members, "at_unix_ms", "members");
        Assert.Equal(6, members.GetProperty("members").GetArrayLength());
        foreach (var member in members.GetProperty("members").EnumerateArray())
            AssertFields(member, "name", "node_id", "fingerprint", "roles", "state", "incarnation", "addresses", "since_unix_ms", "since_seconds",
                "certificate_serial", "certificate_not_after_unix_seconds");

        var gateways = await Json("gateways");
        AssertFields(gateways, "at_unix_ms", "gateways");
        foreach (var gateway in gateways.GetProperty("gateways").EnumerateArray()) AssertFields(gateway, GatewayFields);

        var routes = await Json("routes");
        AssertFields(routes, "tables");
        foreach (var table in routes.GetProperty("tables").EnumerateArray())
        {
            AssertFields(table, "name", "table", "mode", "source_prefixes", "nexthops", "in_sync");
            foreach (var nexthop in table.GetProperty("nexthops").EnumerateArray()) AssertFields(nexthop, "gateway", "interface", "installed_weight", "desired_weight");
        }

        var events = await Json("events");
        AssertFields(events, "events");
        Assert.Equal(4, events.GetProperty("events").GetArrayLength());
        foreach (var e in events.GetProperty("events").EnumerateArray()) AssertFields(e, "at_unix_ms", "at", "kind", "subject", "detail");

        var metrics = await Json("metrics");
        AssertFields(metrics, "text");
        Assert.Contains("evernet_failovers_total 3", metrics.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Human_readable_output_of_every_query()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler());
        string socket = server.SocketPath;

        var status = await Evernetctl.RunAsync("status", "--socket", socket);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("gateways  2 of 4 usable", status.Stdout);
        Assert.Matches(@"gw-north\s+up\s+0\.5%\s+13ms\s+43%\s+60%\s+up 14s\s+0\.8s\s+yes", status.Stdout);
        Assert.Matches(@"gw-west\s+-\s+-\s+-\s+-\s+0%\s+-\s+-\s+no-summary-yet", status.Stdout);
        Assert.DoesNotContain('\u001b', status.Stdout); // not a terminal: no colour

        var members = await Evernetctl.RunAsync("members", "--socket", socket);
        Assert.Equal(0, members.ExitCode);
        Assert.Matches(@"gw-east\s+[0-9a-f]{16}\s+node,gateway\s+suspect", members.Stdout);
        Assert.Contains("192.0.2.1:7946 [2001:db8::1]:7946", members.Stdout);

        var gateways = await Evernetctl.RunAsync("gateways", "--socket", socket);
        Assert.Equal(0, gateways.ExitCode);
        Assert.Contains("tunnel     wg-gw-north up, last handshake 14s ago", gateways.Stdout);
        Assert.Contains("not usable: uplink-down", gateways.Stdout);

        var routes = await Evernetctl.RunAsync("routes", "--socket", socket);
        Assert.Equal(0, routes.ExitCode);
        Assert.Contains("voip  table 101  ctmark  not in sync", routes.Stdout);

        var events = await Evernetctl.RunAsync("events", "--limit", "1", "--socket", socket);
        Assert.Equal(0, events.ExitCode);
        Assert.Single(events.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("rejected", events.Stdout);

        var metrics = await Evernetctl.RunAsync("metrics", "--socket", socket);
        Assert.Equal((0, "# HELP evernet_failovers_total Failovers.\n# TYPE evernet_failovers_total counter\nevernet_failovers_total 3\n"), (metrics.ExitCode, metrics.Stdout));

        // The socket can also come from the environment.
        var fromEnvironment = await Evernetctl.RunAsync(["reload-certificate"], environment: new Dictionary<string, string> { ["EVERNET_SOCKET"] = socket });
        Assert.Equal(0, fromEnvironment.ExitCode);
        Assert.Contains("using certificate serial 8 for r17", fromEnvironment.Stdout);
    }

    [Fact]
    public async Task Status_fits_80_columns_even_with_long_names()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler(longNames: "-with-a-rather-long-name-suffix-0123456789"));
        var status = await Evernetctl.RunAsync("status", "--socket", server.SocketPath);
        Assert.Equal(0, status.ExitCode);
        string[] lines = status.Stdout.Split('\n');
        Assert.True(lines.Length > 6);
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: '{line}'"));
        Assert.Contains("gw-north-wi~", status.Stdout);
    }

    [Fact]
    public async Task Status_is_coloured_on_a_terminal_unless_NO_COLOR()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler(longNames: "-with-a-rather-long-name-suffix-0123456789"));
        string command = $"{Evernetctl.DotnetPath} {Evernetctl.DllPath} status --socket {server.SocketPath}";

        // script(1) gives evernetctl a pseudo-terminal as stdout. On a terminal the .NET console also switches the keypad
        // mode (ESC[?1h ESC=, invisible): not ours, and not part of the layout.
        var coloured = TerminalModes().Replace(await Evernetctl.RunInTerminalAsync(command, noColor: false), "");
        Assert.Contains("\u001b[32m", coloured);
        string[] lines = Regex.Replace(coloured, "\u001b\\[[0-9;]*m", "").Replace("\r", "").Split('\n');
        Assert.Contains(lines, l => l.StartsWith("GATEWAY", StringComparison.Ordinal));
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: '{line}'"));

        var plain = TerminalModes().Replace(await Evernetctl.RunInTerminalAsync(command, noColor: true), "");
        Assert.Contains("GATEWAY", plain);
        Assert.DoesNotContain('\u001b', plain);
    }

    [Fact]
    public async Task Status_exits_1_when_no_gateway_is_usable()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler(noneUsable: true));
        var status = await Evernetctl.RunAsync("status", "--socket", server.SocketPath);
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("gateways  0 of 4 usable  (degraded: no gateway usable)", status.Stdout);
        var json = await Evernetctl.RunAsync("status", "--json", "--socket", server.SocketPath);
        Assert.Equal(1, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal(0, document.RootElement.GetProperty("usable_gateways").GetInt32());
    }

    [Fact]
    public async Task Daemon_not_running_exits_2_with_the_reason()
    {
        await using var sandbox = new ControlSandbox();
        string missing = sandbox.PathOf("evernetd.sock");
        string[] commands = ["status", "members", "metrics"];
        foreach (var result in await Task.WhenAll(commands.Select(command => Evernetctl.RunAsync(command, "--socket", missing))))
        {
            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"evernetctl: evernetd is not running (no socket at {missing})", result.Stderr.Trim());
            Assert.Equal("", result.Stdout);
        }
        string stale = sandbox.PathOf("stale.sock");
        ControlServerTests.MakeStaleSocket(stale);
        var staleResult = await Evernetctl.RunAsync("status", "--socket", stale);
        Assert.Equal(2, staleResult.ExitCode);
        Assert.Equal($"evernetctl: evernetd is not running (nobody listens on {stale})", staleResult.Stderr.Trim());
    }

    [Fact]
    public async Task Permission_denied_on_the_socket_says_what_to_do()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler());
        File.SetUnixFileMode(server.SocketPath, UnixFileMode.None);
        var result = await Evernetctl.RunAsync(["status", "--socket", server.SocketPath], asNobody: true);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}, stderr: {result.Stderr}");
        Assert.Equal($"evernetctl: permission denied on {server.SocketPath}: run as root or join group evernet", result.Stderr.Trim());

        // The default mode 0660 keeps out users outside the socket's group just as well.
        File.SetUnixFileMode(server.SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        result = await Evernetctl.RunAsync(["members", "--socket", server.SocketPath], asNobody: true);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("permission denied", result.Stderr);

        // Root may.
        Assert.Equal(0, (await Evernetctl.RunAsync("members", "--socket", server.SocketPath)).ExitCode);
    }

    [Fact]
    public async Task Wrong_protocol_version_exits_2_with_both_versions_named()
    {
        await using var sandbox = new ControlSandbox();
        string path = sandbox.PathOf("future.sock");
        await using var future = FakeDaemon.Answering(path, "{\"v\":7,\"ok\":true,\"data\":{\"whatever\":1}}");
        var result = await Evernetctl.RunAsync("status", "--socket", path);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"evernetctl: evernetd on {path} speaks control protocol version 7, this evernetctl speaks version 1: use evernetctl from the same release as evernetd",
            result.Stderr.Trim());

        string old = sandbox.PathOf("old.sock");
        await using var oldDaemon = FakeDaemon.Answering(old, "{\"v\":0,\"ok\":false,\"error\":{\"code\":\"unsupported_version\",\"message\":\"evernetd speaks control protocol version 0, the request uses version 1\"}}");
        result = await Evernetctl.RunAsync("members", "--socket", old);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("version 0", result.Stderr);
    }

    [Fact]
    public async Task Refused_command_exits_3_and_usage_errors_64()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler());
        var drain = await Evernetctl.RunAsync("drain", "--socket", server.SocketPath);
        Assert.Equal(3, drain.ExitCode);
        Assert.Equal("evernetctl: this node is not a gateway: nothing to drain", drain.Stderr.Trim());

        var gatewayServer = sandbox.Start(new TestControlHandler { IsGateway = true }, socketName: "gw.sock");
        var drained = await Evernetctl.RunAsync("drain", "--socket", gatewayServer.SocketPath);
        Assert.Equal((0, "draining"), (drained.ExitCode, drained.Stdout.Trim()));

        string[][] usageErrors = [[], ["status", "--bogus"], ["frobnicate"], ["events", "--limit", "many"], ["events", "--limit", "-1"], ["cert", "issue"]];
        var results = await Task.WhenAll(usageErrors.Select(args => Evernetctl.RunAsync(args)));
        foreach (var (args, result) in usageErrors.Zip(results))
        {
            Assert.True(result.ExitCode == 64, $"evernetctl {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
            Assert.Contains("evernetctl --help", result.Stderr);
        }
        Assert.Equal(0, (await Evernetctl.RunAsync("--help")).ExitCode);
    }

    [GeneratedRegex("\u001b\\[\\?1[hl]\u001b[=>]")]
    private static partial Regex TerminalModes();

    private static void AssertFields(JsonElement element, params string[] expected)
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        var actual = element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.Order(StringComparer.Ordinal).ToArray(), actual);
    }
}
