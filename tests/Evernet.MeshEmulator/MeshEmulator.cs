using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Evernet.Gossip;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;

namespace Evernet.MeshEmulator;

/// <summary>
/// Runs the emulated members on one event loop (the way evernetd runs its one member): receivers post datagrams, the
/// loop feeds them to the right <see cref="GossipNode"/>, fires due timers, publishes gateway summaries and sends what
/// the nodes want sent. Real time, real sockets, real signatures.
/// </summary>
public sealed class MeshEmulator : IDisposable
{
    private readonly record struct Inbound(int Node, int FromPort, byte[] Payload);

    private readonly EmulatorOptions _options;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly NodeKeyPair _authorityKey;
    private readonly List<EmulatedNode> _nodes = new();
    private readonly Channel<Inbound> _inbound = Channel.CreateBounded<Inbound>(new BoundedChannelOptions(65_536)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite, // a stalled loop loses datagrams like a full socket buffer would
    });
    private readonly Dictionary<string, IPEndPoint> _endpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<int, PeerAddress> _sources = new();
    private long _datagramsIn, _datagramsOut, _sendFailures, _rejected;

    public MeshEmulator(EmulatorOptions options)
    {
        _options = options;
        _authorityKey = NodeKeyPair.Generate();
        Authority = new CertificateAuthority(_authorityKey);
        var trust = new TrustStore([Authority.Id]);
        var gatewaySeeds = Enumerable.Range(0, options.Gateways)
            .Select(i => new PeerAddress($"127.0.0.1:{options.BasePort + i}")).ToImmutableArray();
        var now = DateTimeOffset.UtcNow;
        for (int i = 0; i < options.Nodes; i++)
        {
            bool gateway = i < options.Gateways;
            string name = gateway ? $"gw-{i + 1}" : $"node-{i + 1:000}";
            var key = NodeKeyPair.Generate();
            using var wireGuard = WireGuardKeyPair.Generate();
            var certificate = Authority.Issue(key.Id, wireGuard.PublicKey.Span, name,
                gateway ? NodeRoles.Gateway | NodeRoles.Node : NodeRoles.Node, (ulong)(i + 1), now.AddDays(-1), now.AddDays(30));
            // A gateway seeds from the other gateways, a node from all of them: how a community mesh is set up.
            var seeds = gatewaySeeds.Where(s => s.Value != $"127.0.0.1:{options.BasePort + i}").ToImmutableArray();
            _nodes.Add(new EmulatedNode(i, name, key, certificate, trust, options.BasePort + i, seeds, new GossipOptions(), _time));
        }
    }

    public CertificateAuthority Authority { get; }
    public IReadOnlyList<EmulatedNode> Nodes => _nodes;
    public IReadOnlyList<EmulatedNode> Gateways => _nodes.Where(n => n.IsGateway).ToList();

    public async Task RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receivers = _nodes.Select(n => ReceiveAsync(n, stop.Token)).ToList();
        try
        {
            await LoopAsync(output, stop.Token).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var n in _nodes) n.Socket.Close();
            await Task.WhenAll(receivers).ConfigureAwait(false);
        }
    }

    private async Task ReceiveAsync(EmulatedNode node, CancellationToken ct)
    {
        var buffer = new byte[65_536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await node.Socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // ICMP port unreachable from a peer that went away, or an oversized datagram: like the daemon, go on
            }
            catch (SocketException) when (ct.IsCancellationRequested) { return; }
            var from = (IPEndPoint)received.RemoteEndPoint;
            _inbound.Writer.TryWrite(new Inbound(node.Index, from.Port, buffer.AsSpan(0, received.ReceivedBytes).ToArray()));
        }
    }

    private async Task LoopAsync(TextWriter output, CancellationToken ct)
    {
        var started = _time.GetUtcNow();
        var end = _options.Duration > TimeSpan.Zero ? started + _options.Duration : DateTimeOffset.MaxValue;
        var nextSummary = started;
        var nextStatus = started + _options.StatusInterval;
        bool ready = false;
        foreach (var n in _nodes) n.Node.Start();
        Drain();
        var reader = _inbound.Reader;
        while (!ct.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            if (now >= end) break;
            var next = Min(Min(nextSummary, nextStatus), end);
            foreach (var n in _nodes)
                if (n.Node.NextTimeout is { } t && t < next) next = t;
            if (next > now && !reader.TryPeek(out _))
            {
                try
                {
                    await reader.WaitToReadAsync(ct).AsTask().WaitAsync(next - now, _time, ct).ConfigureAwait(false);
                }
                catch (TimeoutException) { }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            }
            int budget = 20_000;
            while (budget-- > 0 && reader.TryRead(out var datagram))
            {
                _datagramsIn++;
                _nodes[datagram.Node].Node.HandleDatagram(Source(datagram.FromPort), datagram.Payload);
            }
            now = _time.GetUtcNow();
            foreach (var n in _nodes)
                if (n.Node.NextTimeout is { } t && t <= now) n.Node.HandleTimeout();
            if (now >= nextSummary)
            {
                foreach (var g in _nodes.Where(n => n.IsGateway)) g.PublishSummary();
                nextSummary = now + _options.SummaryInterval;
            }
            Drain();
            if (now >= nextStatus)
            {
                nextStatus = now + _options.StatusInterval;
                var status = Status(now - started);
                if (!ready && status.AllAlive)
                {
                    ready = true;
                    output.WriteLine(FormattableString.Invariant($"ready after {(now - started).TotalSeconds:0.0} s: {_nodes.Count} members alive, {_options.Gateways} gateways usable"));
                }
                output.WriteLine(status.Line);
                output.Flush();
            }
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private PeerAddress Source(int port)
    {
        if (!_sources.TryGetValue(port, out var address))
            _sources[port] = address = new PeerAddress(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"));
        return address;
    }

    private void Drain()
    {
        foreach (var n in _nodes)
        {
            while (n.Node.TryPollTransmit(out var transmit))
            {
                if (!TryEndpoint(transmit.Destination, out var endpoint))
                {
                    _sendFailures++;
                    continue;
                }
                try
                {
                    n.Socket.SendTo(transmit.Payload, endpoint);
                    _datagramsOut++;
                }
                catch (SocketException)
                {
                    _sendFailures++;
                }
            }
            while (n.Node.TryPollEvent(out var e))
                if (e is Rejected) _rejected++;
        }
    }

    private bool TryEndpoint(PeerAddress address, out IPEndPoint endpoint)
    {
        if (_endpoints.TryGetValue(address.Value, out endpoint!)) return true;
        if (!IPEndPoint.TryParse(address.Value, out var parsed) || parsed.Port == 0) return false;
        _endpoints[address.Value] = endpoint = parsed;
        return true;
    }

    private (bool AllAlive, string Line) Status(TimeSpan elapsed)
    {
        var view = _nodes[0].Node.Snapshot();
        int alive = view.Members.Count(m => m.State == MemberState.Alive);
        int usable = view.Gateways.Count(g => g.Usable);
        bool guest = view.Members.Any(m => m.Name == "guest-103" && m.State == MemberState.Alive);
        bool allAlive = alive >= _nodes.Count && usable == _options.Gateways;
        long summaries = _nodes.Sum(n => n.SummariesPublished);
        var line = FormattableString.Invariant(
            $"t={elapsed.TotalSeconds:0}s alive={alive} gateways-usable={usable}/{_options.Gateways} guest={(guest ? "joined" : "absent")} datagrams in={_datagramsIn} out={_datagramsOut} send-failures={_sendFailures} rejected={_rejected} summaries={summaries}");
        return (allAlive, line);
    }

    public void Dispose()
    {
        foreach (var n in _nodes) n.Dispose();
        _authorityKey.Dispose();
    }
}
