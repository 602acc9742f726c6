using System.Net;
using Evernet.Discovery;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Runtime;
using Makaretu.Dns;

namespace Evernet.Integration.Tests.Discovery;

/// <summary>The responder/browser logic, driven deterministically: two engines wired back to back, time passed in.</summary>
public sealed class DnsSdEngineTests
{
    private static readonly MeshLink Link = new("mesh0", 7);
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint PeerMdns = new(IPAddress.Parse("10.0.0.2"), 5353);

    private static DiscoveryOptions Options(string name, string fp, NodeRoles role = NodeRoles.Node) => new()
    {
        NodeName = name,
        Fingerprint = fp,
        Role = role,
        GossipPort = 7946,
        Interfaces = ["mesh0"],
    };

    private static DnsSdEngine Engine(string name, string fp, params string[] addresses) =>
        Engine(Options(name, fp), addresses);

    /// <summary>An engine that announces and browses only at start, so a test sees nothing but its answers afterwards.</summary>
    private static DnsSdEngine QuietEngine(string name, string fp, params string[] addresses) =>
        Engine(new DiscoveryOptions
        {
            NodeName = name, Fingerprint = fp, GossipPort = 7946, Interfaces = ["mesh0"],
            InitialAnnounceInterval = TimeSpan.FromHours(1), MaxAnnounceInterval = TimeSpan.FromHours(1),
            InitialQueryInterval = TimeSpan.FromHours(1), MaxQueryInterval = TimeSpan.FromHours(1),
            HostRecordTtl = TimeSpan.FromHours(2), ServiceRecordTtl = TimeSpan.FromHours(2),
        }, addresses);

    private static DnsSdEngine Engine(DiscoveryOptions options, params string[] addresses) =>
        new(options, [Link], new FixedAddressSource(addresses.Select(IPAddress.Parse).ToArray()), new SeededRandom(42));

    private static List<MdnsSend> Drain(DnsSdEngine engine)
    {
        var sends = new List<MdnsSend>();
        while (engine.TryPollSend(out var s)) sends.Add(s);
        return sends;
    }

    private static List<DiscoveryEvent> Events(DnsSdEngine engine)
    {
        var events = new List<DiscoveryEvent>();
        while (engine.TryPollEvent(out var e)) events.Add(e!);
        return events;
    }

    private static void Deliver(IEnumerable<MdnsSend> sends, DnsSdEngine to, DateTimeOffset now, IPEndPoint? from = null)
    {
        foreach (var s in sends) to.HandlePacket(now, Link.Index, from ?? PeerMdns, s.Payload);
    }

    private static Message Parse(byte[] payload)
    {
        var m = new Message();
        m.Read(payload, 0, payload.Length);
        return m;
    }

    [Fact]
    public void Announcement_carries_srv_txt_and_addresses_and_resolves_to_a_peer()
    {
        var alpha = Engine(Options("alpha", "0011223344556677", NodeRoles.Gateway), "10.0.0.1", "fd00::1", "fe80::1");
        var beta = Engine("beta", "8899aabbccddeeff", "10.0.0.2");
        alpha.Start(T0);
        beta.Start(T0);
        alpha.HandleTimeout(T0);
        var announcement = Drain(alpha).Select(s => Parse(s.Payload)).First(m => m.IsResponse);

        var srv = Assert.Single(announcement.Answers.OfType<SRVRecord>());
        Assert.Equal(7946, srv.Port);
        Assert.Equal("alpha", srv.Name!.Labels[0]);
        Assert.Equal(0x8001, (ushort)srv.Class); // cache-flush: the set is unique to us
        var txt = Assert.Single(announcement.Answers.OfType<TXTRecord>());
        Assert.Equal(["fp=0011223344556677", "pv=1", "role=gateway"], txt.Strings);
        Assert.Equal(2, announcement.Answers.OfType<AAAARecord>().Count());
        Assert.Single(announcement.Answers.OfType<ARecord>());

        alpha.Start(T0); // fresh schedule; deliver its first announcement to beta
        alpha.HandleTimeout(T0);
        Deliver(Drain(alpha), beta, T0);
        var discovered = Assert.IsType<PeerDiscovered>(Assert.Single(Events(beta)));
        var peer = discovered.Peer;
        Assert.Equal("alpha", peer.InstanceName);
        Assert.Equal("mesh0", peer.Interface);
        Assert.Equal(["10.0.0.1:7946", "[fd00::1]:7946", "[fe80::1%mesh0]:7946"], peer.Addresses.Select(a => a.Value));
        Assert.Equal(new PeerAddress("10.0.0.1:7946"), peer.Address);
        Assert.Equal("0011223344556677", peer.Fingerprint);
        Assert.Equal(1, peer.ProtocolVersion);
        Assert.True(peer.IsGateway);
        Assert.Equal(1, beta.Counters.PeersDiscovered);

        // The same announcement again changes nothing: no duplicate event.
        alpha.HandleTimeout(T0 + TimeSpan.FromSeconds(1));
        Deliver(Drain(alpha), beta, T0 + TimeSpan.FromSeconds(1));
        Assert.Empty(Events(beta));
    }

