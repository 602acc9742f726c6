using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Evernet.GapProbe;

/// <summary>
/// Sends a small numbered datagram every <c>interval</c> to the echo server and timestamps every reply. The failover
/// gap is the longest silence between two consecutive replies: with a 10 ms interval it resolves a gap to about
/// 10 ms plus the round-trip jitter.
/// With an arm file, the moment the file appears marks the fault (a script touches it right before cutting); the
/// report then also gives the failover gap (the longest silence ending after that moment), and
/// --stop-after-recovery only reacts to gaps after it, so a routing hiccup before the fault cannot end the run.
/// </summary>
public sealed class UdpGapProbe(IPEndPoint target, TimeSpan interval, TimeSpan gapThreshold, string? readyFile, TimeSpan? stopAfterRecovery, string? armFile)
{
    private readonly Lock _gate = new();
    private readonly List<long> _sendTimestamps = [];
    private readonly List<Reply> _replies = [];
    private long _sendErrors;
    private long _armedAt; // Stopwatch timestamp at which the arm file appeared; 0 while not armed
    private long _startTimestamp;
    private DateTimeOffset _startUtc;

    private readonly record struct Reply(long Sequence, long ArrivalTimestamp, string Source, double RttMs);

    public async Task<GapReport> RunAsync(CancellationToken outerStop)
    {
        // --stop-after-recovery ends the run once replies flowed again for that long after a gap over the threshold,
        // so a failover measurement does not have to guess how long the recovery may take.
        using var recovered = CancellationTokenSource.CreateLinkedTokenSource(outerStop);
        var stop = recovered.Token;
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Unconnected on purpose: connect() needs a route, and at the start of a test (or mid-failover) there may be none.
        socket.Bind(new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        _startUtc = DateTimeOffset.UtcNow;
        _startTimestamp = Stopwatch.GetTimestamp();

        var receiving = ReceiveAsync(socket, recovered);
        await SendAsync(socket, stop).ConfigureAwait(false);
        var sendEnd = Stopwatch.GetTimestamp();
        // Give replies in flight a moment to arrive so the last datagrams are not counted as lost.
        await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None).ConfigureAwait(false);
        socket.Close();
        await receiving.ConfigureAwait(false);
        return BuildReport(sendEnd);
    }

    private async Task SendAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[EchoProtocol.HeaderLength];
        var next = Stopwatch.GetTimestamp();
        var intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        for (long sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (armFile is not null && Interlocked.Read(ref _armedAt) == 0 && File.Exists(armFile))
            {
                Interlocked.Exchange(ref _armedAt, Stopwatch.GetTimestamp());
            }

            EchoProtocol.WriteRequest(buffer, sequence);
            lock (_gate)
            {
                _sendTimestamps.Add(Stopwatch.GetTimestamp());
            }

            try
            {
                await socket.SendToAsync(buffer, SocketFlags.None, target, CancellationToken.None).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref _sendErrors); // e.g. ENETUNREACH while no default route exists
            }

