using System.Net;
using System.Net.Sockets;
using Evernet.Discovery;
using Evernet.Gossip.Identity;

namespace Evernet.Integration.Tests.Discovery;

/// <summary>Real multicast over a veth pair between two network namespaces: announce, browse, goodbye, garbage.</summary>
public sealed class MdnsDiscoveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static DiscoveryOptions Options(string name, string fp, string iface, NodeRoles role, params string[] addresses) => new()
    {
        NodeName = name,
        Fingerprint = fp,
        Role = role,
        GossipPort = 7946,
        Interfaces = [iface],
        AdvertisedAddresses = addresses.Select(IPAddress.Parse).ToArray(),
    };

    private static MdnsDiscovery StartIn(string ns, DiscoveryOptions options) =>
        VethNamespaces.Run(ns, () =>
        {
            var discovery = new MdnsDiscovery(options);
            discovery.Start();
            return discovery;
        });

    private static async Task<T> Next<T>(MdnsDiscovery discovery, Func<T, bool>? match = null) where T : DiscoveryEvent
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var e = await discovery.Events.ReadAsync(timeout.Token);
            if (e is T t && (match is null || match(t))) return t;
        }
    }

    [Fact]
    public async Task Two_nodes_find_each_other_and_a_goodbye_is_seen()
    {
        using var net = new VethNamespaces("10.231.1.1", "10.231.1.2", "fd31:1::1", "fd31:1::2");
        var alpha = StartIn(net.A, Options("alpha", "0011223344556677", net.InterfaceA, NodeRoles.Gateway, "10.231.1.1", "fd31:1::1"));
        await using var beta = StartIn(net.B, Options("beta", "8899aabbccddeeff", net.InterfaceB, NodeRoles.Node, "10.231.1.2"));
        try
        {
            var seenByBeta = (await Next<PeerDiscovered>(beta)).Peer;
            Assert.Equal("alpha", seenByBeta.InstanceName);
            Assert.Equal(net.InterfaceB, seenByBeta.Interface);
            Assert.Equal(["10.231.1.1:7946", "[fd31:1::1]:7946"], seenByBeta.Addresses.Select(a => a.Value));
            Assert.Equal("0011223344556677", seenByBeta.Fingerprint);
            Assert.Equal(1, seenByBeta.ProtocolVersion);
            Assert.True(seenByBeta.IsGateway);

            var seenByAlpha = (await Next<PeerDiscovered>(alpha)).Peer;
            Assert.Equal("beta", seenByAlpha.InstanceName);
            Assert.Equal("10.231.1.2:7946", seenByAlpha.Address.Value);
            Assert.False(seenByAlpha.IsGateway);
            Assert.Single(alpha.Peers);
        }
        finally
        {
            await alpha.StopAsync();
        }
        var lost = await Next<PeerLost>(beta);
        Assert.Equal(PeerLostReason.Goodbye, lost.Reason);
        Assert.Equal("alpha", lost.Peer.InstanceName);
        Assert.Empty(beta.Peers);
        Assert.Equal(0, beta.Counters.MalformedPackets);
        Assert.True(alpha.Counters.PacketsSent > 0);
    }

    [Fact]
    public async Task Discovery_works_over_IPv6_multicast_alone()
    {
        using var net = new VethNamespaces("10.231.2.1", "10.231.2.2", "fd31:2::1", "fd31:2::2");
        var v6 = (string name, string fp, string iface, string address) => new DiscoveryOptions
        {
            NodeName = name, Fingerprint = fp, GossipPort = 7946, Interfaces = [iface], UseIPv4 = false,
            AdvertisedAddresses = [IPAddress.Parse(address)],
        };
        await using var alpha = StartIn(net.A, v6("alpha", "0011223344556677", net.InterfaceA, "fd31:2::1"));
        await using var beta = StartIn(net.B, v6("beta", "8899aabbccddeeff", net.InterfaceB, "fd31:2::2"));
        var peer = (await Next<PeerDiscovered>(beta)).Peer;
        Assert.Equal("[fd31:2::1]:7946", peer.Address.Value);
        Assert.Equal("beta", (await Next<PeerDiscovered>(alpha)).Peer.InstanceName);
    }

    [Fact]
    public async Task Garbage_on_the_mdns_group_is_counted_and_discovery_carries_on()
    {
        using var net = new VethNamespaces("10.231.3.1", "10.231.3.2", "fd31:3::1", "fd31:3::2");
        await using var alpha = StartIn(net.A, Options("alpha", "0011223344556677", net.InterfaceA, NodeRoles.Node, "10.231.3.1"));
        // A hostile neighbour in B sends junk to the group from port 5353, next to a well-behaved node.
        using var junk = VethNamespaces.Run(net.B, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(IPAddress.Parse("10.231.3.2"), 5353));
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Parse("10.231.3.2").GetAddressBytes());
            return s;
        });
        var random = new Random(5);
        var group = new IPEndPoint(MdnsLinkSockets.GroupV4, 5353);
        for (int i = 0; i < 50; i++)
        {
            var garbage = new byte[12 + random.Next(300)];
            random.NextBytes(garbage);
            garbage[2] = 0x84; // looks like a response
            junk.SendTo(garbage, group);
        }
        await using var beta = StartIn(net.B, Options("beta", "8899aabbccddeeff", net.InterfaceB, NodeRoles.Node, "10.231.3.2"));
        Assert.Equal("beta", (await Next<PeerDiscovered>(alpha)).Peer.InstanceName);
        Assert.True(alpha.Counters.MalformedPackets >= 40, $"malformed {alpha.Counters.MalformedPackets}");
    }

    [Fact]
    public async Task Shares_port_5353_with_another_responder()
    {
        using var net = new VethNamespaces("10.231.4.1", "10.231.4.2", "fd31:4::1", "fd31:4::2");
        // Stands in for avahi-daemon: bound to 5353 with SO_REUSEADDR and joined to the group before we start.
        using var other = VethNamespaces.Run(net.A, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(IPAddress.Any, 5353));
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(MdnsLinkSockets.GroupV4, IPAddress.Parse("10.231.4.1")));
            return s;
        });
        await using var alpha = StartIn(net.A, Options("alpha", "0011223344556677", net.InterfaceA, NodeRoles.Node, "10.231.4.1"));
        await using var beta = StartIn(net.B, Options("beta", "8899aabbccddeeff", net.InterfaceB, NodeRoles.Node, "10.231.4.2"));
        Assert.Equal("beta", (await Next<PeerDiscovered>(alpha)).Peer.InstanceName);
        // The other responder still gets the group's traffic.
        other.ReceiveTimeout = 5000;
        var buffer = new byte[9000];
        Assert.True(other.Receive(buffer) > 12);
    }

    [Fact]
    public void A_missing_interface_is_named_in_the_start_error()
    {
        var discovery = new MdnsDiscovery(Options("alpha", "0011223344556677", "nosuchif0", NodeRoles.Node, "10.0.0.1"));
        var error = Assert.Throws<DiscoveryStartException>(discovery.Start);
        Assert.Contains("nosuchif0", error.Message);
    }
}
