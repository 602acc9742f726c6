using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Evernet.Gossip.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evernet.Discovery;

/// <summary>
/// mDNS/DNS-SD neighbour discovery on the mesh interfaces: our own multicast transport around <see cref="DnsSdEngine"/>.
/// Receive loops (one per socket) feed one processing loop, which owns the engine, its timers and the sends.
/// Discovered neighbours come out of <see cref="Events"/>; they are candidates only.
/// </summary>
public sealed class MdnsDiscovery : IAsyncDisposable
{
    /// <summary>RFC 6762 §17: the largest mDNS message.</summary>
    private const int ReceiveBufferBytes = DnsPacketGuard.MaxMessageBytes;
    private const int InboxCapacity = 256;
    private const int EventCapacity = 1024;

    private readonly DiscoveryOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IRandomSource _random;
    private readonly IInterfaceAddressSource? _addressSource;
    private readonly Channel<Inbound> _inbox;
    private readonly Channel<DiscoveryEvent> _events;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _receiveLoops = [];
    private List<MdnsLinkSockets> _sockets = [];
    private DnsSdEngine? _engine;
    private Task? _processing;
    private ImmutableArray<DiscoveredPeer> _peers = [];
    private int _state; // 0 new, 1 started, 2 stopped

    /// <param name="addressSource">Where A/AAAA addresses come from; default: the configured advertised addresses, else each interface's own.</param>
    public MdnsDiscovery(DiscoveryOptions options, ILogger<MdnsDiscovery>? logger = null, TimeProvider? time = null, IRandomSource? random = null, IInterfaceAddressSource? addressSource = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid discovery options: " + string.Join("; ", errors), nameof(options));
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _random = random ?? SeededRandom.FromEntropy();
        _addressSource = addressSource;
        _inbox = Channel.CreateBounded<Inbound>(
            new BoundedChannelOptions(InboxCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Counters.InboxDrop());
        // Events the host does not read in time are dropped oldest-first; Peers always has the current set.
        _events = Channel.CreateBounded<DiscoveryEvent>(
            new BoundedChannelOptions(EventCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });
    }

    public DiscoveryCounters Counters { get; } = new();

    /// <summary>New, changed and lost neighbours, in order. One reader (the host's event loop).</summary>
    public ChannelReader<DiscoveryEvent> Events => _events.Reader;

    /// <summary>The neighbours currently resolved; safe from any thread.</summary>
    public ImmutableArray<DiscoveredPeer> Peers => ImmutableInterlocked.InterlockedCompareExchange(ref _peers, default, default);

    /// <summary>The instance name we announce.</summary>
    public string InstanceName => DnsSdNames.ToInstanceLabel(_options.NodeName);

    /// <summary>
    /// Resolves the interfaces and opens every socket on the calling thread (so a caller can place them in a network
    /// namespace), then starts the loops. Throws <see cref="DiscoveryStartException"/> naming the interface on failure.
    /// </summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("discovery was already started");
        var links = _options.Interfaces.Distinct(StringComparer.Ordinal).Select(MdnsLinkSockets.Resolve).ToArray();
        var opened = new List<MdnsLinkSockets>();
        try
        {
            foreach (var link in links) opened.Add(MdnsLinkSockets.Open(link, _options));
        }
        catch
        {
            foreach (var s in opened) s.Dispose();
            throw;
        }
        _sockets = opened;
        var addresses = _addressSource
            ?? (_options.AdvertisedAddresses.Count > 0
                ? new FixedAddressSource(_options.AdvertisedAddresses)
                : new SystemInterfaceAddresses(_options.AdvertiseIPv4, _options.AdvertiseIPv6));
        _engine = new DnsSdEngine(_options, links, addresses, _random, Counters);
        _engine.Start(_time.GetUtcNow());
        foreach (var link in _sockets)
        {
            if (link.V4 is { } v4) _receiveLoops.Add(Task.Run(() => ReceiveLoop(link.Link, v4)));
            if (link.V6 is { } v6) _receiveLoops.Add(Task.Run(() => ReceiveLoop(link.Link, v6)));
        }
        _processing = Task.Run(ProcessLoop);
        Log.Started(_logger, InstanceName, string.Join(",", links.Select(l => l.Name)), _options.GossipPort);
    }

