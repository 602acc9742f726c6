using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evernet.Daemon.Transport;

/// <summary>
/// The gossip UDP sockets. One receive loop per socket reads into a pooled 64 KiB buffer, drops (and counts) anything
/// larger than <see cref="WireLimits.MaxDatagram"/> before it is decoded, and queues the rest for the one event loop
/// that owns the GossipNode (<see cref="Received"/>, bounded, oldest dropped first). Sends go to the textual
/// <see cref="PeerAddress"/> the core uses; parsed endpoints are cached.
/// </summary>
public sealed class UdpGossipTransport : IAsyncDisposable
{
    /// <summary>Larger than any UDP payload: a datagram that fills more than MaxDatagram of it is oversize, never truncated.</summary>
    private const int ReceiveBufferBytes = 65_536;
    private const int MaxCachedAddresses = 4096;
    private const int SolSocket = 1, SoBindToDevice = 25;

    private readonly UdpTransportOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<ReceivedDatagram> _received;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _loops = [];
    private volatile Action? _arrived;
    private readonly Lock _sendGate = new();
    private readonly Dictionary<string, SocketAddress?> _destinations = new(StringComparer.Ordinal);
    private Socket? _v4, _v6;
    private int _state; // 0 new, 1 started, 2 disposed

    public UdpGossipTransport(UdpTransportOptions options, ILogger<UdpGossipTransport>? logger = null, TimeProvider? time = null)
    {
        if (options.ListenAddresses.Count == 0) throw new ArgumentException("at least one listen address is needed", nameof(options));
        if (options.QueueCapacity < 1) throw new ArgumentException("the queue needs room for one datagram", nameof(options));
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _received = Channel.CreateBounded<ReceivedDatagram>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped =>
            {
                Counters.QueueDrop();
                dropped.Release();
            });
    }

    public TransportCounters Counters { get; } = new();

    /// <summary>Called on a receive thread after each datagram queued in <see cref="Received"/> (e.g. to wake the loop).</summary>
    public Action? Arrived { get => _arrived; set => _arrived = value; }

    /// <summary>Datagrams for the event loop, in arrival order per socket. Release each after handling it.</summary>
    public ChannelReader<ReceivedDatagram> Received => _received.Reader;

    /// <summary>The bound endpoints (with the actual port when 0 was configured).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndpoints => _sockets.Select(s => (IPEndPoint)s.LocalEndPoint!).ToArray();

    /// <summary>Binds every socket (on the calling thread) and starts receiving. Throws <see cref="TransportStartException"/> naming the address.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("the transport was already started");
        try
        {
            foreach (var address in _options.ListenAddresses.Distinct()) _sockets.Add(Open(address));
        }
        catch
        {
            foreach (var s in _sockets) s.Dispose();
            _sockets.Clear();
            throw;
        }
        _v4 = _sockets.FirstOrDefault(s => s.AddressFamily == AddressFamily.InterNetwork);
        _v6 = _sockets.FirstOrDefault(s => s.AddressFamily == AddressFamily.InterNetworkV6);
        foreach (var socket in _sockets)
        {
            var local = socket.LocalEndPoint!.ToString()!;
            // One blocking receive thread per socket: a datagram goes from the kernel to the loop's queue without a
            // thread-pool hop (each hop woke a pool worker that spun before sleeping: the idle daemon's main cost).
            var thread = new Thread(() => ReceiveLoop(socket, local)) { IsBackground = true, Name = "evernet rx " + local };
            _loops.Add(thread);
            thread.Start();
        }
        TransportLog.Listening(_logger, string.Join(", ", LocalEndpoints.Select(e => e.ToString())));
    }

    private Socket Open(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var endpoint = new IPEndPoint(address, _options.Port);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
            socket.ReceiveBufferSize = _options.SocketReceiveBufferBytes;
            // Blocking receives wake up this often to notice a stop even if closing the socket did not unblock them.
            socket.ReceiveTimeout = 500;
            if (_options.BindInterface is { } device)
                socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(device + "\0"));
            socket.Bind(endpoint);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var what = _options.BindInterface is { } d ? $"{endpoint} on {d}" : endpoint.ToString();
            throw new TransportStartException($"gossip: cannot bind {what}: {e.Message} ({e.SocketErrorCode})", e);
        }
    }

    private void ReceiveLoop(Socket socket, string local)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
        var from = new SocketAddress(socket.AddressFamily);
        var sources = new Dictionary<SocketAddress, PeerAddress>(); // only this loop touches it
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = socket.ReceiveFrom(buffer, SocketFlags.None, from);
                }
                catch (ObjectDisposedException) { return; }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
                {
                    continue;
                }
                catch (SocketException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException e)
                {
                    Counters.ReceiveError();
                    TransportLog.ReceiveFailed(_logger, local, e.SocketErrorCode.ToString());
                    continue;
                }
                Counters.Received(length);
                if (length > WireLimits.MaxDatagram)
                {
                    Counters.Oversize();
                    continue;
                }
                if (!sources.TryGetValue(from, out var source))
                {
                    if (sources.Count >= MaxCachedAddresses) sources.Clear();
                    source = PeerEndpoint.Format((IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from));
                    var key = new SocketAddress(from.Family, from.Size);
                    from.Buffer.Span.CopyTo(key.Buffer.Span);
                    sources[key] = source;
                }
                var copy = ArrayPool<byte>.Shared.Rent(length);
                buffer.AsSpan(0, length).CopyTo(copy);
                var datagram = new ReceivedDatagram(source, copy, length, _time.GetUtcNow());
                if (!_received.Writer.TryWrite(datagram)) datagram.Release(); // only after completion
                else _arrived?.Invoke();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public bool TrySend(Transmit transmit) => TrySend(transmit.Destination, transmit.Payload);

    /// <summary>Sends one datagram. Never throws for a bad destination or a network error: it is counted and false returned.</summary>
    public bool TrySend(PeerAddress destination, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > WireLimits.MaxDatagram)
        {
            Counters.OversizeSend();
            return false;
        }
        Socket? socket;
        SocketAddress? address;
        lock (_sendGate)
        {
            address = Resolve(destination.Value);
            socket = address?.Family switch
            {
                AddressFamily.InterNetwork => _v4,
                AddressFamily.InterNetworkV6 => _v6,
                _ => null,
            };
        }
        if (address is null || socket is null)
        {
            Counters.BadAddress();
            TransportLog.BadAddress(_logger, destination.Value);
            return false;
        }
        try
        {
            int sent = socket.SendTo(payload, SocketFlags.None, address);
            Counters.Sent(sent);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Counters.SendError();
            TransportLog.SendFailed(_logger, destination.Value, e.Message);
            return false;
        }
    }

    /// <summary>Parsed once per distinct string; a bad one is remembered as bad.</summary>
    private SocketAddress? Resolve(string destination)
    {
        if (_destinations.TryGetValue(destination, out var cached)) return cached;
        if (_destinations.Count >= MaxCachedAddresses) _destinations.Clear();
        SocketAddress? address = PeerEndpoint.TryParse(destination, out var endpoint) ? endpoint.Serialize() : null;
        _destinations[destination] = address;
        return address;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var s in _sockets) s.Dispose();
        await Task.Run(() => { foreach (var thread in _loops) thread.Join(); }).ConfigureAwait(false);
        _received.Writer.TryComplete();
        while (_received.Reader.TryRead(out var left)) left.Release();
        _stopping.Dispose();
    }
}

public sealed class TransportStartException : Exception
{
    public TransportStartException(string message) : base(message) { }
    public TransportStartException(string message, Exception inner) : base(message, inner) { }
}
