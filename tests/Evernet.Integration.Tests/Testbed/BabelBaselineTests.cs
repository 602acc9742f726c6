using System.Text.Json;
using Xunit.Abstractions;

namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// The babeld baseline runs end to end once: testbed up, babeld on every router, the client reaches the internet,
/// the uplink of its gateway is cut and the gap probe measures how long the client is cut off. The test checks that
/// the measurement works (convergence, a finite gap, traffic moved to another gateway), not how fast babel is.
/// </summary>
public sealed class BabelBaselineTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task Uplink_cut_under_babeld_converges_and_yields_a_finite_gap()
    {
        Assert.True(File.Exists("/usr/sbin/babeld") || File.Exists("/usr/bin/babeld"), "babeld is not installed (apt-get install babeld)");
        var prefix = TestbedEnvironment.UniquePrefix("bb");
        var environment = new Dictionary<string, string?> { ["EVT_PROBE"] = await TestbedEnvironment.EnsureGapProbeAsync() };
        try
        {
            var result = await ScriptRunner.RunAsync(
                TestbedEnvironment.BabelBaselineScript,
                ["--runs", "1", "--configs", "tuned", "--scenario", "uplink-cut", "--before", "1", "--max-after", "50", "--prefix", prefix],
                TimeSpan.FromSeconds(150),
                environment);
            output.WriteLine($"elapsed {result.Elapsed.TotalSeconds:0.0} s, exit {result.ExitCode}\n{result.StandardError}\n{result.StandardOutput}");
            Assert.True(result.ExitCode == 0, $"babel-baseline.sh failed (exit {result.ExitCode}):\n{result.StandardError}");

            using var summary = JsonDocument.Parse(result.StandardOutput.Trim().Split('\n')[^1]);
            var run = summary.RootElement.GetProperty("results")[0];
            Assert.True(run.GetProperty("recovered").GetBoolean(), "the client never reached the internet again after the uplink cut");
            // the failover gap: the longest silence that ended after the probe was told the cut was coming
            Assert.Equal(JsonValueKind.Number, run.GetProperty("cutAtMs").ValueKind);
            var gap = run.GetProperty("failoverGapMs").GetDouble();
            Assert.True(double.IsFinite(gap) && gap > 0, $"gap {gap}");

            var cut = run.GetProperty("cutGateway").GetString();
            var now = run.GetProperty("newGateway").GetString();
            Assert.Matches("^gw[1-3]$", cut);
            Assert.Matches("^gw[1-3]$", now);
            Assert.NotEqual(cut, now); // the traffic really moved: replies come through another gateway's NAT
        }
        finally
        {
            await ScriptRunner.RunAsync(TestbedEnvironment.TestbedScript, ["down", "--prefix", prefix], TimeSpan.FromSeconds(60));
            Assert.Empty(LeftoverNamespaces(prefix));
        }
    }

    /// <summary>Namespaces of this run still present (`ip netns` keeps them as files in /run/netns).</summary>
    private static List<string> LeftoverNamespaces(string prefix) =>
        Directory.Exists("/run/netns")
            ? Directory.GetFiles("/run/netns").Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList()
            : [];
}
