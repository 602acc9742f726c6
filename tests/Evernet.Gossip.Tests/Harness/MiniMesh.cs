using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;

namespace Evernet.Gossip.Tests.Harness;

/// <summary>
/// A tiny deterministic event loop over real GossipNodes: full mesh, fixed latency, a drop predicate. The simulator is
/// the real harness; this one keeps core tests small and fast.
/// </summary>
internal sealed class MiniMesh : IDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Epoch);
    private readonly PriorityQueue<(int To, string From, byte[] Payload), (long, long)> _inFlight = new();
    private readonly SeededRandom _random;
    private long _sequence;

    public MiniMesh(int nodes, int gateways, ulong seed = 1, GossipOptions? options = null, TimeSpan? latency = null)
    {
        _random = new SeededRandom(seed);
        Latency = latency ?? TimeSpan.FromMilliseconds(2);
        Options = options ?? new GossipOptions();
        Authority = new CertificateAuthority(KeyFromSeed(seed, 9999));
        Verifier = new CachingVerifier(new Ed25519Verifier());
        for (int i = 0; i < nodes; i++)
        {
            var key = KeyFromSeed(seed, i);
            using var wg = WireGuardKeyPair.FromSeed(KeyFromSeed(seed, 5000 + i).ExportPrivateSeed());
            var roles = i < gateways ? NodeRoles.Gateway | NodeRoles.Node : NodeRoles.Node;
            var cert = Authority.Issue(key.Id, wg.PublicKey.Span, $"n{i}", roles, (ulong)i + 1, Epoch.AddDays(-1), Epoch.AddDays(30));
            Slots.Add(new Slot(i, key, cert, new InMemoryVersionStore()));
        }
        for (int i = 0; i < nodes; i++) Slots[i].Node = Create(i);
    }

    public sealed class Slot(int index, NodeKeyPair key, MembershipCertificate cert, InMemoryVersionStore versions)
    {
        public int Index { get; } = index;
        public NodeKeyPair Key { get; } = key;
        public MembershipCertificate Certificate { get; } = cert;
        public InMemoryVersionStore Versions { get; } = versions;
        public GossipNode Node { get; set; } = null!;
        public bool Down { get; set; }
        public List<GossipEvent> Events { get; } = new();
        /// <summary>How often the host woke this node for a timeout.</summary>
        public int Wakeups { get; set; }
        public string Address => $"sim:{Index}";
    }

    public List<Slot> Slots { get; } = new();
    public GossipOptions Options { get; }
    public CertificateAuthority Authority { get; }
    public ISignatureVerifier Verifier { get; }
    public TimeSpan Latency { get; set; }
    public Func<int, int, bool> Drop { get; set; } = (_, _) => false;
    /// <summary>Like <see cref="Drop"/>, but sees the datagram (from, to, payload): for losses that depend on what is sent.</summary>
    public Func<int, int, byte[], bool> DropDatagram { get; set; } = (_, _, _) => false;
    public DateTimeOffset Now => _clock.Now;
    public List<(int From, int To, byte[] Payload)> Sent { get; } = new();
    public bool Record { get; set; }

    public static NodeKeyPair KeyFromSeed(ulong seed, int index)
    {
        var bytes = new byte[32];
        BitConverter.TryWriteBytes(bytes, seed);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), index);
        bytes[31] = 0x5a;
        return NodeKeyPair.FromPrivateSeed(bytes);
    }

    public GossipNode Create(int i, ImmutableArray<IGossipItem> warm = default)
    {
        var s = Slots[i];
        var trust = new TrustStore([Authority.Id]);
        var seeds = ImmutableArray.Create(new PeerAddress("sim:0"), new PeerAddress("sim:1"));
        var setup = new GossipNodeSetup(s.Key, s.Certificate, trust, s.Versions, Verifier, [s.Address], [], seeds, warm);
        return new GossipNode(setup, Options, _clock, new SeededRandom(_random.NextUInt64()));
    }

    public void StartAll()
    {
        foreach (var s in Slots) { s.Node.Start(); Pump(s); }
    }

    public void PublishSummary(int gateway, UplinkState uplink, ulong loadDown = 10_000_000)
    {
        var s = Slots[gateway];
        s.Node.PublishGatewaySummary(new GatewayHealthReport(uplink, [new ProbeTargetStats("9.9.9.9", 0, 12_000, 500)],
            100_000_000, 40_000_000, loadDown, 1_000_000, 10, 5, false));
        Pump(s);
    }

    public void Crash(int i) => Slots[i].Down = true;

    public void Restart(int i)
    {
        Slots[i].Down = false;
        Slots[i].Node = Create(i);
        Slots[i].Node.Start();
        Pump(Slots[i]);
    }

    /// <summary>Inject a raw datagram to node <paramref name="to"/> as if from <paramref name="from"/>.</summary>
    public void Inject(int to, string from, byte[] payload)
    {
        Slots[to].Node.HandleDatagram(new PeerAddress(from), payload);
        Pump(Slots[to]);
    }

    public void Pump(Slot s)
    {
        while (s.Node.TryPollTransmit(out var t))
        {
            if (s.Down) continue;
            int to = int.Parse(t.Destination.Value.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
            if (Record) Sent.Add((s.Index, to, t.Payload));
            if (to >= Slots.Count || Drop(s.Index, to) || DropDatagram(s.Index, to, t.Payload)) continue; // nobody at that address, or lost
            _inFlight.Enqueue((to, s.Address, t.Payload), ((_clock.Now + Latency).UtcTicks, ++_sequence));
        }
        while (s.Node.TryPollEvent(out var e)) s.Events.Add(e!);
    }

    public void RunFor(TimeSpan duration) => RunUntil(_clock.Now + duration);

    public void RunUntil(DateTimeOffset end)
    {
        while (true)
        {
            long next = end.UtcTicks;
            bool datagram = false;
            if (_inFlight.TryPeek(out _, out var p) && p.Item1 <= next) { next = p.Item1; datagram = true; }
            int timerNode = -1;
            foreach (var s in Slots)
            {
                if (s.Down) continue;
                if (s.Node.NextTimeout is { } t && t.UtcTicks < next) { next = t.UtcTicks; timerNode = s.Index; datagram = false; }
            }
            if (next >= end.UtcTicks && !datagram && timerNode < 0) { _clock.Now = end; return; }
            _clock.Now = new DateTimeOffset(Math.Max(next, _clock.Now.UtcTicks), TimeSpan.Zero);
            if (timerNode >= 0)
            {
                var s = Slots[timerNode];
                s.Wakeups++;
                s.Node.HandleTimeout();
                Pump(s);
            }
            else if (datagram)
            {
                var (to, from, payload) = _inFlight.Dequeue();
                var s = Slots[to];
                if (s.Down) continue;
                s.Node.HandleDatagram(new PeerAddress(from), payload);
                Pump(s);
            }
        }
    }

    public IEnumerable<Slot> Live => Slots.Where(s => !s.Down);

    public void Dispose()
    {
        foreach (var s in Slots) s.Key.Dispose();
    }
}
