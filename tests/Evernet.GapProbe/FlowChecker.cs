using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Evernet.GapProbe;

/// <summary>
/// "Flows survive rebalancing": opens N long-lived TCP connections to the echo server and exchanges a line on each
/// every <c>interval</c>. A flow breaks on a reset or close; it stalls when one exchange takes longer than the stall
/// threshold. Each flow also records the NAT source the server saw, so a flow moved to another gateway (which a NAT
/// gateway answers with a reset) is visible as such.
/// </summary>
public sealed class FlowChecker(IPEndPoint target, int count, TimeSpan interval, TimeSpan stallThreshold, TimeSpan connectTimeout)
{
    public async Task<FlowsReport> RunAsync(CancellationToken stop)
    {
        var startUtc = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var flows = await Task.WhenAll(Enumerable.Range(0, count).Select(i => RunFlowAsync(i, started, stop))).ConfigureAwait(false);
        var durationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var broken = flows.Count(f => f.Failure is not null);
        var stalled = flows.Count(f => f.Failure is null && f.Stalls > 0);
        return new FlowsReport(
            target.ToString(),
            count,
            interval.TotalMilliseconds,
            stallThreshold.TotalMilliseconds,
            startUtc,
            Math.Round(durationMs, 1),
            flows.Count(f => f.Failure is null && f.Stalls == 0),
            broken,
            stalled,
            flows.Length == 0 ? 0 : flows.Max(f => f.LongestRoundTripMs),
            broken == 0 && stalled == 0,
            flows);
    }

    private async Task<FlowResult> RunFlowAsync(int flow, long started, CancellationToken stop)
    {
        double Ms() => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
        var sources = new List<string>();
        using var client = new TcpClient(target.AddressFamily) { NoDelay = true };
        try
        {
            using var connectDeadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            connectDeadline.CancelAfter(connectTimeout);
            await client.ConnectAsync(target, connectDeadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return new FlowResult(flow, false, null, 0, 0, 0, "connect failed: " + Describe(e), Ms(), sources);
        }

        var connectMs = Ms();
        long exchanges = 0;
        double longest = 0;
        var stalls = 0;
        string? failure = null;
        double? failureAt = null;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { AutoFlush = true, NewLine = "\n" };
        for (long sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            var sentAt = Stopwatch.GetTimestamp();
            try
            {
                await writer.WriteLineAsync($"ping {sequence}".AsMemory(), stop).ConfigureAwait(false);
                // The read waits as long as the run lasts: a stall is measured, not turned into a failure.
                var line = await reader.ReadLineAsync(stop).ConfigureAwait(false);
                if (line is null)
                {
                    failure = "closed by peer";
                    failureAt = Ms();
                    break;
                }

                var parts = line.Split(' ');
                if (parts.Length != 3 || parts[0] != "pong" || parts[1] != sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    failure = "unexpected reply: " + line;
                    failureAt = Ms();
                    break;
                }

                var source = EchoProtocol.AddressOnly(parts[2]);
                if (sources.Count == 0 || sources[^1] != source)
                {
                    sources.Add(source);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                failure = Describe(e);
                failureAt = Ms();
                break;
            }

            exchanges++;
            var roundTrip = Stopwatch.GetElapsedTime(sentAt);
            longest = Math.Max(longest, roundTrip.TotalMilliseconds);
            if (roundTrip > stallThreshold)
            {
                stalls++;
            }

            var rest = interval - roundTrip;
            if (rest > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(rest, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        return new FlowResult(flow, true, connectMs, exchanges, Math.Round(longest, 1), stalls, failure, failureAt, sources);
    }

    private static string Describe(Exception e) => e switch
    {
        SocketException s => s.SocketErrorCode.ToString(),
        IOException { InnerException: SocketException s } => s.SocketErrorCode.ToString(),
        OperationCanceledException => "timeout",
        _ => e.Message,
    };
}
