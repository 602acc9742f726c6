using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// The probe's subcommands against its own echo server on loopback (no root needed), and its answers to bad input.
/// </summary>
public sealed class GapProbeLoopbackTests
{
    [Fact]
    public async Task Wait_gap_and_flows_report_a_healthy_loopback_path()
    {
        var probe = (await TestbedEnvironment.EnsureGapProbeAsync()).Split(' ', 2);
        var (udp, tcp) = (FreePort(SocketType.Dgram, ProtocolType.Udp), FreePort(SocketType.Stream, ProtocolType.Tcp));
        using var server = StartServer(probe, udp, tcp);
        try
        {
            var wait = await RunProbeAsync(probe, "wait", "--target", $"127.0.0.1:{udp}", "--timeout", "10");
            Assert.True(wait.ExitCode == 0, wait.StandardError + wait.StandardOutput);
            using (var report = JsonDocument.Parse(wait.StandardOutput))
            {
                Assert.Equal("127.0.0.1", report.RootElement.GetProperty("source").GetString());
            }

            var gap = await RunProbeAsync(probe, "gap", "--target", $"127.0.0.1:{udp}", "--duration", "1");
            using (var report = JsonDocument.Parse(gap.StandardOutput))
            {
                var root = report.RootElement;
                Assert.InRange(root.GetProperty("sent").GetInt64(), 60, 110); // 10 ms for 1 s, give or take timer slack
                Assert.True(root.GetProperty("received").GetInt64() >= root.GetProperty("sent").GetInt64() - 2);
                Assert.True(root.GetProperty("recovered").GetBoolean());
                Assert.True(root.GetProperty("longestGapMs").GetDouble() < 100, gap.StandardOutput);
                Assert.Empty(root.GetProperty("gaps").EnumerateArray());
            }

            var flows = await RunProbeAsync(probe, "flows", "--target", $"127.0.0.1:{tcp}", "--count", "3", "--duration", "1");
            using (var report = JsonDocument.Parse(flows.StandardOutput))
            {
                Assert.True(report.RootElement.GetProperty("allSurvived").GetBoolean(), flows.StandardOutput);
                Assert.Equal(3, report.RootElement.GetProperty("survived").GetInt32());
            }
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Gap_against_a_silent_target_reports_no_replies_and_no_recovery()
    {
        var probe = (await TestbedEnvironment.EnsureGapProbeAsync()).Split(' ', 2);
        var silent = FreePort(SocketType.Dgram, ProtocolType.Udp); // nobody listens: ICMP port unreachable, no replies
        var gap = await RunProbeAsync(probe, "gap", "--target", $"127.0.0.1:{silent}", "--duration", "0.5");
        Assert.Equal(0, gap.ExitCode);
        using var report = JsonDocument.Parse(gap.StandardOutput);
        Assert.Equal(0, report.RootElement.GetProperty("received").GetInt64());
        Assert.False(report.RootElement.GetProperty("recovered").GetBoolean());
        Assert.Equal(JsonValueKind.Null, report.RootElement.GetProperty("longestGapMs").ValueKind);

        var wait = await RunProbeAsync(probe, "wait", "--target", $"127.0.0.1:{silent}", "--timeout", "0.5");
        Assert.Equal(1, wait.ExitCode);
    }

    [Theory]
    [InlineData("gap")]                                              // --target missing
    [InlineData("gap", "--target", "not-an-address")]
    [InlineData("gap", "--target", "127.0.0.1:4000", "--intervall-ms", "5")] // typo
    [InlineData("gap", "--target", "127.0.0.1:4000", "--interval-ms", "0")]
    [InlineData("flows", "--target", "127.0.0.1:0")]
    [InlineData("frobnicate")]
    public async Task Bad_arguments_exit_2_with_a_message(params string[] arguments)
    {
        var probe = (await TestbedEnvironment.EnsureGapProbeAsync()).Split(' ', 2);
        var result = await RunProbeAsync(probe, arguments);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.StandardError);
    }

    private static Task<ScriptResult> RunProbeAsync(string[] probe, params string[] arguments) =>
        ScriptRunner.RunCommandAsync(probe[0], [.. probe[1..], .. arguments], TimeSpan.FromSeconds(60));

    private static Process StartServer(string[] probe, int udp, int tcp)
    {
        var start = new ProcessStartInfo(probe[0]) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var word in probe[1..])
        {
            start.ArgumentList.Add(word);
        }

        foreach (var word in new[] { "serve", "--bind", "127.0.0.1", "--udp", udp.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tcp", tcp.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(word);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the echo server");
        var line = process.StandardOutput.ReadLine(); // "serving …" once both sockets are bound
        Assert.StartsWith("serving", line);
        return process;
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
