using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// A UDP socket that lives in a testbed namespace: created on a thread that entered the namespace (setns), it belongs
/// to that namespace for its whole life, so the test process can send from a router's address like the router would.
/// </summary>
internal sealed class EvernetNamespaceUdp : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly Socket _socket;

    private EvernetNamespaceUdp(Socket socket) => _socket = socket;

    /// <summary>A socket in namespace <paramref name="namespaceName"/> bound to <paramref name="local"/> (port 0: any).</summary>
    public static EvernetNamespaceUdp Open(string namespaceName, IPEndPoint local)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{namespaceName}", FileMode.Open, FileAccess.Read);
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({namespaceName}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(local);
            }
            catch (Exception e)
            {
                socket?.Dispose();
                socket = null;
                failure = e;
            }
        });
        thread.Start();
        thread.Join(); // the thread ends in the namespace; the socket stays there
        return socket is not null
            ? new EvernetNamespaceUdp(socket)
            : throw new InvalidOperationException($"no UDP socket in {namespaceName}: {failure?.Message}", failure);
    }

    public Task SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint target) =>
        _socket.SendToAsync(datagram, SocketFlags.None, target).AsTask();

    public void Dispose() => _socket.Dispose();

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
