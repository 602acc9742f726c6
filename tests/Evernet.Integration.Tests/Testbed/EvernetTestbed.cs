using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Evernet.Control.Client;
using Evernet.Control.Dtos;
using Evernet.Integration.Tests.Control;

namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// The end-to-end tests share one testbed with evernetd on all nine routers: building it and converging from cold costs
/// tens of seconds. The collection runs on its own, after the parallel ones (its gaps are timing measurements on a
/// two-core machine), and every test leaves the mesh healthy again or the next test's health check says why not.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EvernetTestbedCollection : ICollectionFixture<EvernetTestbed>
{
    public const string Name = "evernet-testbed";
}

/// <summary>
/// tests/testbed/testbed.sh up, evernet-config (authority, keys, certificates, evernetd.json with logLevel Debug) and
/// evernet-start: the built evernetd on every router with real wireguard-go tunnels, nexthop groups and NAT. Disposing
/// runs `down`, which ends every process in the namespaces (evernetd, wireguard-go, probes, load) and deletes them —
/// also when the start failed halfway.
/// </summary>
public sealed class EvernetTestbed : IAsyncLifetime
{
    public static readonly string[] Gateways = ["gw1", "gw2", "gw3"];
    public static readonly string[] Nodes = ["n1", "n2", "n3", "n4", "n5", "n6"];
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(180);
    private TestbedInstance? _bed;
    private readonly Dictionary<string, DateTimeOffset> _usableSince = [];
    private Dictionary<string, string?> _environment = [];

    public static IEnumerable<string> Routers => Gateways.Concat(Nodes);

    public TestbedInstance Bed => _bed ?? throw new InvalidOperationException("the testbed is not up");

    /// <summary>evernet-config's directory: authority, per-router state, certificate, evernetd.json, log, pid, control socket.</summary>
    public string ConfigDirectory { get; private set; } = "";

    /// <summary>From evernet-start until every node had every gateway usable with a route installed (cold start).</summary>
    public TimeSpan ColdConvergence { get; private set; }

    /// <summary>
    /// When each gateway last became usable everywhere (cold start, or the repair after a test's fault): the weight
    /// controller leaves a gateway out of load balancing while it ramps up and for one ramp time after that.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> UsableSince => _usableSince;

    /// <summary>A test repaired a fault of <paramref name="gateway"/> and saw every node use it again.</summary>
    public void MarkRecovered(string gateway) => _usableSince[gateway] = DateTimeOffset.UtcNow;

    public async Task InitializeAsync()
    {
        if (EvernetFactAttribute.Reason is not null)
        {
            return; // every test skips; nothing to build
        }

        ConfigDirectory = Directory.CreateTempSubdirectory("evernet-e2e-").FullName;
        try
        {
            _bed = await TestbedInstance.UpAsync("e2e");
            var dotnet = Evernetctl.DotnetPath;
            _environment = new Dictionary<string, string?>
            {
                ["EVT_PROBE"] = _bed.ProbeCommand,
                ["EVT_EVERNETD"] = $"{dotnet} {Path.Combine(AppContext.BaseDirectory, "evernetd.dll")}",
                ["EVT_EVERNETCTL"] = $"{dotnet} {Path.Combine(AppContext.BaseDirectory, "evernetctl.dll")}",
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            };
            Require(await TestbedAsync("evernet-config", ConfigDirectory), "evernet-config");
            foreach (var router in Routers)
            {
                var config = Path.Combine(ConfigDirectory, router, "evernetd.json");
                File.WriteAllText(config, File.ReadAllText(config).Replace("\"logLevel\": \"Information\"", "\"logLevel\": \"Debug\"", StringComparison.Ordinal));
            }

            // The kernel's default multipath hash (L3: addresses only) sends every flow of one client to one server
            // through the same gateway; c1's node hashes by port as well, so the tests see one client's flows spread.
            // c2's node keeps the default.
            Require(await Bed.ExecAsync("n1", "sysctl", "-qw", "net.ipv4.fib_multipath_hash_policy=1"), "sysctl on n1");

            var clock = Stopwatch.StartNew();
            Require(await TestbedAsync("evernet-start", ConfigDirectory), "evernet-start");
            await WaitHealthyAsync(TimeSpan.FromSeconds(120));
            ColdConvergence = clock.Elapsed;
            foreach (var gateway in Gateways)
            {
                MarkRecovered(gateway);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync(); // testbed.sh down: every process in the namespaces, then the namespaces
            _bed = null;
        }

        if (ConfigDirectory.Length > 0 && Directory.Exists(ConfigDirectory) && Environment.GetEnvironmentVariable("EVT_KEEP") is not { Length: > 0 })
        {
            Directory.Delete(ConfigDirectory, recursive: true);
        }
    }

    /// <summary>testbed.sh with this testbed's prefix and the evernetd/evernetctl/probe commands in its environment.</summary>
    public Task<ScriptResult> TestbedAsync(string command, params string[] arguments) =>
        ScriptRunner.RunAsync(TestbedEnvironment.TestbedScript, [command, "--prefix", Bed.Prefix, .. arguments], ScriptTimeout, _environment);

    public string Namespace(string node) => Bed.Prefix + node;

    public ControlClient Control(string router) => new(ControlSocket(router), TimeSpan.FromSeconds(5));

    public string ControlSocket(string router) => Path.Combine(ConfigDirectory, router, "evernetd.sock");

    public string StateFile(string router, string name) => Path.Combine(ConfigDirectory, router, "state", name);

    /// <summary>evernetctl (the built CLI, as an operator runs it) against a router's control socket.</summary>
    internal Task<Evernetctl.Result> EvernetctlAsync(string router, params string[] arguments) =>
        Evernetctl.RunAsync([.. arguments, "--socket", ControlSocket(router)]);

    /// <summary>The gateway whose NAT gave the server this source address: 203.0.113.(4K+2) is gwK's WAN address.</summary>
    public static string GatewayOfSource(string? source)
    {
        var last = source?.Split('.') is [_, _, _, var octet] ? int.Parse(octet, CultureInfo.InvariantCulture) : -1;
        return last >= 6 && (last - 2) % 4 == 0 ? $"gw{(last - 2) / 4}" : throw new ArgumentException($"'{source}' is no gateway's WAN address");
    }

    public static string WanAddress(string gateway) => $"203.0.113.{(4 * int.Parse(gateway[2..], CultureInfo.InvariantCulture)) + 2}";

    /// <summary>
    /// Waits until every node sees every gateway usable with a positive weight and a live tunnel, and has the
    /// weighted route over all three installed. Throws with the last problem and the log tails otherwise.
    /// </summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string? problem;
        do
        {
            problem = await HealthProblemAsync();
            if (problem is null)
            {
                return;
            }

            await Task.Delay(250);
        }
        while (clock.Elapsed < timeout);
        throw new TimeoutException($"the mesh is not healthy after {timeout.TotalSeconds:0} s: {problem}\n{LogTails(problem.Split(':')[0], 30)}");
    }

