using System.Reflection;
using Evernet.Daemon.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Evernet.Integration.Tests.Configuration;

public sealed class EvernetdConfigurationTests
{
    private static readonly Dictionary<string, string> NoEnvironment = new();

    private static ConfigurationLoadResult Load(string path, IReadOnlyDictionary<string, string>? env = null, params string[] args) =>
        EvernetdConfiguration.Load(DaemonCommandLine.Parse(["--config", path, .. args]), env ?? NoEnvironment);

    [Fact]
    public void The_example_config_is_valid_and_says_what_it_says()
    {
        var result = Load(ConfigFiles.ExampleConfig());
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var o = result.Options!;
        Assert.Equal("router-17", o.NodeName);
        Assert.Equal(["mesh0"], o.MeshInterfaces);
        Assert.Equal(2, o.TrafficClasses.Count);
        Assert.Equal("lowest-latency", o.TrafficClasses[0].Strategy);
        Assert.Equal([5060, 5061], o.TrafficClasses[0].Match.Ports);
        Assert.Equal("gw-north", o.TrafficClasses[1].Gateway);
        Assert.Equal(3, o.Gateway.ProbeTargets.Count);
        Assert.Equal("icmp:9.9.9.9", o.Gateway.ProbeTargets[0].ToSpec());
        Assert.Equal("http://detectportal.firefox.com/success.txt", o.Gateway.ProbeTargets[2].ToSpec());
        Assert.Null(o.Metrics.ListenAddress); // JSON null: off
        Assert.Null(o.WebAdmin.ListenAddress);
    }

    [Fact]
    public void Defaults_apply_to_everything_not_written()
    {
        using var files = new ConfigFiles();
        var result = Load(files.Minimal());
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var o = result.Options!;
        Assert.Equal("node", o.Role);
        Assert.False(o.IsGateway);
        Assert.Equal("/var/lib/evernet", o.StateDirectory);
        Assert.Equal("/var/lib/evernet/wireguard.key", o.EffectiveWireGuardKeyFile);
        Assert.Equal(7946, o.Gossip.Port);
        Assert.Equal(["0.0.0.0", "::"], o.Gossip.EffectiveListenAddresses);
        Assert.Equal("/run/evernet/evernetd.sock", o.ControlSocket);
        Assert.Null(o.Metrics.ListenAddress);
        Assert.Null(o.WebAdmin.ListenAddress);
        Assert.True(o.Discovery.Enabled);
        Assert.False(o.DryRun);
        Assert.Equal(51820, o.WireGuard.ListenPort);
        Assert.Equal(4096, o.Routing.ResilientBuckets);
        var gossip = o.Gossip.Timing.ToGossipOptions();
        Assert.Equal(new Evernet.Gossip.GossipOptions().ProbeInterval, gossip.ProbeInterval);
    }

    [Fact]
    public void Environment_overrides_the_file_and_the_command_line_overrides_both()
    {
        using var files = new ConfigFiles();
        var path = files.Minimal("\"gossip\": { \"port\": 7000 }");
        var env = new Dictionary<string, string>
        {
            ["EVERNET_GOSSIP__PORT"] = "7100",
            ["EVERNET_LOGLEVEL"] = "Debug",
            ["EVERNET_GOSSIP__TIMING__PROBEINTERVALMS"] = "500",
            ["PATH"] = "/usr/bin", // not ours: ignored
        };
        var o = Load(path, env).Options!;
        Assert.Equal(7100, o.Gossip.Port);
        Assert.Equal("Debug", o.LogLevel);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.Gossip.Timing.ToGossipOptions().ProbeInterval);

        var cli = Load(path, env, "--gossip:port=7200", "--nodeName", "router-99", "--dry-run");
        Assert.True(cli.IsValid, string.Join("\n", cli.Errors));
        Assert.Equal(7200, cli.Options!.Gossip.Port);
        Assert.Equal("router-99", cli.Options.NodeName);
        Assert.True(cli.Options.DryRun);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        using var files = new ConfigFiles();
        var path = files.Write($$"""
            // leading comment
            {
              /* block */ "nodeName": "r1", // trailing
              "authorities": [ "{{ConfigFiles.Authority}}", ],
              "meshInterfaces": [ "mesh0" ],
            }
            """);
        var result = Load(path);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Every_unknown_key_and_mistyped_value_is_named_at_once()
    {
        using var files = new ConfigFiles();
        var path = files.Minimal("""
            "gossip": { "prot": 7000, "port": "seventy", "timing": { "probeIntervalMS": "fast", "suspicionMultiplier": "x" } },
            "trafficClasses": [ { "name": "a", "match": { "portz": [ 1 ] } } ],
            "dryRun": "maybe",
            "gateway": 5,
            "wireguard": { "mtu": 1.5 }
            """);
        var errors = Load(path).Errors;
        Assert.Contains("gossip.prot: unknown key", errors);
        Assert.Contains("gossip.port: 'seventy' is not an integer", errors);
        Assert.Contains("gossip.timing.probeIntervalMS: 'fast' is not an integer", errors); // keys are case-insensitive
        Assert.Contains("gossip.timing.suspicionMultiplier: 'x' is not a number", errors);
        Assert.Contains("trafficClasses[0].match.portz: unknown key", errors);
        Assert.Contains("dryRun: 'maybe' is not true or false", errors);
        Assert.Contains("gateway: must be an object, not '5'", errors);
        Assert.Contains("wireguard.mtu: '1.5' is not an integer", errors);
        Assert.Equal(8, errors.Count);
    }

