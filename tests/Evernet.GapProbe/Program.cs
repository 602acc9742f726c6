using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Evernet.GapProbe;

internal static class Program
{
    private const string Usage = """
        Evernet.GapProbe — testbed measuring tool

          serve [--bind ADDR] [--udp PORT] [--tcp PORT]
              UDP and TCP echo servers (answers carry the source address they saw). Runs until SIGTERM.
          gap --target ADDR:PORT [--interval-ms 10] [--duration S] [--gap-threshold-ms 100] [--ready-file F] [--out F]
              [--stop-after-recovery S] [--arm-file F]
              Sends a datagram every interval, prints a JSON report on SIGTERM/SIGINT or after --duration:
              sent, received, longest gap between consecutive replies, gaps over the threshold, NAT sources seen.
              --ready-file is written at the first reply; --stop-after-recovery ends the run S seconds after
              replies resumed following a gap over the threshold (with --arm-file: a gap after F appeared; the
              report's failoverGapMs is the longest gap ending after that moment).
          wait --target ADDR:PORT [--interval-ms 100] [--replies 3] [--timeout 30] [--out F]
              Exits 0 once the server answered --replies probes in a row (prints the NAT source), 1 on timeout.
          flows --target ADDR:PORT [--count 8] [--interval-ms 100] [--duration S] [--stall-ms 1000]
                [--connect-timeout-ms 3000] [--out F]
              N long-lived TCP connections exchanging a line every interval; reports resets, closes and stalls.
        """;

    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = new CommandLine(args[1..]);
            return args[0] switch
            {
                "serve" => await ServeAsync(options).ConfigureAwait(false),
                "gap" => await GapAsync(options).ConfigureAwait(false),
                "wait" => await WaitAsync(options).ConfigureAwait(false),
                "flows" => await FlowsAsync(options).ConfigureAwait(false),
                _ => throw new UsageException($"unknown subcommand '{args[0]}'"),
            };
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}\n\n{Usage}").ConfigureAwait(false);
            return 2;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await Console.Error.WriteLineAsync($"error: socket: {e.SocketErrorCode}: {e.Message}").ConfigureAwait(false);
            return 3;
        }
    }

    private static async Task<int> ServeAsync(CommandLine options)
    {
        var bind = options.Address("bind", IPAddress.Any);
        var udp = options.Integer("udp", EchoProtocol.DefaultUdpPort, 1, 65535);
        var tcp = options.Integer("tcp", EchoProtocol.DefaultTcpPort, 1, 65535);
        options.RejectUnknown();
        using var stop = new StopSignal(null);
        await new EchoServer(bind, udp, tcp, Console.Out).RunAsync(stop.Token).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> GapAsync(CommandLine options)
    {
        var target = options.EndPoint("target");
        var interval = TimeSpan.FromMilliseconds(options.Number("interval-ms", 10, 1, 10_000));
        var duration = Duration(options);
        var threshold = TimeSpan.FromMilliseconds(options.Number("gap-threshold-ms", 100, 1, 3_600_000));
        var readyFile = options.Text("ready-file");
        var armFile = options.Text("arm-file");
        TimeSpan? stopAfterRecovery = options.Text("stop-after-recovery") is null
            ? null
            : TimeSpan.FromSeconds(options.Number("stop-after-recovery", 0, 0.01, 3600));
        var output = options.Text("out");
        options.RejectUnknown();
        using var stop = new StopSignal(duration);
        var report = await new UdpGapProbe(target, interval, threshold, readyFile, stopAfterRecovery, armFile).RunAsync(stop.Token).ConfigureAwait(false);
        await WriteAsync(report, ProbeJsonContext.Default.GapReport, output).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> WaitAsync(CommandLine options)
    {
        var target = options.EndPoint("target");
        var interval = TimeSpan.FromMilliseconds(options.Number("interval-ms", 100, 1, 10_000));
        var replies = options.Integer("replies", 3, 1, 1000);
        var timeout = TimeSpan.FromSeconds(options.Number("timeout", 30, 0.1, 86_400));
        var output = options.Text("out");
        options.RejectUnknown();
        using var stop = new StopSignal(null);
        var report = await new ConvergenceWaiter(target, interval, replies, timeout).RunAsync(stop.Token).ConfigureAwait(false);
        await WriteAsync(report, ProbeJsonContext.Default.WaitReport, output).ConfigureAwait(false);
        return report.Ok ? 0 : 1;
    }

    private static async Task<int> FlowsAsync(CommandLine options)
    {
        var target = options.EndPoint("target");
        var count = options.Integer("count", 8, 1, 1000);
        var interval = TimeSpan.FromMilliseconds(options.Number("interval-ms", 100, 1, 60_000));
        var duration = Duration(options);
        var stall = TimeSpan.FromMilliseconds(options.Number("stall-ms", 1000, 1, 3_600_000));
        var connectTimeout = TimeSpan.FromMilliseconds(options.Number("connect-timeout-ms", 3000, 1, 600_000));
        var output = options.Text("out");
        options.RejectUnknown();
        using var stop = new StopSignal(duration);
        var report = await new FlowChecker(target, count, interval, stall, connectTimeout).RunAsync(stop.Token).ConfigureAwait(false);
        await WriteAsync(report, ProbeJsonContext.Default.FlowsReport, output).ConfigureAwait(false);
        return 0;
    }

    private static TimeSpan? Duration(CommandLine options) =>
        options.Text("duration") is null ? null : TimeSpan.FromSeconds(options.Number("duration", 0, 0.01, 86_400));

    private static async Task WriteAsync<T>(T report, JsonTypeInfo<T> type, string? path)
    {
        var json = JsonSerializer.Serialize(report, type);
        await Console.Out.WriteLineAsync(json).ConfigureAwait(false);
        await Console.Out.FlushAsync().ConfigureAwait(false);
        if (path is not null)
        {
            // Write then rename, so a script polling for the file never reads half a report.
            var temporary = path + ".tmp";
            await File.WriteAllTextAsync(temporary, json + "\n").ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
    }
}