    /// <summary>Sends goodbyes on every link, then closes the sockets. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_processing is not null) await _processing.ConfigureAwait(false);
        foreach (var s in _sockets) s.Dispose();
        await Task.WhenAll(_receiveLoops).ConfigureAwait(false);
        _events.Writer.TryComplete();
        Log.Stopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var s in _sockets) s.Dispose();
        _stopping.Dispose();
    }

    private async Task ReceiveLoop(MeshLink link, Socket socket)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferBytes);
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
                _inbox.Writer.TryWrite(new Inbound(link.Index, (IPEndPoint)result.RemoteEndPoint, buffer.AsSpan(0, result.ReceivedBytes).ToArray()));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP errors and oversized datagrams end up here; the socket stays usable.
                Counters.ReceiveError();
                Log.ReceiveFailed(_logger, link.Name, e.SocketErrorCode.ToString());
            }
        }
    }

    private async Task ProcessLoop()
    {
        var engine = _engine!;
        var token = _stopping.Token;
        Task<bool>? readable = null; // kept across iterations: one waiter on the inbox, not one per timeout
        try
        {
            while (!token.IsCancellationRequested)
            {
                engine.HandleTimeout(_time.GetUtcNow());
                Flush(engine);
                var now = _time.GetUtcNow();
                var delay = engine.NextTimeout is { } next ? next - now : Timeout.InfiniteTimeSpan;
                if (delay != Timeout.InfiniteTimeSpan && delay < TimeSpan.Zero) delay = TimeSpan.Zero;
                readable ??= _inbox.Reader.WaitToReadAsync(token).AsTask();
                if (!readable.IsCompleted && delay != TimeSpan.Zero)
                {
                    if (delay == Timeout.InfiniteTimeSpan) await readable.ConfigureAwait(false);
                    else await Task.WhenAny(readable, Task.Delay(delay, _time, token)).ConfigureAwait(false);
                }
                if (readable.IsCompleted)
                {
                    if (!await readable.ConfigureAwait(false)) break;
                    readable = null;
                }
                while (_inbox.Reader.TryRead(out var inbound))
                {
                    try
                    {
                        engine.HandlePacket(_time.GetUtcNow(), inbound.InterfaceIndex, inbound.From, inbound.Payload);
                    }
                    catch (Exception e)
                    {
                        // A bug in handling one packet must not end discovery: count it as malformed and go on.
                        Counters.Malformed();
                        Log.ProcessingFailed(_logger, e, inbound.From.ToString(), inbound.InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
                Flush(engine);
            }
        }
        catch (OperationCanceledException)
        {
        }
        engine.Stop();
        Flush(engine);
    }

    private void Flush(DnsSdEngine engine)
    {
        while (engine.TryPollSend(out var send)) Send(send);
        bool changed = false;
        while (engine.TryPollEvent(out var e))
        {
            changed = true;
            switch (e)
            {
                case PeerDiscovered d:
                    Log.PeerDiscovered(_logger, d.Peer.InstanceName, d.Peer.Interface, d.Peer.Address.Value, d.Peer.Fingerprint, d.Peer.ProtocolVersion);
                    break;
                case PeerLost l:
                    Log.PeerLost(_logger, l.Peer.InstanceName, l.Peer.Interface, l.Reason);
                    break;
            }
            _events.Writer.TryWrite(e!);
        }
        if (changed) ImmutableInterlocked.InterlockedExchange(ref _peers, [.. engine.Peers()]);
    }

    private void Send(MdnsSend send)
    {
        var link = _sockets.FirstOrDefault(s => s.Link.Index == send.InterfaceIndex);
        if (link is null) return;
        if (send.Unicast is { } destination)
        {
            var socket = destination.AddressFamily == AddressFamily.InterNetwork ? link.V4 : link.V6;
            if (socket is not null) SendTo(link.Link, socket, send.Payload, destination);
            return;
        }
        if (link.V4 is { } v4) SendTo(link.Link, v4, send.Payload, link.GroupEndpointV4);
        if (link.V6 is { } v6) SendTo(link.Link, v6, send.Payload, link.GroupEndpointV6);
    }

    private void SendTo(MeshLink link, Socket socket, byte[] payload, IPEndPoint destination)
    {
        try
        {
            socket.SendTo(payload, SocketFlags.None, destination);
            Counters.Sent();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // No address of that family on the link yet, link down...: counted; the next announcement retries.
            Counters.SendError();
            Log.SendFailed(_logger, link.Name, e.Message);
        }
    }

    private sealed record Inbound(int InterfaceIndex, IPEndPoint From, byte[] Payload);
}