    [Fact]
    public void Announcements_back_off_exponentially_up_to_the_cap()
    {
        var options = new DiscoveryOptions
        {
            NodeName = "alpha", Fingerprint = "0011223344556677", GossipPort = 7946, Interfaces = ["mesh0"],
            InitialQueryInterval = TimeSpan.FromHours(1), MaxQueryInterval = TimeSpan.FromHours(1),
            MaxAnnounceInterval = TimeSpan.FromSeconds(8), HostRecordTtl = TimeSpan.FromSeconds(20), ServiceRecordTtl = TimeSpan.FromSeconds(20),
        };
        var alpha = Engine(options, "10.0.0.1");
        alpha.Start(T0);
        var announcedAt = new List<double>();
        for (int tenth = 0; tenth <= 400; tenth++)
        {
            var now = T0 + TimeSpan.FromSeconds(tenth / 10.0);
            if (alpha.NextTimeout is { } next && next > now) continue;
            alpha.HandleTimeout(now);
            announcedAt.AddRange(Drain(alpha).Where(s => Parse(s.Payload).IsResponse).Select(_ => tenth / 10.0));
        }
        Assert.Equal([0, 1, 3, 7, 15, 23, 31, 39], announcedAt);
    }

    [Fact]
    public void Goodbye_removes_the_peer_at_once()
    {
        var alpha = Engine("alpha", "0011223344556677", "10.0.0.1");
        var beta = Engine("beta", "8899aabbccddeeff", "10.0.0.2");
        alpha.Start(T0);
        beta.Start(T0);
        alpha.HandleTimeout(T0);
        Deliver(Drain(alpha), beta, T0);
        Assert.IsType<PeerDiscovered>(Assert.Single(Events(beta)));

        alpha.Stop();
        var goodbye = Drain(alpha);
        Assert.All(Parse(goodbye[0].Payload).Answers, r => Assert.Equal(TimeSpan.Zero, r.TTL));
        Assert.Null(alpha.NextTimeout);
        Deliver(goodbye, beta, T0 + TimeSpan.FromSeconds(2));
        var lost = Assert.IsType<PeerLost>(Assert.Single(Events(beta)));
        Assert.Equal(PeerLostReason.Goodbye, lost.Reason);
        Assert.Equal("alpha", lost.Peer.InstanceName);
        Assert.Empty(beta.Peers());
    }

    [Fact]
    public void Silent_peer_is_refreshed_at_80_and_90_percent_then_expires()
    {
        var alpha = Engine("alpha", "0011223344556677", "10.0.0.1");
        var beta = QuietEngine("beta", "8899aabbccddeeff", "10.0.0.2");
        alpha.Start(T0);
        beta.Start(T0);
        beta.HandleTimeout(T0);
        Drain(beta);
        alpha.HandleTimeout(T0);
        Deliver(Drain(alpha), beta, T0);
        Assert.IsType<PeerDiscovered>(Assert.Single(Events(beta)));

        // alpha falls silent. SRV TTL is 120 s: refresh queries at 96 s and 108 s, loss at 120 s.
        var refreshes = new List<double>();
        PeerLost? lost = null;
        var now = T0;
        while (lost is null && now < T0 + TimeSpan.FromSeconds(200))
        {
            now = beta.NextTimeout!.Value;
            beta.HandleTimeout(now);
            foreach (var s in Drain(beta))
            {
                var q = Parse(s.Payload);
                if (q.IsQuery && q.Questions.Any(x => x.Type == DnsType.SRV)) refreshes.Add((now - T0).TotalSeconds);
            }
            lost = Events(beta).OfType<PeerLost>().FirstOrDefault();
        }
        Assert.Equal([96.0, 108.0], refreshes);
        Assert.NotNull(lost);
        Assert.Equal(PeerLostReason.Expired, lost!.Reason);
        Assert.Equal(120.0, (now - T0).TotalSeconds);
        Assert.Equal(1, beta.Counters.PeersLost);
    }