            // Never burst to catch up after a stall: the schedule restarts from now.
            next = Math.Max(next + intervalTicks, Stopwatch.GetTimestamp());
        }
    }

    private async Task ReceiveAsync(Socket socket, CancellationTokenSource stopSource)
    {
        var stop = stopSource.Token;
        long? lastArrival = null;
        long? recoveredSince = null;
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var seen = new HashSet<long>();
        var readySignalled = false;
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP errors are reported on the socket; they are not replies
            }

            var arrival = Stopwatch.GetTimestamp();
            if (!target.Equals(received.RemoteEndPoint)
                || !EchoProtocol.TryReadSequence(buffer.AsSpan(0, received.ReceivedBytes), out var sequence)
                || !seen.Add(sequence))
            {
                continue;
            }

            var armed = armFile is null || Interlocked.Read(ref _armedAt) != 0;
            if (stopAfterRecovery is { } settle && armed && !stop.IsCancellationRequested)
            {
                if (lastArrival is { } last && Stopwatch.GetElapsedTime(last, arrival) > gapThreshold)
                {
                    recoveredSince = arrival;
                }

                // With an arm file, a failover faster than the threshold leaves no gap to recover from: replies that kept
                // flowing for the settle time after the fault end the run as well.
                var armedAt = Interlocked.Read(ref _armedAt);
                var noGapSinceFault = armFile is not null && recoveredSince is null && Stopwatch.GetElapsedTime(armedAt, arrival) >= settle;
                if (noGapSinceFault || (recoveredSince is { } since && Stopwatch.GetElapsedTime(since, arrival) >= settle))
                {
                    await stopSource.CancelAsync().ConfigureAwait(false);
                }
            }

            lastArrival = arrival;
            var source = EchoProtocol.ReadObservedAddress(buffer.AsSpan(0, received.ReceivedBytes));
            lock (_gate)
            {
                var rtt = sequence < _sendTimestamps.Count ? Stopwatch.GetElapsedTime(_sendTimestamps[(int)sequence], arrival).TotalMilliseconds : double.NaN;
                _replies.Add(new Reply(sequence, arrival, source, rtt));
            }

            if (!readySignalled && readyFile is not null)
            {
                readySignalled = true;
                await File.WriteAllTextAsync(readyFile, source + "\n", stop.IsCancellationRequested ? CancellationToken.None : stop).ConfigureAwait(false);
            }
        }
    }

    private double Ms(long timestamp) => Stopwatch.GetElapsedTime(_startTimestamp, timestamp).TotalMilliseconds;

    private GapReport BuildReport(long sendEndTimestamp)
    {
        List<Reply> replies;
        long sent;
        lock (_gate)
        {
            replies = [.. _replies];
            sent = _sendTimestamps.Count;
        }

        var armedAt = Interlocked.Read(ref _armedAt);
        double? armedAtMs = armedAt == 0 ? null : Ms(armedAt);
        var gaps = new List<Gap>();
        double? longest = null;
        double? longestStart = null;
        double? failover = null;
        var sourceAtArm = armedAt == 0 ? null : replies.LastOrDefault(r => r.ArrivalTimestamp <= armedAt).Source;
        for (var i = 1; i < replies.Count; i++)
        {
            var start = Ms(replies[i - 1].ArrivalTimestamp);
            var end = Ms(replies[i].ArrivalTimestamp);
            var duration = end - start;
            if (longest is null || duration > longest)
            {
                longest = duration;
                longestStart = start;
            }

            if (armedAtMs is { } at && end >= at && (failover is null || duration > failover))
            {
                failover = duration;
            }


            if (duration > gapThreshold.TotalMilliseconds)
            {
                gaps.Add(new Gap(Round(start), Round(end), Round(duration), _startUtc.AddMilliseconds(start), replies[i - 1].Source, replies[i].Source));
            }
        }

        var durationMs = Ms(sendEndTimestamp);
        // Silence at the end, measured to the moment sending stopped (late replies from the grace period count as 0).
        var trailing = replies.Count > 0 ? Math.Max(0, durationMs - Ms(replies[^1].ArrivalTimestamp)) : durationMs;

        var sources = replies
            .GroupBy(r => r.Source)
            .Select(g => new SourceSpan(g.Key, g.LongCount(), Round(Ms(g.First().ArrivalTimestamp)), Round(Ms(g.Last().ArrivalTimestamp))))
            .OrderBy(s => s.FirstMs)
            .ToList();

        var changes = new List<SourceChange>();
        string? current = null;
        foreach (var reply in replies)
        {
            if (reply.Source != current)
            {
                var at = Ms(reply.ArrivalTimestamp);
                changes.Add(new SourceChange(Round(at), _startUtc.AddMilliseconds(at), current, reply.Source));
                current = reply.Source;
            }
        }

        var rtts = replies.Select(r => r.RttMs).Where(r => !double.IsNaN(r)).Order().ToList();
        return new GapReport(
            target.ToString(),
            interval.TotalMilliseconds,
            _startUtc,
            Round(durationMs),
            sent,
            Interlocked.Read(ref _sendErrors),
            replies.Count,
            sent - replies.Count,
            replies.Count > 0 ? Round(Ms(replies[0].ArrivalTimestamp)) : null,
            replies.Count > 0 ? Round(Ms(replies[^1].ArrivalTimestamp)) : null,
            longest is { } l ? Round(l) : null,
            longestStart is { } s0 ? Round(s0) : null,
            armedAtMs is { } a0 ? Round(a0) : null,
            failover is { } f0 ? Round(f0) : null,
            sourceAtArm,
            Round(trailing),
            // "Recovered" means replies were flowing again when the probe stopped (the last silence is short).
            replies.Count > 0 && trailing <= gapThreshold.TotalMilliseconds,
            gapThreshold.TotalMilliseconds,
            gaps,
            sources,
            changes,
            rtts.Count > 0 ? Round(rtts[rtts.Count / 2]) : null,
            rtts.Count > 0 ? Round(rtts[^1]) : null);
    }

    private static double Round(double ms) => Math.Round(ms, 2);
}