    [Fact]
    public void Unknown_keys_do_not_hide_other_problems()
    {
        using var files = new ConfigFiles();
        var errors = Load(files.Minimal("\"gossip\": { \"prot\": 1 }, \"role\": \"gw\"")).Errors;
        Assert.Equal(["gossip.prot: unknown key", "role: must be node or gateway, not 'gw'"], errors);
    }

    [Fact]
    public void Unknown_environment_and_command_line_keys_are_named_too()
    {
        using var files = new ConfigFiles();
        var errors = Load(files.Minimal(), new Dictionary<string, string> { ["EVERNET_GOSIP__PORT"] = "1" }, "--nodeNmae=x").Errors;
        Assert.Contains("GOSIP: unknown key", errors);
        Assert.Contains("nodeNmae: unknown key", errors);
    }

    [Fact]
    public void Broken_json_names_the_file_and_the_line()
    {
        using var files = new ConfigFiles();
        var path = files.Write("{\n  \"nodeName\": \"r1\"\n  \"role\": \"node\"\n}");
        var error = Assert.Single(Load(path).Errors);
        Assert.StartsWith(path + ": not valid JSON", error);
        Assert.Contains("LineNumber: 2", error);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Single(Load("/nonexistent/evernetd.json").Errors);
        Assert.Equal("/nonexistent/evernetd.json: configuration file not found", error);
    }

    [Fact]
    public void Options_register_with_start_validation_in_dependency_injection()
    {
        using var files = new ConfigFiles();
        var configuration = EvernetdConfiguration.Build(DaemonCommandLine.Parse(["--config", files.Minimal("\"role\": \"gateway\"")]), NoEnvironment);
        using var services = new ServiceCollection().AddEvernetdOptions(configuration).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<EvernetdOptions>>().Value);
        Assert.Contains("gateway.capacityDownBps: must be > 0 when role is gateway", error.Failures);

        var good = EvernetdConfiguration.Build(DaemonCommandLine.Parse(["--config", files.Minimal()]), NoEnvironment);
        using var valid = new ServiceCollection().AddEvernetdOptions(good).BuildServiceProvider();
        Assert.Equal("router-17", valid.GetRequiredService<IOptions<EvernetdOptions>>().Value.NodeName);
    }

    [Fact]
    public void The_schema_lists_exactly_the_settable_keys_of_the_model()
    {
        var fromModel = new SortedSet<string>(StringComparer.Ordinal);
        Walk(typeof(EvernetdOptions), "", fromModel);
        Assert.Equal(fromModel, new SortedSet<string>(ConfigurationSchema.KnownLeaves.Keys, StringComparer.Ordinal));

        static void Walk(Type type, string prefix, SortedSet<string> leaves)
        {
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var path = prefix + p.Name.ToLowerInvariant();
                var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
                {
                    var item = t.GetGenericArguments()[0];
                    if (item.IsPrimitive || item == typeof(string)) leaves.Add(path + ":*");
                    else Walk(item, path + ":*:", leaves);
                }
                else if (t.IsPrimitive || t == typeof(string) || t == typeof(decimal)) leaves.Add(path);
                else Walk(t, path + ":", leaves);
            }
        }
    }

    [Fact]
    public void Command_line_flags_are_separated_from_overrides()
    {
        var cmd = DaemonCommandLine.Parse(["--check-config", "--config=/etc/x.json", "--reset-version-floor", "--gossip:port=1", "--logLevel", "Debug"]);
        Assert.True(cmd.CheckConfig);
        Assert.True(cmd.ResetVersionFloor);
        Assert.Equal("/etc/x.json", cmd.ConfigPath);
        Assert.Equal(["--gossip:port=1", "--logLevel", "Debug"], cmd.ConfigurationArguments);
        Assert.Empty(cmd.Errors);
        Assert.Equal(EvernetdConfiguration.DefaultConfigPath, DaemonCommandLine.Parse([]).ConfigPath);
        Assert.Equal(["--config needs a file path"], DaemonCommandLine.Parse(["--config"]).Errors);
    }

    [Fact]
    public void Gossip_timing_overrides_map_onto_the_core_options()
    {
        var timing = new GossipTimingSettings { ProbeIntervalMs = 2000, ProbeTimeoutMs = 800, IndirectChecks = 5, SuspicionMultiplier = 6, GatewayProbeIntervalMs = 100, TombstoneRetentionMs = 60_000, RecordRefreshIntervalMs = 120_000 };
        var o = timing.ToGossipOptions();
        Assert.Equal(TimeSpan.FromSeconds(2), o.ProbeInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(800), o.ProbeTimeout);
        Assert.Equal(5, o.IndirectChecks);
        Assert.Equal(6, o.SuspicionMultiplier);
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.GatewayProbeInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), o.TombstoneRetention);
        Assert.Equal(TimeSpan.FromMinutes(2), o.RecordRefreshInterval);
        Assert.Equal(new Evernet.Gossip.GossipOptions().UrgentFanout, o.UrgentFanout);
    }
}
