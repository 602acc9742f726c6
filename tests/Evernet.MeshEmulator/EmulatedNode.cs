using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Evernet.Gossip;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;

namespace Evernet.MeshEmulator;

/// <summary>One emulated member: a real <see cref="GossipNode"/> and its own UDP socket on 127.0.0.1.</summary>
public sealed class EmulatedNode : IDisposable
{
    private static readonly ImmutableArray<ProbeTargetStats> Targets = ImmutableArray.Create(
        new ProbeTargetStats("9.9.9.9", 0, 12_000, 800),
        new ProbeTargetStats("1.1.1.1", 0, 11_000, 600));

    private readonly NodeKeyPair _key;

    public EmulatedNode(int index, string name, NodeKeyPair key, MembershipCertificate certificate, TrustStore trust,
        int port, ImmutableArray<PeerAddress> seeds, GossipOptions options, TimeProvider time)
    {
        Index = index;
        Name = name;
        _key = key;
        Port = port;
        Address = new PeerAddress($"127.0.0.1:{port}");
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        var setup = new GossipNodeSetup(key, certificate, trust, new InMemoryVersionStore(), new CachingVerifier(new Ed25519Verifier()),
            [Address.Value], [$"10.{100 + index / 250}.{index % 250}.0/24"], seeds);
        Node = new GossipNode(setup, options, time, new SeededRandom((ulong)(index + 1) * 0x9E3779B97F4A7C15UL));
    }

    public int Index { get; }
    public string Name { get; }
    public int Port { get; }
    public PeerAddress Address { get; }
    public Socket Socket { get; }
    public GossipNode Node { get; }
    public bool IsGateway => Node.IsGateway;
    public long SummariesPublished { get; private set; }

    /// <summary>A gateway's periodic health summary: uplink up, modest load.</summary>
    public void PublishSummary()
    {
        ulong load = (ulong)(20_000_000 + Index * 1_000_000);
        Node.PublishGatewaySummary(new GatewayHealthReport(UplinkState.Up, Targets, 100_000_000, 40_000_000, load, load / 3,
            120, 40, Draining: false));
        SummariesPublished++;
    }

    public void Dispose()
    {
        Socket.Dispose();
        _key.Dispose();
    }
}
