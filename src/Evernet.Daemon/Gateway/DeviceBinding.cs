using System.Net.Sockets;
using System.Text;

namespace Evernet.Daemon.Gateway;

/// <summary>
/// SO_BINDTODEVICE: a probe must leave through the gateway's own WAN, never through a tunnel or another uplink, or a
/// dead uplink would look alive.
/// </summary>
internal static class DeviceBinding
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    public static void Bind(Socket socket, string? device)
    {
        if (string.IsNullOrEmpty(device)) return;
        var name = new byte[Encoding.ASCII.GetByteCount(device) + 1];
        Encoding.ASCII.GetBytes(device, name);
        socket.SetRawSocketOption(SolSocket, SoBindToDevice, name);
    }
}
