using System.Net;
using Evernet.Discovery;
using Evernet.Gossip.Runtime;
using Makaretu.Dns;

namespace Evernet.Integration.Tests.Discovery;

/// <summary>Hostile and broken mDNS packets are counted and dropped; nothing crashes, not even the stack.</summary>
public sealed class DnsPacketGuardTests
{
    private static readonly MeshLink Link = new("mesh0", 7);
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint From = new(IPAddress.Parse("10.0.0.2"), 5353);

    private static DnsSdEngine StartedEngine()
    {
        var engine = new DnsSdEngine(
            new DiscoveryOptions { NodeName = "alpha", Fingerprint = "0011223344556677", GossipPort = 7946, Interfaces = ["mesh0"] },
            [Link], new FixedAddressSource([IPAddress.Parse("10.0.0.1")]), new SeededRandom(1));
        engine.Start(T0);
        return engine;
    }

    private static byte[] ValidAnnouncement()
    {
        var other = new DnsSdEngine(
            new DiscoveryOptions { NodeName = "beta", Fingerprint = "8899aabbccddeeff", GossipPort = 7946, Interfaces = ["mesh0"] },
            [Link], new FixedAddressSource([IPAddress.Parse("10.0.0.2"), IPAddress.Parse("fd00::2")]), new SeededRandom(2));
        other.Start(T0);
        other.HandleTimeout(T0);
        while (other.TryPollSend(out var s))
        {
            var m = new Message();
            m.Read(s.Payload, 0, s.Payload.Length);
            if (m.IsResponse) return s.Payload;
        }
        throw new InvalidOperationException("no announcement");
    }

    private static byte[] Header(ushort questions, ushort answers = 0) =>
        [0, 0, 0, 0, (byte)(questions >> 8), (byte)questions, (byte)(answers >> 8), (byte)answers, 0, 0, 0, 0];

    [Fact]
    public void A_valid_announcement_passes_the_guard()
    {
        Assert.True(DnsPacketGuard.IsWellFormed(ValidAnnouncement(), out var problem), problem);
    }

    [Fact]
    public void A_name_of_thousands_of_labels_is_rejected_before_the_recursive_parser_sees_it()
    {
        // Makaretu.Dns reads names recursively: this packet overflows its stack (an uncatchable crash) if it ever gets there.
        var packet = new List<byte>(Header(1));
        for (int i = 0; i < 4000; i++) { packet.Add(1); packet.Add((byte)'a'); }
        packet.Add(0);
        packet.AddRange(new byte[] { 0, 12, 0, 1 });
        Assert.False(DnsPacketGuard.IsWellFormed(packet.ToArray(), out var problem));
        Assert.Contains("255", problem);

        var engine = StartedEngine();
        engine.HandlePacket(T0, Link.Index, From, packet.ToArray());
        Assert.Equal(1, engine.Counters.MalformedPackets);
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 12, 0, 12, 0, 1 }, "compression pointer not backward")] // points at itself
    [InlineData(new byte[] { 0xC0, 200, 0, 12, 0, 1 }, "compression pointer not backward")] // points forward
    [InlineData(new byte[] { 0x40, 0, 0, 12, 0, 1 }, "unsupported label type")]
    [InlineData(new byte[] { 5, (byte)'a', (byte)'b' }, "name truncated")]
    [InlineData(new byte[] { 0, 0, 12 }, "question truncated")]
    public void Structural_defects_are_named(byte[] question, string expected)
    {
        var packet = Header(1).Concat(question).ToArray();
        Assert.False(DnsPacketGuard.IsWellFormed(packet, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void Record_data_longer_than_the_packet_is_rejected()
    {
        var packet = Header(0, 1).Concat(new byte[] { 0, 0, 16, 0, 1, 0, 0, 0, 120, 0xFF, 0xFF, 1, 2, 3 }).ToArray();
        Assert.False(DnsPacketGuard.IsWellFormed(packet, out var problem));
        Assert.Equal("record data truncated", problem);
    }

    [Fact]
    public void Random_mutations_of_a_real_announcement_never_throw_and_are_counted()
    {
        var valid = ValidAnnouncement();
        var engine = StartedEngine();
        var random = new Random(7);
        const int rounds = 20_000;
        for (int i = 0; i < rounds; i++)
        {
            var mutated = (byte[])valid.Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) mutated = mutated[..random.Next(mutated.Length)];
            engine.HandlePacket(T0, Link.Index, From, mutated);
        }
        var c = engine.Counters;
        Assert.Equal(rounds, c.PacketsReceived);
        Assert.True(c.MalformedPackets > rounds / 4, $"malformed {c.MalformedPackets}");
        // Drain whatever the survivors produced: events and sends must be well-formed objects.
        while (engine.TryPollEvent(out var e)) Assert.NotNull(e);
        while (engine.TryPollSend(out var s)) Assert.True(DnsPacketGuard.IsWellFormed(s.Payload, out _));
    }

    [Fact]
    public void Pure_garbage_is_counted_as_malformed()
    {
        var engine = StartedEngine();
        var random = new Random(3);
        for (int i = 0; i < 5000; i++)
        {
            var garbage = new byte[random.Next(0, 600)];
            random.NextBytes(garbage);
            engine.HandlePacket(T0, Link.Index, From, garbage);
        }
        Assert.Equal(5000, engine.Counters.PacketsReceived);
        Assert.True(engine.Counters.MalformedPackets + engine.Counters.IgnoredPackets >= 4900);
    }

    [Fact]
    public void An_instance_flood_is_bounded_by_the_cache_limit()
    {
        var engine = StartedEngine();
        var host = new DomainName("flood.local");
        for (int i = 0; i < DnsSdEngine.MaxCachedInstances + 500; i++)
        {
            var instance = DnsSdNames.InstanceName($"flood-{i}");
            var m = new Message { QR = true, AA = true };
            m.Answers.Add(new SRVRecord { Name = instance, Target = host, Port = 7946, TTL = TimeSpan.FromSeconds(120) });
            var txt = new TXTRecord { Name = instance, TTL = TimeSpan.FromSeconds(120) };
            txt.Strings.AddRange([$"fp={i:x16}", "pv=1"]);
            m.Answers.Add(txt);
            m.Answers.Add(new ARecord { Name = host, Address = IPAddress.Parse("10.0.0.66"), TTL = TimeSpan.FromSeconds(120) });
            engine.HandlePacket(T0, Link.Index, From, m.ToByteArray());
        }
        Assert.Equal(DnsSdEngine.MaxCachedInstances, engine.Peers().Count);
        Assert.Equal(2 * 500, engine.Counters.CacheFullDrops); // SRV and TXT of each surplus instance
    }
}