    [Fact]
    public void Browse_query_is_answered_after_a_short_random_delay_and_known_answers_suppress_it()
    {
        var alpha = QuietEngine("alpha", "0011223344556677", "10.0.0.1");
        var beta = Engine("beta", "8899aabbccddeeff", "10.0.0.2");
        alpha.Start(T0);
        beta.Start(T0);
        alpha.HandleTimeout(T0);
        Drain(alpha); // alpha's own start-up traffic
        var later = T0 + TimeSpan.FromSeconds(5);
        beta.HandleTimeout(T0);
        var query = Drain(beta).Single(s => Parse(s.Payload).IsQuery);
        Deliver([query], alpha, later);
        Assert.Empty(Drain(alpha)); // shared answer: delayed 20-120 ms
        var due = alpha.NextTimeout!.Value;
        Assert.InRange((due - later).TotalMilliseconds, 20, 120);
        alpha.HandleTimeout(due);
        var answer = Parse(Assert.Single(Drain(alpha)).Payload);
        Assert.True(answer.IsResponse);
        Assert.Equal(1, alpha.Counters.QueriesAnswered);

        // beta now knows alpha: its next browse query lists alpha as a known answer, and alpha stays quiet.
        Deliver([new MdnsSend(Link.Index, null, answer.ToByteArray())], beta, due);
        var next = beta.NextTimeout!.Value;
        beta.HandleTimeout(next);
        var knownAnswerQuery = Drain(beta).Single(s => Parse(s.Payload).IsQuery);
        Assert.Contains(Parse(knownAnswerQuery.Payload).Answers.OfType<PTRRecord>(), p => p.DomainName!.Labels[0] == "alpha");
        var quietFrom = next + TimeSpan.FromSeconds(5);
        Deliver([knownAnswerQuery], alpha, quietFrom);
        alpha.HandleTimeout(quietFrom + TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, alpha.Counters.QueriesAnswered);

        // Without the known answer the same query is answered again.
        Deliver([query], alpha, quietFrom + TimeSpan.FromMilliseconds(300));
        alpha.HandleTimeout(quietFrom + TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, alpha.Counters.QueriesAnswered);
    }

    [Fact]
    public void Query_flood_gets_at_most_one_multicast_answer_per_second()
    {
        var alpha = QuietEngine("alpha", "0011223344556677", "10.0.0.1");
        var beta = Engine("beta", "8899aabbccddeeff", "10.0.0.2");
        alpha.Start(T0);
        beta.Start(T0);
        alpha.HandleTimeout(T0);
        Drain(alpha);
        beta.HandleTimeout(T0);
        var query = Drain(beta).Single(s => Parse(s.Payload).IsQuery);
        var start = T0 + TimeSpan.FromSeconds(10);
        int answers = 0;
        for (int ms = 0; ms < 3000; ms += 10)
        {
            var now = start + TimeSpan.FromMilliseconds(ms);
            Deliver([query], alpha, now);
            if (alpha.NextTimeout is { } n && n <= now) alpha.HandleTimeout(now);
            answers += Drain(alpha).Count(s => Parse(s.Payload).IsResponse);
        }
        Assert.InRange(answers, 2, 4);
    }

    [Fact]
    public void Legacy_unicast_query_gets_a_unicast_answer_with_its_id_and_short_ttls()
    {
        var alpha = Engine("alpha", "0011223344556677", "10.0.0.1");
        alpha.Start(T0);
        alpha.HandleTimeout(T0);
        Drain(alpha);
        var query = new Message { Id = 4321 };
        query.Questions.Add(new Question { Name = DnsSdNames.ServiceType, Type = DnsType.PTR, Class = DnsClass.IN });
        var resolver = new IPEndPoint(IPAddress.Parse("10.0.0.9"), 40000);
        alpha.HandlePacket(T0 + TimeSpan.FromSeconds(3), Link.Index, resolver, query.ToByteArray());
        var send = Assert.Single(Drain(alpha));
        Assert.Equal(resolver, send.Unicast);
        var answer = Parse(send.Payload);
        Assert.Equal(4321, answer.Id);
        Assert.Single(answer.Questions);
        Assert.All(answer.Answers, r => Assert.True(r.TTL <= TimeSpan.FromSeconds(10)));
        Assert.All(answer.Answers, r => Assert.Equal(DnsClass.IN, r.Class));
    }

