using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Evernet.Discovery;

/// <summary>A mesh interface, resolved: its name and kernel index.</summary>
public sealed record MeshLink(string Name, int Index);

/// <summary>Where the addresses for our A/AAAA records come from.</summary>
public interface IInterfaceAddressSource
{
    IReadOnlyList<IPAddress> GetAddresses(MeshLink link);
}

/// <summary>A fixed list, the same for every link (configured advertised addresses; tests).</summary>
public sealed class FixedAddressSource(IReadOnlyList<IPAddress> addresses) : IInterfaceAddressSource
{
    public IReadOnlyList<IPAddress> GetAddresses(MeshLink link) => addresses;
}

/// <summary>The interface's current unicast addresses as the kernel reports them (read on every announcement: addresses change).</summary>
public sealed class SystemInterfaceAddresses(bool includeIPv4, bool includeIPv6) : IInterfaceAddressSource
{
    public IReadOnlyList<IPAddress> GetAddresses(MeshLink link)
    {
        try
        {
            var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == link.Name);
            if (nic is null) return [];
            return nic.GetIPProperties().UnicastAddresses
                .Select(u => u.Address)
                .Where(a => (a.AddressFamily == AddressFamily.InterNetwork && includeIPv4)
                         || (a.AddressFamily == AddressFamily.InterNetworkV6 && includeIPv6))
                .Where(DnsSdRecords.IsAdvertisable)
                .ToArray();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
