using System.Text.Json;
using Evernet.Control;
using Evernet.Daemon.Configuration;
using Evernet.Gossip.Identity;

namespace Evernet.Integration.Tests.Packaging;

/// <summary>
/// The OpenWrt package's shell side: the UCI → JSON translation (evernet-uci2json) and the procd init script, run for
/// real under dash and BusyBox sh. Translated configurations are judged by the daemon's own configuration check.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OpenWrtTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("evernet-openwrt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (int Code, IReadOnlyList<string> Messages) Check(string jsonPath) =>
        ConfigCheck.Run(["--check-config", "--config", jsonPath], new Dictionary<string, string>());

    private async Task<(JsonElement Json, string Path)> TranslateAsync(string shell, string uciPath)
    {
        var result = await OpenWrtShell.RunAsync(shell, OpenWrtShell.Uci2Json, [uciPath]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);
        var jsonPath = Path.Combine(_dir, Path.GetFileNameWithoutExtension(uciPath) + "-" + shell + ".json");
        File.WriteAllText(jsonPath, result.Stdout);
        using var document = JsonDocument.Parse(result.Stdout);
        return (document.RootElement.Clone(), jsonPath);
    }

    private (string Authority, string Certificate) IssueCertificate(string name, bool gateway)
    {
        using var authorityKey = NodeKeyPair.Generate();
        var authority = new CertificateAuthority(authorityKey);
        using var node = NodeKeyPair.Generate();
        using var wireGuard = WireGuardKeyPair.Generate();
        var certificate = authority.Issue(node.Id, wireGuard.PublicKey.Span, name,
            gateway ? NodeRoles.Gateway | NodeRoles.Node : NodeRoles.Node, 1, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(_dir, name + ".cert");
        CertificateFiles.WriteCertificate(path, certificate);
        return (authority.Id.ToHex(), path);
    }

    [Theory]
    [MemberData(nameof(OpenWrtShell.All), MemberType = typeof(OpenWrtShell))]
    public async Task The_shipped_sample_translates_into_a_configuration_the_daemon_accepts(string shell)
    {
        var (json, path) = await TranslateAsync(shell, OpenWrtShell.SampleConfig);
        Assert.Equal("router-17", json.GetProperty("nodeName").GetString());
        Assert.Equal("node", json.GetProperty("role").GetString());
        Assert.Equal("/etc/evernet/state", json.GetProperty("stateDirectory").GetString());
        Assert.Equal(["0.0.0.0", "::"], json.GetProperty("gossip").GetProperty("listenAddresses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(7946, json.GetProperty("gossip").GetProperty("port").GetInt32());
        Assert.Equal(15, json.GetProperty("wireGuard").GetProperty("persistentKeepaliveSeconds").GetInt32());
        Assert.True(json.GetProperty("discovery").GetProperty("enabled").GetBoolean());
        // The gateway section is kept in UCI for a later role switch but only passed on for a gateway.
        Assert.False(json.TryGetProperty("gateway", out _));

        var (code, messages) = Check(path);
        Assert.True(code == 0, string.Join("\n", messages));
        // The sample's certificate does not exist here: a warning, not an error.
        Assert.Contains(messages, m => m.Contains("certificateFile", StringComparison.Ordinal) && m.StartsWith("warning", StringComparison.Ordinal));

        var enabled = await OpenWrtShell.RunAsync(shell, OpenWrtShell.Uci2Json, ["--enabled", OpenWrtShell.SampleConfig]);
        Assert.Equal("0\n", enabled.Stdout); // shipped disabled: nothing starts before the operator configured it
    }

    [Theory]
    [MemberData(nameof(OpenWrtShell.All), MemberType = typeof(OpenWrtShell))]
    public async Task A_gateway_with_traffic_classes_translates_completely_and_passes_the_check_without_warnings(string shell)
    {
        var (authority, certificate) = IssueCertificate("gw-north", gateway: true);
        var uci = Write("gateway.uci", $$"""
            package evernet

            config evernet 'main'
            	option enabled 'yes'
            	option node_name 'gw-north'
            	option role 'gateway'
            	option state_directory '{{_dir}}/state'
            	list authority '{{authority}}'
            	option certificate_file "{{certificate}}"
            	list mesh_interface 'mesh0'
            	list mesh_interface "mesh1"
            	list client_prefix '10.1.0.0/24'
            	option discovery 'off'
            	option dry_run 1
            	option log_level Debug
            	option metrics_listen '127.0.0.1:9464'
            	option control_socket '{{_dir}}/evernetd.sock'

            config gossip 'gossip'
            	option port '07000'
            	list seed '10.0.0.2:7000'
            	list seed 'gw-south.mesh.example:7000'
            	option bind_interface 'mesh0'
            	option probe_interval_ms '800'
            	option suspicion_multiplier '4.5'

            config wireguard 'wireguard'
            	option listen_port '51821'
            	option mtu '1380'

            config routing 'routing'
            	option table '4300'

            config gateway 'gateway'
            	option wan_interface 'pppoe-wan'
            	option capacity_down '10000000000'
            	option capacity_up '40000000'
            	list probe_target 'icmp 9.9.9.9'
            	list probe_target 'tcp 1.1.1.1:443'
            	list probe_target 'http http://detectportal.firefox.com/success.txt'
            	option probe_interval_ms '250'

            config traffic_class 'voip'
            	option protocol 'udp'
            	list port '5060'
            	list dscp '46'
            	option strategy 'lowest-latency'

            config traffic_class
            	option name 'banking'
            	option protocol 'tcp'
            	list port '443'
            	option strategy 'pinned'
            	option gateway 'gw-north'
            	option failover '0'
            """);
        var (json, path) = await TranslateAsync(shell, uci);
        var gossip = json.GetProperty("gossip");
        Assert.Equal(7000, gossip.GetProperty("port").GetInt32());
        Assert.Equal(800, gossip.GetProperty("timing").GetProperty("probeIntervalMs").GetInt32());
        Assert.Equal(4.5, gossip.GetProperty("timing").GetProperty("suspicionMultiplier").GetDouble());
        Assert.Equal(["mesh0", "mesh1"], json.GetProperty("meshInterfaces").EnumerateArray().Select(e => e.GetString()));
        var gateway = json.GetProperty("gateway");
        Assert.Equal(10_000_000_000UL, gateway.GetProperty("capacityDownBps").GetUInt64()); // no 1e+10 from awk
        Assert.Equal(["icmp", "tcp", "http"], gateway.GetProperty("probeTargets").EnumerateArray().Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal("1.1.1.1:443", gateway.GetProperty("probeTargets")[1].GetProperty("address").GetString());
        var classes = json.GetProperty("trafficClasses").EnumerateArray().ToList();
        Assert.Equal(["voip", "banking"], classes.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal([5060], classes[0].GetProperty("match").GetProperty("ports").EnumerateArray().Select(p => p.GetInt32()));
        Assert.False(classes[1].GetProperty("failover").GetBoolean());
        Assert.False(json.GetProperty("discovery").GetProperty("enabled").GetBoolean());
        Assert.True(json.GetProperty("dryRun").GetBoolean());

        var (code, messages) = Check(path);
        Assert.True(code == 0, string.Join("\n", messages));
        Assert.DoesNotContain(messages, m => m.StartsWith("warning", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(OpenWrtShell.All), MemberType = typeof(OpenWrtShell))]
    public async Task Quoting_and_escapes_survive_into_JSON_strings(string shell)
    {
        const string hash = "pbkdf2-sha256$600000$c2FsdA==$\"quoted\" \\ back'slash";
        var uci = Write("quoting.uci", """
            config evernet 'main'
            	option node_name router-1 # a comment after a value
            	list authority '0000000000000000000000000000000000000000000000000000000000000001'
            	option web_password_hash 'pbkdf2-sha256$600000$c2FsdA==$"quoted" \ back'\''slash'
            """);
        var (json, _) = await TranslateAsync(shell, uci);
        Assert.Equal("router-1", json.GetProperty("nodeName").GetString());
        Assert.Equal(hash, json.GetProperty("webAdmin").GetProperty("passwordHash").GetString());

        var uciDouble = Write("quoting2.uci", """
            config evernet main
            	option node_name "router-2"
            	list authority "0000000000000000000000000000000000000000000000000000000000000001"
            	option web_password_hash "pbkdf2-sha256$600000$c2FsdA==$\"quoted\" \\ back'slash"
            """);
        var (json2, _) = await TranslateAsync(shell, uciDouble);
        Assert.Equal(hash, json2.GetProperty("webAdmin").GetProperty("passwordHash").GetString());
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "unknown option", "config evernet 'main'\n\toption node_nmae 'r1'\n\tlist authority 'aa'\n", ":2: unknown option \"node_nmae\" in section \"evernet\"" },
        { "missing node name", "config evernet 'main'\n\tlist authority 'aa'\n", ":1: option node_name is required" },
        { "missing authority", "config evernet 'main'\n\toption node_name 'r1'\n", "list authority is required" },
        { "no evernet section", "config gossip 'gossip'\n\toption port '7946'\n", "no \"config evernet\" section" },
        { "gateway without gateway section", "config evernet 'main'\n\toption node_name 'r1'\n\toption role 'gateway'\n\tlist authority 'aa'\n", "role is gateway: a \"config gateway\" section is required" },
        { "bad role", "config evernet 'main'\n\toption node_name 'r1'\n\toption role 'router'\n\tlist authority 'aa'\n", ":3: role router: must be one of node,gateway" },
        { "port not a number", "config evernet 'main'\n\toption node_name 'r1'\n\tlist authority 'aa'\nconfig gossip 'gossip'\n\toption port '79x6'\n", ":5: port 79x6: not a whole number" },
        { "negative number", "config evernet 'main'\n\toption node_name 'r1'\n\tlist authority 'aa'\nconfig wireguard 'wireguard'\n\toption mtu '-1'\n", ":5: mtu -1: not a whole number" },
        { "bad boolean", "config evernet 'main'\n\toption node_name 'r1'\n\tlist authority 'aa'\n\toption discovery 'maybe'\n", ":4: discovery maybe: not a boolean" },
        { "unterminated quote", "config evernet 'main'\n\toption node_name 'r1\n\tlist authority 'aa'\n", ":2: unterminated ' quote" },
        { "option outside a section", "option node_name 'r1'\nconfig evernet 'main'\n", ":1: option node_name outside a config section" },
        { "unknown section", "config evernet 'main'\n\toption node_name 'r1'\n\tlist authority 'aa'\nconfig wireguardd 'wg'\n", ":4: unknown section type \"wireguardd\"" },
        { "second evernet section", "config evernet 'main'\n\toption node_name 'r1'\n\tlist authority 'aa'\nconfig evernet 'other'\n", ":4: a second \"evernet\" section" },
        { "probe target without address", "config evernet 'main'\n\toption node_name 'r1'\n\toption role 'gateway'\n\tlist authority 'aa'\nconfig gateway 'gateway'\n\tlist probe_target 'icmp'\n", ":6: probe_target \"icmp\": expected \"KIND ADDRESS\"" },
        { "list where one value belongs", "config evernet 'main'\n\tlist node_name 'r1'\n\tlist authority 'aa'\n", ":2: node_name: a single value is expected" },
        { "option given twice", "config evernet 'main'\n\toption node_name 'r1'\n\toption node_name 'r2'\n\tlist authority 'aa'\n", ":3: option node_name given twice" },
        { "garbage line", "config evernet 'main'\n\toption node_name 'r1'\n\tlist authority 'aa'\nnode_name = r1\n", ":4: expected config, option or list" },
        { "traffic class without a name", "config evernet 'main'\n\toption node_name 'r1'\n\tlist authority 'aa'\nconfig traffic_class\n\toption protocol 'udp'\n", ":4: traffic_class needs option name" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_UCI_input_is_refused_with_the_file_line_and_reason_under_both_shells(string what, string uci, string expected)
    {
        var path = Write("bad.uci", uci);
        foreach (var shell in new[] { OpenWrtShell.Dash, OpenWrtShell.BusyBox })
        {
            var result = await OpenWrtShell.RunAsync(shell, OpenWrtShell.Uci2Json, [path]);
            Assert.True(result.ExitCode == 1, $"{what} ({shell}): {result}");
            Assert.Equal("", result.Stdout); // nothing half-translated
            Assert.Contains(path + expected, result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Values_the_translation_passes_on_are_judged_by_the_daemon_check()
    {
        var uci = Write("semantic.uci", """
            config evernet 'main'
            	option node_name 'r1'
            	list authority 'not-hex'
            	list client_prefix '10.0.0.1/24'
            """);
        var (_, path) = await TranslateAsync(OpenWrtShell.Dash, uci);
        var (code, messages) = Check(path);
        Assert.Equal(1, code);
        Assert.Contains(messages, m => m.Contains("authorities[0]", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("clientPrefixes[0]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unreadable_file_and_bad_arguments_are_usage_errors()
    {
        var missing = await OpenWrtShell.RunAsync(OpenWrtShell.Dash, OpenWrtShell.Uci2Json, [Path.Combine(_dir, "nope")]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("cannot read", missing.Stderr, StringComparison.Ordinal);
        var option = await OpenWrtShell.RunAsync(OpenWrtShell.Dash, OpenWrtShell.Uci2Json, ["--frobnicate"]);
        Assert.Equal(2, option.ExitCode);
        var stdin = await OpenWrtShell.RunAsync(OpenWrtShell.BusyBox, OpenWrtShell.Uci2Json, ["-"],
            input: "config evernet 'main'\n\toption node_name 'r9'\n\tlist authority 'aa'\n");
        Assert.True(stdin.ExitCode == 0, stdin.ToString());
        Assert.Contains("\"nodeName\": \"r9\"", stdin.Stdout, StringComparison.Ordinal);
    }

    // ---- the procd init script, sourced with procd's functions stubbed ----

    private string Harness(string uci, string json, string action = "start_service")
    {
        // evernetd --check-config must really run: a wrapper around the daemon the tests were built with.
        var daemon = Write("evernetd", $"#!/bin/sh\nexec \"{DotnetHost}\" \"{Path.Combine(AppContext.BaseDirectory, "evernetd.dll")}\" \"$@\"\n");
        File.SetUnixFileMode(daemon, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Write("harness.sh", $"""
            procd_open_instance() {'{'} echo "open_instance $*"; {'}'}
            procd_set_param() {'{'} echo "param $*"; {'}'}
            procd_close_instance() {'{'} echo "close_instance"; {'}'}
            procd_add_reload_trigger() {'{'} echo "reload_trigger $*"; {'}'}
            logger() {'{'} echo "logger $*" >&2; {'}'}
            EVERNET_PROG='{daemon}'
            EVERNET_UCI2JSON='{OpenWrtShell.Uci2Json}'
            EVERNET_UCI='{uci}'
            EVERNET_JSON='{json}'
            EVERNET_RUNDIR='{_dir}/run'
            . '{OpenWrtShell.InitScript}'
            {action}
            echo "rc=$?"
            """);
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";

    private string EnabledNodeUci(string nodeName = "r5")
    {
        var (authority, certificate) = IssueCertificate(nodeName, gateway: false);
        return Write("node.uci", $"""
            config evernet 'main'
            	option enabled '1'
            	option node_name '{nodeName}'
            	list authority '{authority}'
            	option certificate_file '{certificate}'
            	option state_directory '{_dir}/state'
            	option discovery '0'
            config gossip 'gossip'
            	list seed '10.0.0.1:7946'
            """);
    }

    [Theory]
    [MemberData(nameof(OpenWrtShell.All), MemberType = typeof(OpenWrtShell))]
    public async Task The_init_script_generates_the_JSON_and_gives_procd_the_daemon_command_line(string shell)
    {
        var json = Path.Combine(_dir, "etc", "evernetd.json");
        var result = await OpenWrtShell.RunAsync(shell, Harness(EnabledNodeUci(), json), []);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rc=0", lines[^1]);
        Assert.Contains("open_instance evernetd", lines);
        Assert.Contains($"param command {Path.Combine(_dir, "evernetd")} --config {json}", lines);
        Assert.Contains("param respawn 3600 5 5", lines);
        Assert.Contains("param env DOTNET_GCgen0size=200000 DOTNET_gcConcurrent=0", lines);
        Assert.Contains("param term_timeout 20", lines);
        Assert.Contains("close_instance", lines);
        Assert.True(Directory.Exists(Path.Combine(_dir, "run")));
        // The generated file is what the daemon will read: check it as the daemon would.
        var (code, messages) = Check(json);
        Assert.True(code == 0, string.Join("\n", messages));
        Assert.False(File.Exists(json + ".new"));
    }

    [Theory]
    [MemberData(nameof(OpenWrtShell.All), MemberType = typeof(OpenWrtShell))]
    public async Task A_disabled_service_declares_no_instance(string shell)
    {
        var json = Path.Combine(_dir, "evernetd.json");
        var result = await OpenWrtShell.RunAsync(shell, Harness(OpenWrtShell.SampleConfig, json), []);
        Assert.Equal("rc=0\n", result.Stdout);
        Assert.False(File.Exists(json));
    }

    [Theory]
    [MemberData(nameof(OpenWrtShell.All), MemberType = typeof(OpenWrtShell))]
    public async Task A_broken_edit_keeps_the_running_configuration_and_a_first_broken_one_starts_nothing(string shell)
    {
        var uci = EnabledNodeUci();
        var json = Path.Combine(_dir, "evernetd.json");
        var first = await OpenWrtShell.RunAsync(shell, Harness(uci, json), []);
        Assert.True(first.Stdout.EndsWith("rc=0\n", StringComparison.Ordinal), first.ToString());
        var good = File.ReadAllText(json);

        // A typo the translation catches, then one only the daemon's check catches: the old JSON stays, the instance
        // is declared unchanged (procd keeps it running), and the reason is logged.
        File.AppendAllText(uci, "\toption prot '7946'\n");
        var typo = await OpenWrtShell.RunAsync(shell, Harness(uci, json), []);
        Assert.Contains("open_instance evernetd", typo.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("rc=0\n", typo.Stdout, StringComparison.Ordinal);
        Assert.Contains("unknown option \"prot\"", typo.Stderr, StringComparison.Ordinal);
        Assert.Contains("keeping the previous configuration", typo.Stderr, StringComparison.Ordinal);
        Assert.Equal(good, File.ReadAllText(json));

        // Host bits in a prefix: only the daemon's check knows.
        var lines = File.ReadAllLines(uci).Where(l => !l.Contains("option prot", StringComparison.Ordinal))
            .Select(l => l.Contains("option discovery", StringComparison.Ordinal) ? l + "\n\tlist client_prefix '10.1.2.3/8'" : l);
        File.WriteAllLines(uci, lines);
        var semantic = await OpenWrtShell.RunAsync(shell, Harness(uci, json), []);
        Assert.Contains("clientPrefixes[0]", semantic.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("rc=0\n", semantic.Stdout, StringComparison.Ordinal);
        Assert.Equal(good, File.ReadAllText(json));

        File.Delete(json);
        var none = await OpenWrtShell.RunAsync(shell, Harness(uci, json), []);
        Assert.DoesNotContain("open_instance", none.Stdout, StringComparison.Ordinal);
        Assert.Equal("rc=1\n", none.Stdout);
        Assert.False(File.Exists(json));
    }

    [Fact]
    public async Task The_init_script_registers_a_reload_trigger_for_its_UCI_package()
    {
        var json = Path.Combine(_dir, "evernetd.json");
        var result = await OpenWrtShell.RunAsync(OpenWrtShell.BusyBox, Harness(OpenWrtShell.SampleConfig, json, "service_triggers"), []);
        Assert.Equal("reload_trigger evernet\nrc=0\n", result.Stdout);
    }
}
