using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Evernet.Discovery;

/// <summary>The mDNS sockets of one mesh interface: one per address family, joined to the group on that interface only.</summary>
public sealed class MdnsLinkSockets : IDisposable
{
    public static readonly IPAddress GroupV4 = IPAddress.Parse("224.0.0.251");
    public static readonly IPAddress GroupV6 = IPAddress.Parse("ff02::fb");

    // Linux socket option numbers .NET has no names for.
    private const int SolSocket = 1, SoBindToDevice = 25;
    private const int IpProtoIp = 0, IpMulticastAll = 49;
    private const int IpProtoIpv6 = 41, Ipv6MulticastAll = 29;

    private MdnsLinkSockets(MeshLink link, Socket? v4, Socket? v6, int port)
    {
        Link = link;
        V4 = v4;
        V6 = v6;
        GroupEndpointV4 = new IPEndPoint(GroupV4, port);
        GroupEndpointV6 = new IPEndPoint(new IPAddress(GroupV6.GetAddressBytes(), link.Index), port);
    }

    public MeshLink Link { get; }
    public Socket? V4 { get; }
    public Socket? V6 { get; }
    public IPEndPoint GroupEndpointV4 { get; }
    public IPEndPoint GroupEndpointV6 { get; }

    /// <summary>Resolves an interface name to its kernel index in the calling thread's network namespace.</summary>
    public static MeshLink Resolve(string interfaceName)
    {
        var name = Encoding.ASCII.GetBytes(interfaceName + "\0");
        uint index = NativeMethods.if_nametoindex(name);
        if (index == 0) throw new DiscoveryStartException($"mesh interface '{interfaceName}' does not exist");
        return new MeshLink(interfaceName, (int)index);
    }

    /// <summary>
    /// Opens and joins. SO_REUSEADDR lets us share port 5353 with avahi or another responder; SO_BINDTODEVICE and
    /// IP_MULTICAST_ALL=0 keep each socket to its own interface, so the receiving socket tells us the link.
    /// </summary>
    public static MdnsLinkSockets Open(MeshLink link, DiscoveryOptions options)
    {
        Socket? v4 = null, v6 = null;
        try
        {
            if (options.UseIPv4) v4 = OpenV4(link, options);
            if (options.UseIPv6) v6 = OpenV6(link, options);
            return new MdnsLinkSockets(link, v4, v6, options.MdnsPort);
        }
        catch (SocketException e)
        {
            v4?.Dispose();
            v6?.Dispose();
            throw new DiscoveryStartException($"mesh interface '{link.Name}': cannot open the mDNS socket: {e.Message} ({e.SocketErrorCode})", e);
        }
    }

    private static Socket OpenV4(MeshLink link, DiscoveryOptions options)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            BindToDevice(socket, link.Name);
            socket.SetRawSocketOption(IpProtoIp, IpMulticastAll, BitConverter.GetBytes(0));
            socket.Bind(new IPEndPoint(IPAddress.Any, options.MdnsPort));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(GroupV4, link.Index));
            // For IPv4 an interface index is passed in network byte order (documented for IP_MULTICAST_IF in .NET).
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(link.Index));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, options.MulticastLoopback);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket OpenV6(MeshLink link, DiscoveryOptions options)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.DualMode = false;
            BindToDevice(socket, link.Name);
            socket.SetRawSocketOption(IpProtoIpv6, Ipv6MulticastAll, BitConverter.GetBytes(0));
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, options.MdnsPort));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(GroupV6, link.Index));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, link.Index);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, options.MulticastLoopback);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Best effort: it needs CAP_NET_RAW. Without it the per-interface group membership plus IP_MULTICAST_ALL=0 still keeps
    /// other interfaces' multicast away; only stray unicast to port 5353 could then arrive on the wrong link's socket.
    /// </summary>
    private static void BindToDevice(Socket socket, string interfaceName)
    {
        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose()
    {
        V4?.Dispose();
        V6?.Dispose();
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern uint if_nametoindex(byte[] name);
    }
}

/// <summary>
/// Discovery could not start (unknown interface, socket refused); the message names the cause. An
/// InvalidOperationException, so a host that treats discovery as optional can catch the usual start-up failures together.
/// </summary>
public sealed class DiscoveryStartException : InvalidOperationException
{
    public DiscoveryStartException(string message) : base(message) { }
    public DiscoveryStartException(string message, Exception inner) : base(message, inner) { }
}
