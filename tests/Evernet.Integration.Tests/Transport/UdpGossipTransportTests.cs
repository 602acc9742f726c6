using System.Net;
using System.Net.Sockets;
using Evernet.Daemon.Transport;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.Wire;

namespace Evernet.Integration.Tests.Transport;

/// <summary>Real UDP sockets on the loopback interface.</summary>
public sealed class UdpGossipTransportTests
{
    private static UdpGossipTransport Start(params string[] addresses)
    {
        var transport = new UdpGossipTransport(new UdpTransportOptions { Port = 0, ListenAddresses = addresses.Select(IPAddress.Parse).ToArray() });
        transport.Start();
        return transport;
    }

    private static PeerAddress AddressOf(UdpGossipTransport transport, AddressFamily family) =>
        PeerEndpoint.Format(transport.LocalEndpoints.Single(e => e.AddressFamily == family));

    private static async Task<ReceivedDatagram> ReceiveAsync(UdpGossipTransport transport)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await transport.Received.ReadAsync(timeout.Token);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Datagrams_travel_both_ways_over_IPv4_loopback()
    {
        await using var a = Start("127.0.0.1");
        await using var b = Start("127.0.0.1");
        var toB = AddressOf(b, AddressFamily.InterNetwork);
        Assert.True(a.TrySend(new Transmit(toB, [1, 2, 3])));
        var got = await ReceiveAsync(b);
        Assert.Equal([1, 2, 3], got.Payload.ToArray());
        Assert.Equal(AddressOf(a, AddressFamily.InterNetwork), got.From);
        got.Release();
        got.Release(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => got.Payload.Length);

        // Answer to the address the datagram came from, exactly as the core would.
        Assert.True(b.TrySend(got.From, new byte[WireLimits.MaxDatagram]));
        var answer = await ReceiveAsync(a);
        Assert.Equal(WireLimits.MaxDatagram, answer.Payload.Length);
        answer.Release();
        Assert.Equal(1, a.Counters.DatagramsSent);
        Assert.Equal(1, b.Counters.DatagramsReceived);
        Assert.Equal(3, b.Counters.BytesReceived);
    }

    [Fact]
    public async Task IPv6_loopback_works_next_to_IPv4_on_the_same_port()
    {
        await using var a = Start("127.0.0.1", "::1");
        var v4 = a.LocalEndpoints.Single(e => e.AddressFamily == AddressFamily.InterNetwork);
        // Bind B's IPv4 and IPv6 sockets to one port: the IPv6 socket is IPv6-only, so they coexist.
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        await using var b = new UdpGossipTransport(new UdpTransportOptions { Port = port, ListenAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback] });
        b.Start();
        Assert.All(b.LocalEndpoints, e => Assert.Equal(port, e.Port));