    private async Task<string?> HealthProblemAsync()
    {
        foreach (var node in Nodes)
        {
            try
            {
                var status = await Control(node).GetStatusAsync();
                if (status.Gateways.Count != Gateways.Length)
                {
                    return $"{node}: knows {status.Gateways.Count} gateways";
                }

                if (status.Gateways.FirstOrDefault(g => !g.Usable || g.Weight <= 0 || g.TunnelState != "up") is { } bad)
                {
                    return $"{node}: gateway {bad.Name} usable={bad.Usable} ({bad.Reason}) weight={bad.Weight} tunnel={bad.TunnelState}";
                }

                var routes = await Control(node).GetRoutesAsync();
                var table = routes.Tables.FirstOrDefault(t => t.Name == "default");
                if (table is null || table.Nexthops.Count(n => n.InstalledWeight > 0) != Gateways.Length)
                {
                    return $"{node}: default route has {table?.Nexthops.Count(n => n.InstalledWeight > 0) ?? 0} installed gateways";
                }
            }
            catch (ControlClientException e)
            {
                return $"{node}: {e.Message}";
            }
        }

        return null;
    }

    /// <summary>The last lines of each named router's evernetd log (all routers when none is named), for failure messages.</summary>
    public string LogTails(string routers, int lines)
    {
        var names = Routers.Contains(routers) ? [routers] : Routers;
        var text = new StringBuilder();
        foreach (var router in names)
        {
            var log = Path.Combine(ConfigDirectory, router, "evernetd.log");
            if (!File.Exists(log))
            {
                continue;
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"--- {router} evernetd.log (last {lines} lines, debug lines left out)");
            foreach (var line in File.ReadLines(log).Where(l => !l.Contains(" dbug: ", StringComparison.Ordinal)).TakeLast(lines))
            {
                text.AppendLine(line);
            }
        }

        return text.ToString();
    }

    /// <summary>Process ids of every process with the given name inside a router's namespace.</summary>
    public async Task<List<int>> ProcessesAsync(string router, string command)
    {
        var pids = await ScriptRunner.RunCommandAsync("ip", ["netns", "pids", Namespace(router)], TimeSpan.FromSeconds(10));
        var found = new List<int>();
        foreach (var line in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, CultureInfo.InvariantCulture, out var pid) && TryReadComm(pid) == command)
            {
                found.Add(pid);
            }
        }

        return found;
    }

    public int DaemonPid(string router) =>
        int.Parse(File.ReadAllText(Path.Combine(ConfigDirectory, router, "evernetd.pid")).Trim(), CultureInfo.InvariantCulture);

    public static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}") && TryReadComm(pid) is not null;

    /// <summary>Reads one report written by Evernet.GapProbe (stdout), with the command output in the exception otherwise.</summary>
    public static JsonDocument ParseReport(ScriptResult result, string what)
    {
        try
        {
            return JsonDocument.Parse(result.StandardOutput);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{what}: no JSON report (exit {result.ExitCode}): {e.Message}\n{result.StandardOutput}\n{result.StandardError}", e);
        }
    }

    private static string? TryReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Require(ScriptResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed (exit {result.ExitCode}):\n{result.StandardOutput}\n{result.StandardError}");
        }
    }
}