    [Fact]
    public void Bad_txt_is_counted_and_yields_no_peer()
    {
        var beta = Engine("beta", "8899aabbccddeeff", "10.0.0.2");
        beta.Start(T0);
        var instance = DnsSdNames.InstanceName("mallory");
        var host = new DomainName("m.local");
        foreach (var strings in new[] { new[] { "fp=xyz", "pv=1" }, ["pv=1"], ["fp=0011223344556677", "pv=300"], ["fp=0011223344556677"] })
        {
            var m = new Message { QR = true, AA = true };
            m.Answers.Add(new SRVRecord { Name = instance, Target = host, Port = 7946, TTL = TimeSpan.FromSeconds(120) });
            var txt = new TXTRecord { Name = instance, TTL = TimeSpan.FromSeconds(120) };
            txt.Strings.AddRange(strings);
            m.Answers.Add(txt);
            m.Answers.Add(new ARecord { Name = host, Address = IPAddress.Parse("10.0.0.66"), TTL = TimeSpan.FromSeconds(120) });
            beta.HandlePacket(T0, Link.Index, PeerMdns, m.ToByteArray());
        }
        Assert.Empty(Events(beta));
        Assert.Equal(4, beta.Counters.InvalidServiceRecords);
    }

    [Fact]
    public void Another_key_announcing_our_name_is_counted_as_a_conflict_and_ignored()
    {
        var alpha = Engine("alpha", "0011223344556677", "10.0.0.1");
        var impostor = Engine("alpha", "ffffffffffffffff", "10.0.0.66");
        alpha.Start(T0);
        impostor.Start(T0);
        impostor.HandleTimeout(T0);
        Deliver(Drain(impostor), alpha, T0);
        Assert.Empty(Events(alpha));
        Assert.Equal(1, alpha.Counters.NameConflicts);
        // Our own looped-back announcement is no conflict.
        alpha.HandleTimeout(T0);
        Deliver(Drain(alpha), alpha, T0);
        Assert.Equal(1, alpha.Counters.NameConflicts);
    }

    [Fact]
    public void Responses_from_a_port_other_than_5353_are_ignored()
    {
        var alpha = Engine("alpha", "0011223344556677", "10.0.0.1");
        var beta = Engine("beta", "8899aabbccddeeff", "10.0.0.2");
        alpha.Start(T0);
        beta.Start(T0);
        alpha.HandleTimeout(T0);
        Deliver(Drain(alpha).Where(s => Parse(s.Payload).IsResponse), beta, T0, new IPEndPoint(IPAddress.Parse("10.0.0.1"), 12345));
        Assert.Empty(Events(beta));
        Assert.Equal(1, beta.Counters.IgnoredPackets);
    }

    [Fact]
    public void Address_cache_flush_replaces_old_addresses_after_one_second()
    {
        var beta = Engine("beta", "8899aabbccddeeff", "10.0.0.2");
        var moving = Engine("alpha", "0011223344556677", "10.0.0.1");
        beta.Start(T0);
        moving.Start(T0);
        moving.HandleTimeout(T0);
        Deliver(Drain(moving), beta, T0);
        Assert.Equal("10.0.0.1:7946", Assert.IsType<PeerDiscovered>(Assert.Single(Events(beta))).Peer.Address.Value);

        var renumbered = Engine("alpha", "0011223344556677", "10.0.0.5");
        renumbered.Start(T0);
        renumbered.HandleTimeout(T0);
        var t = T0 + TimeSpan.FromSeconds(10);
        Deliver(Drain(renumbered).Where(s => Parse(s.Payload).IsResponse), beta, t);
        var both = Assert.IsType<PeerDiscovered>(Assert.Single(Events(beta))).Peer;
        Assert.Equal(["10.0.0.1:7946", "10.0.0.5:7946"], both.Addresses.Select(a => a.Value));
        beta.HandleTimeout(t + TimeSpan.FromSeconds(1));
        var moved = Assert.IsType<PeerDiscovered>(Assert.Single(Events(beta))).Peer;
        Assert.Equal(["10.0.0.5:7946"], moved.Addresses.Select(a => a.Value));
    }

    [Fact]
    public void Wildcard_and_loopback_addresses_are_never_advertised()
    {
        var alpha = Engine("alpha", "0011223344556677", "0.0.0.0", "::", "127.0.0.1", "::1", "224.0.0.251", "10.0.0.1");
        alpha.Start(T0);
        alpha.HandleTimeout(T0);
        var announcement = Drain(alpha).Select(s => Parse(s.Payload)).First(m => m.IsResponse);
        var advertised = announcement.Answers.OfType<AddressRecord>().Select(a => a.Address.ToString()).ToArray();
        Assert.Equal(["10.0.0.1"], advertised);
    }
}
