using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// One fault under a client's 10 ms UDP gap probe (Evernet.GapProbe gap). <see cref="Gateway"/> served the probe's flow
/// when the fault came (the probe's first reply named it); <see cref="FailoverGapMs"/> is the longest silence between
/// two replies that ended after the fault, <see cref="LongestGapMs"/> the longest of the whole run.
/// </summary>
public sealed record EvernetGapRun(
    string Client,
    string Gateway,
    double? FailoverGapMs,
    double? LongestGapMs,
    bool Recovered,
    string? SourceAtArm,
    string? FinalSource,
    int GapsOverThreshold,
    string Report)
{
    public string Summary =>
        string.Create(CultureInfo.InvariantCulture, $"client {Client}, gateway at the fault {Gateway} (source at arm {SourceAtArm}), failover gap {FailoverGapMs:0.0} ms, longest gap {LongestGapMs:0.0} ms, gaps over 100 ms: {GapsOverThreshold}, recovered {Recovered}, final source {FinalSource}");

    /// <summary>
    /// Starts the probe in <paramref name="client"/>, waits for its first reply and one more second, arms it, runs
    /// <paramref name="fault"/> with the gateway serving the probe's flow, and returns the probe's report. With
    /// <paramref name="stopAfterRecovery"/> the probe ends 2 s after replies resumed (or 2 s after the fault when no gap
    /// over 100 ms came); otherwise <paramref name="settleAfterFault"/> after the fault returned (SIGTERM to the probe).
    /// </summary>
    public static async Task<EvernetGapRun> MeasureAsync(
        EvernetTestbed testbed, string client, Func<string, Task> fault, int maxSeconds, bool stopAfterRecovery, TimeSpan settleAfterFault = default)
    {
        var work = Directory.CreateTempSubdirectory("evernet-e2e-gap-").FullName;
        try
        {
            var ready = Path.Combine(work, "ready");
            var armed = Path.Combine(work, "armed");
            string[] arguments =
            [
                "gap", "--target", TestbedInstance.UdpTarget, "--interval-ms", "10", "--gap-threshold-ms", "100",
                "--duration", maxSeconds.ToString(CultureInfo.InvariantCulture), "--ready-file", ready, "--arm-file", armed,
                .. stopAfterRecovery ? new[] { "--stop-after-recovery", "2" } : [],
            ];
            var probe = testbed.Bed.ProbeAsync(client, arguments);
            var clock = Stopwatch.StartNew();
            while (!File.Exists(ready) || new FileInfo(ready).Length == 0)
            {
                if (probe.IsCompleted || clock.Elapsed > TimeSpan.FromSeconds(15))
                {
                    var early = probe.IsCompleted ? await probe : null;
                    throw new InvalidOperationException($"the gap probe in {client} got no reply: {early?.StandardOutput}{early?.StandardError}");
                }

                await Task.Delay(20);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            var gateway = EvernetTestbed.GatewayOfSource(File.ReadAllText(ready).Trim());
            await File.WriteAllTextAsync(armed, "");
            await Task.Delay(TimeSpan.FromMilliseconds(50)); // the probe notices the arm file within 10 ms
            await fault(gateway);
            if (!stopAfterRecovery)
            {
                await Task.Delay(settleAfterFault);
                await StopProbesAsync(testbed, client);
            }

            var result = await probe;
            using var report = EvernetTestbed.ParseReport(result, $"gap probe in {client}");
            var root = report.RootElement;
            var changes = root.GetProperty("sourceChanges").EnumerateArray().ToList();
            return new EvernetGapRun(
                client,
                gateway,
                Number(root, "failoverGapMs"),
                Number(root, "longestGapMs"),
                root.GetProperty("recovered").GetBoolean(),
                root.GetProperty("sourceAtArm").GetString(),
                changes.Count > 0 ? changes[^1].GetProperty("to").GetString() : null,
                root.GetProperty("gaps").GetArrayLength(),
                result.StandardOutput);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>SIGTERM to the probe(s) in a client namespace: the gap probe prints its report and exits.</summary>
    private static async Task StopProbesAsync(EvernetTestbed testbed, string client)
    {
        foreach (var pid in await testbed.ProcessesAsync(client, "dotnet"))
        {
            await ScriptRunner.RunCommandAsync("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        }
    }

    private static double? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
