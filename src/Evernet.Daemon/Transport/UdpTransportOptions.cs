using System.Net;

namespace Evernet.Daemon.Transport;

public sealed class UdpTransportOptions
{
    /// <summary>The gossip port; 0 (tests) picks an ephemeral port per socket.</summary>
    public required int Port { get; init; }
    /// <summary>One socket per address. IPv6 sockets are IPv6-only so that an IPv4 socket can share the port.</summary>
    public IReadOnlyList<IPAddress> ListenAddresses { get; init; } = [IPAddress.Any, IPAddress.IPv6Any];
    /// <summary>SO_BINDTODEVICE for every socket (needs CAP_NET_RAW); null: none.</summary>
    public string? BindInterface { get; init; }
    /// <summary>Received datagrams waiting for the event loop; beyond this the oldest are dropped (and counted).</summary>
    public int QueueCapacity { get; init; } = 1024;
    /// <summary>SO_RCVBUF: absorbs bursts (an urgent push fans out to many members at once).</summary>
    public int SocketReceiveBufferBytes { get; init; } = 1 << 20;
}
