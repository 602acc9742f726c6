using System.Text.Json;

namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// One running testbed (tests/testbed/testbed.sh) under its own namespace prefix. Disposing it runs `down`, which
/// removes every namespace of the prefix and ends the processes in them, whatever state the test left.
/// </summary>
public sealed class TestbedInstance : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private TestbedInstance(string prefix, string probeCommand, JsonDocument topology)
    {
        Prefix = prefix;
        ProbeCommand = probeCommand;
        Topology = topology;
    }

    public string Prefix { get; }

    /// <summary>How to run Evernet.GapProbe ("dotnet …/Evernet.GapProbe.dll"), split into words for exec.</summary>
    public string ProbeCommand { get; }

    /// <summary>`testbed.sh topology --json`: routers, addresses, links, clients, server.</summary>
    public JsonDocument Topology { get; }

    public const string ServerAddress = "198.51.100.10";
    public const string UdpTarget = ServerAddress + ":4000";
    public const string TcpTarget = ServerAddress + ":4001";

    public static async Task<TestbedInstance> UpAsync(string tag, string underlay = "static")
    {
        var probe = await TestbedEnvironment.EnsureGapProbeAsync();
        var prefix = TestbedEnvironment.UniquePrefix(tag);
        var environment = new Dictionary<string, string?> { ["EVT_PROBE"] = probe };
        var up = await ScriptRunner.RunAsync(TestbedEnvironment.TestbedScript, ["up", "--prefix", prefix, "--underlay", underlay], CommandTimeout, environment);
        if (up.ExitCode != 0)
        {
            await ScriptRunner.RunAsync(TestbedEnvironment.TestbedScript, ["down", "--prefix", prefix], CommandTimeout);
            throw new InvalidOperationException($"testbed up failed (exit {up.ExitCode}):\n{up.StandardError}");
        }

        var topology = await ScriptRunner.RunAsync(TestbedEnvironment.TestbedScript, ["topology", "--json", "--prefix", prefix], CommandTimeout);
        return new TestbedInstance(prefix, probe, JsonDocument.Parse(topology.StandardOutput));
    }

    /// <summary>Runs a testbed.sh subcommand for this prefix (link, wan, status, …).</summary>
    public Task<ScriptResult> RunAsync(params string[] arguments) =>
        ScriptRunner.RunAsync(TestbedEnvironment.TestbedScript, [arguments[0], "--prefix", Prefix, .. arguments[1..]], CommandTimeout);

    /// <summary>Runs a command inside a node's namespace.</summary>
    public Task<ScriptResult> ExecAsync(string node, params string[] command) =>
        ScriptRunner.RunAsync(TestbedEnvironment.TestbedScript, ["exec", "--prefix", Prefix, node, "--", .. command], CommandTimeout);

    /// <summary>Runs Evernet.GapProbe inside a node's namespace.</summary>
    public Task<ScriptResult> ProbeAsync(string node, params string[] arguments) =>
        ExecAsync(node, [.. ProbeCommand.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. arguments]);

    public JsonElement Router(string name) =>
        Topology.RootElement.GetProperty("routers").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    /// <summary>The address of <paramref name="router"/> on its mesh link towards <paramref name="peer"/>.</summary>
    public string LinkAddress(string router, string peer) =>
        Router(router).GetProperty("meshInterfaces").EnumerateArray()
            .Single(i => i.GetProperty("peer").GetString() == peer).GetProperty("address").GetString()!;

    public async ValueTask DisposeAsync()
    {
        Topology.Dispose();
        await ScriptRunner.RunAsync(TestbedEnvironment.TestbedScript, ["down", "--prefix", Prefix], CommandTimeout);
    }
}
