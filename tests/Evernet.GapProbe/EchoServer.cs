using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Evernet.GapProbe;

/// <summary>
/// UDP and TCP echo servers for the testbed's "internet" namespace. Both answer with the source endpoint they saw,
/// so clients can tell which NAT gateway carried them.
/// </summary>
public sealed class EchoServer(IPAddress bind, int udpPort, int tcpPort, TextWriter log)
{
    private long _udpReplies;
    private long _udpIgnored;
    private long _tcpConnections;

    public async Task RunAsync(CancellationToken stop)
    {
        using var udp = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(bind, udpPort));
        var listener = new TcpListener(bind, tcpPort);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        await log.WriteLineAsync($"serving udp {bind}:{udpPort} tcp {bind}:{tcpPort}").ConfigureAwait(false);
        await log.FlushAsync(stop).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(ServeUdpAsync(udp, stop), AcceptTcpAsync(listener, stop)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Stop();
        }

        await log.WriteLineAsync(
            $"stopped: udp replies {Interlocked.Read(ref _udpReplies)}, udp ignored {Interlocked.Read(ref _udpIgnored)}, " +
            $"tcp connections {Interlocked.Read(ref _tcpConnections)}").ConfigureAwait(false);
    }

    private async Task ServeUdpAsync(Socket udp, CancellationToken stop)
    {
        var request = new byte[2048];
        var reply = new byte[2048 + 64];
        EndPoint any = new IPEndPoint(bind.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await udp.ReceiveFromAsync(request, SocketFlags.None, any, stop).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue; // ICMP errors from earlier replies surface here; the server keeps going
            }

            var length = EchoProtocol.BuildReply(request.AsSpan(0, received.ReceivedBytes), received.RemoteEndPoint, reply);
            if (length == 0)
            {
                Interlocked.Increment(ref _udpIgnored);
                continue;
            }

            try
            {
                await udp.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, received.RemoteEndPoint, stop).ConfigureAwait(false);
                Interlocked.Increment(ref _udpReplies);
            }
            catch (SocketException)
            {
                // the return path may be gone during a failover; the client counts the loss
            }
        }
    }

    private async Task AcceptTcpAsync(TcpListener listener, CancellationToken stop)
    {
        var connections = new List<Task>();
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop).ConfigureAwait(false);
            Interlocked.Increment(ref _tcpConnections);
            connections.Add(ServeTcpAsync(client, stop));
            connections.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    private static async Task ServeTcpAsync(TcpClient client, CancellationToken stop)
    {
        using (client)
        {
            client.NoDelay = true;
            var observed = EchoProtocol.FormatEndPoint(client.Client.RemoteEndPoint!);
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { AutoFlush = true, NewLine = "\n" };
                while (await reader.ReadLineAsync(stop).ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith("ping ", StringComparison.Ordinal))
                    {
                        await writer.WriteLineAsync($"pong {line[5..]} {observed}".AsMemory(), stop).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // a reset or stop ends this connection only
            }
        }
    }
}
