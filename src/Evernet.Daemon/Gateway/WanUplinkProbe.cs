using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Evernet.Policy;

namespace Evernet.Daemon.Gateway;

/// <summary>
/// The uplink monitor's real probe drivers (mwan3's track_ip, in-process): ICMP echo, a DNS query, a TCP connect and
/// an HTTP request, each through the configured WAN interface. Every network failure and the timeout become
/// <see cref="ProbeResult.Failed"/>; only cancellation throws.
/// </summary>
public sealed class WanUplinkProbe : IUplinkProbe, IDisposable
{
    private readonly string? _device;
    private readonly HttpClient _http;
    private ushort _sequence;
    private readonly ushort _identifier = (ushort)Environment.ProcessId;

    public WanUplinkProbe(string? wanInterface)
    {
        _device = wanInterface;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    DeviceBinding.Bind(socket, _device);
                    await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async ValueTask<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            switch (target.Kind)
            {
                case Policy.ProbeKind.Icmp: await IcmpAsync(target, deadline.Token).ConfigureAwait(false); break;
                case Policy.ProbeKind.Dns: await DnsAsync(target, deadline.Token).ConfigureAwait(false); break;
                case Policy.ProbeKind.Tcp: await TcpAsync(target, deadline.Token).ConfigureAwait(false); break;
                case Policy.ProbeKind.Http: await HttpAsync(target, deadline.Token).ConfigureAwait(false); break;
                default: return ProbeResult.Failed($"unknown probe kind {target.Kind}");
            }
            return ProbeResult.Ok(Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Failed($"timeout after {timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is SocketException or IOException or HttpRequestException or InvalidDataException or ArgumentException)
        {
            return ProbeResult.Failed(e.Message);
        }
    }

    private static async ValueTask<IPAddress> ResolveAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var address)) return address;
        var addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        return addresses.Length > 0 ? addresses[0] : throw new SocketException((int)SocketError.HostNotFound);
    }

    private async Task IcmpAsync(ProbeTarget target, CancellationToken ct)
    {
        var address = await ResolveAsync(target.Address, ct).ConfigureAwait(false);
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        using var socket = new Socket(address.AddressFamily, SocketType.Raw, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp);
        DeviceBinding.Bind(socket, _device);
        ushort seq = unchecked(++_sequence);
        var request = new byte[16];
        request[0] = v6 ? (byte)128 : (byte)8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(4), _identifier);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), seq);
        "evernet!"u8.CopyTo(request.AsSpan(8));
        if (!v6) BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), Checksum(request)); // the kernel fills ICMPv6's
        await socket.SendToAsync(request, SocketFlags.None, new IPEndPoint(address, 0), ct).ConfigureAwait(false);
        var buffer = new byte[1500];
        while (true)
        {
            var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0), ct).ConfigureAwait(false);
            var packet = buffer.AsSpan(0, received.ReceivedBytes);
            if (!v6)
            {
                if (packet.Length < 20) continue;
                int ihl = (packet[0] & 0x0f) * 4;
                if (packet.Length < ihl + 8) continue;
                packet = packet[ihl..];
            }
            if (packet.Length < 8) continue;
            bool reply = v6 ? packet[0] == 129 : packet[0] == 0;
            if (reply && BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) == _identifier && BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) == seq
                && Equals(((IPEndPoint)received.RemoteEndPoint).Address, address))
                return;
        }
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if ((data.Length & 1) == 1) sum += (uint)data[^1] << 8;
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    private async Task DnsAsync(ProbeTarget target, CancellationToken ct)
    {
        var address = await ResolveAsync(target.Address, ct).ConfigureAwait(false);
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        DeviceBinding.Bind(socket, _device);
        var remote = new IPEndPoint(address, target.Port ?? 53);
        ushort id = (ushort)Random.Shared.Next(1, 65536);
        // A query for the root zone's NS records: tiny, and every resolver answers it.
        var query = new byte[17];
        BinaryPrimitives.WriteUInt16BigEndian(query, id);
        query[2] = 0x01; // recursion desired
        query[5] = 1; // one question
        query[12] = 0; // root name
        query[14] = 2; // QTYPE NS
        query[16] = 1; // QCLASS IN
        await socket.ConnectAsync(remote, ct).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, ct).ConfigureAwait(false);
        var buffer = new byte[1500];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
            if (n >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id && (buffer[2] & 0x80) != 0)
            {
                int rcode = buffer[3] & 0x0f;
                if (rcode is 0 or 3) return; // NOERROR or NXDOMAIN: the resolver answered through the uplink
                throw new InvalidDataException($"DNS answer with rcode {rcode}");
            }
        }
    }

    private async Task TcpAsync(ProbeTarget target, CancellationToken ct)
    {
        var address = await ResolveAsync(target.Address, ct).ConfigureAwait(false);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        DeviceBinding.Bind(socket, _device);
        await socket.ConnectAsync(new IPEndPoint(address, target.Port ?? 80), ct).ConfigureAwait(false);
    }

    private async Task HttpAsync(ProbeTarget target, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, target.Address);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        // Any HTTP status proves the path; a captive portal's redirect would too, which is why 204 endpoints are advised.
        _ = response.StatusCode;
    }

    public void Dispose() => _http.Dispose();
}