        Assert.True(a.TrySend(new PeerAddress($"[::1]:{port}"), [6]));
        var got = await ReceiveAsync(b);
        Assert.Equal([6], got.Payload.ToArray());
        Assert.StartsWith("[::1]:", got.From.Value);
        got.Release();
        Assert.True(a.TrySend(new PeerAddress($"127.0.0.1:{port}"), [4]));
        got = await ReceiveAsync(b);
        Assert.Equal([4], got.Payload.ToArray());
        Assert.Equal($"127.0.0.1:{v4.Port}", got.From.Value);
        got.Release();
    }

    [Fact]
    public async Task Oversize_datagrams_are_dropped_and_counted_before_decode()
    {
        await using var b = Start("127.0.0.1");
        var target = b.LocalEndpoints[0];
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.SendTo(new byte[WireLimits.MaxDatagram + 1], target);
        raw.SendTo(new byte[60_000], target);
        raw.SendTo(new byte[] { 42 }, target);
        var got = await ReceiveAsync(b); // the small one is the only one that comes through
        Assert.Equal([42], got.Payload.ToArray());
        got.Release();
        Assert.Equal(2, b.Counters.OversizeDropped);
        Assert.Equal(3, b.Counters.DatagramsReceived);
        Assert.False(b.Received.TryRead(out _));
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("1.2.3.4")]            // no port
    [InlineData("fd00::1:7946")]       // IPv6 without brackets
    [InlineData("1.2.3.4:0")]
    [InlineData("1.2.3.4:70000")]
    [InlineData("host.example:7946")]  // names are resolved once at start (seeds), never per datagram
    [InlineData("sim:17")]
    [InlineData("")]
    public async Task Unusable_destinations_are_counted_not_thrown(string destination)
    {
        await using var a = Start("127.0.0.1");
        Assert.False(a.TrySend(new PeerAddress(destination), [1]));
        Assert.False(a.TrySend(new PeerAddress(destination), [1])); // the cached verdict counts too
        Assert.Equal(2, a.Counters.BadAddresses);
        Assert.Equal(0, a.Counters.DatagramsSent);
    }

    [Fact]
    public async Task A_destination_of_a_family_without_a_socket_is_a_bad_address()
    {
        await using var a = Start("127.0.0.1");
        Assert.False(a.TrySend(new PeerAddress("[::1]:7946"), [1]));
        Assert.Equal(1, a.Counters.BadAddresses);
    }

    [Fact]
    public async Task Oversize_sends_are_refused()
    {
        await using var a = Start("127.0.0.1");
        Assert.False(a.TrySend(new PeerAddress("127.0.0.1:9"), new byte[WireLimits.MaxDatagram + 1]));
        Assert.Equal(1, a.Counters.OversizeSendsRefused);
    }

    [Fact]
    public async Task A_full_queue_drops_the_oldest_and_counts()
    {
        await using var b = new UdpGossipTransport(new UdpTransportOptions { Port = 0, ListenAddresses = [IPAddress.Loopback], QueueCapacity = 4 });
        b.Start();
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (byte i = 0; i < 10; i++) raw.SendTo(new[] { i }, b.LocalEndpoints[0]);
        await WaitFor(() => b.Counters.DatagramsReceived == 10);
        Assert.Equal(6, b.Counters.QueueDropped);
        var kept = new List<byte>();
        while (b.Received.TryRead(out var d))
        {
            kept.Add(d.Payload[0]);
            d.Release();
        }
        Assert.Equal([6, 7, 8, 9], kept);
    }

    [Fact]
    public async Task A_bind_failure_names_the_address()
    {
        await using var a = Start("127.0.0.1");
        var port = a.LocalEndpoints[0].Port;
        var clash = new UdpGossipTransport(new UdpTransportOptions { Port = port, ListenAddresses = [IPAddress.Loopback] });
        var error = Assert.Throws<TransportStartException>(clash.Start);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        var nowhere = new UdpGossipTransport(new UdpTransportOptions { Port = 0, ListenAddresses = [IPAddress.Parse("192.0.2.77")] });
        Assert.Contains("192.0.2.77", Assert.Throws<TransportStartException>(nowhere.Start).Message);
    }

    [Fact]
    public async Task Binding_to_an_interface_restricts_the_socket_to_it()
    {
        await using var onLoopback = new UdpGossipTransport(new UdpTransportOptions { Port = 0, ListenAddresses = [IPAddress.Loopback], BindInterface = "lo" });
        onLoopback.Start();
        await using var a = Start("127.0.0.1");
        Assert.True(a.TrySend(PeerEndpoint.Format(onLoopback.LocalEndpoints[0]), [9]));
        var got = await ReceiveAsync(onLoopback);
        Assert.Equal([9], got.Payload.ToArray());
        got.Release();
        var missing = new UdpGossipTransport(new UdpTransportOptions { Port = 0, ListenAddresses = [IPAddress.Loopback], BindInterface = "nosuchif0" });
        Assert.Contains("nosuchif0", Assert.Throws<TransportStartException>(missing.Start).Message);
    }

    [Fact]
    public async Task Dispose_releases_queued_datagrams_and_stops_receiving()
    {
        var b = Start("127.0.0.1");
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.SendTo(new byte[] { 1 }, b.LocalEndpoints[0]);
        await WaitFor(() => b.Counters.DatagramsReceived == 1);
        await b.DisposeAsync();
        Assert.False(b.Received.TryRead(out _));
        Assert.True(b.Received.Completion.IsCompleted);
        Assert.False(b.TrySend(new PeerAddress("127.0.0.1:9"), [1]));
        Assert.Equal(1, b.Counters.SendErrors);
    }
}
