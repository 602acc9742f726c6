using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Evernet.GapProbe;

/// <summary>
/// Waits until the echo server answers <c>requiredReplies</c> probes in a row: "the client reaches the internet".
/// Reports which NAT source (gateway) answered, so scripts know which uplink to cut.
/// </summary>
public sealed class ConvergenceWaiter(IPEndPoint target, TimeSpan interval, int requiredReplies, TimeSpan timeout)
{
    public async Task<WaitReport> RunAsync(CancellationToken stop)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(timeout);

        var request = new byte[EchoProtocol.HeaderLength];
        var reply = new byte[2048];
        long sent = 0, received = 0, inARow = 0;
        string? source = null;
        EndPoint any = new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!deadline.IsCancellationRequested && inARow < requiredReplies)
        {
            var sequence = sent++;
            EchoProtocol.WriteRequest(request, sequence);
            var roundStart = Stopwatch.GetTimestamp();
            var answered = false;
            try
            {
                await socket.SendToAsync(request, SocketFlags.None, target, deadline.Token).ConfigureAwait(false);
                using var round = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                round.CancelAfter(interval);
                while (!answered)
                {
                    var result = await socket.ReceiveFromAsync(reply, SocketFlags.None, any, round.Token).ConfigureAwait(false);
                    if (target.Equals(result.RemoteEndPoint)
                        && EchoProtocol.TryReadSequence(reply.AsSpan(0, result.ReceivedBytes), out var got)
                        && got == sequence)
                    {
                        answered = true;
                        source = EchoProtocol.ReadObservedAddress(reply.AsSpan(0, result.ReceivedBytes));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
            {
                // no route yet, or an ICMP error: not converged
            }

            if (answered)
            {
                received++;
                inARow++;
            }
            else
            {
                inARow = 0;
            }

            var rest = interval - Stopwatch.GetElapsedTime(roundStart);
            if (rest > TimeSpan.Zero && inARow < requiredReplies)
            {
                try
                {
                    await Task.Delay(rest, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        var ok = inARow >= requiredReplies;
        return new WaitReport(ok, target.ToString(), Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1), sent, received, ok ? source : null);
    }
}
