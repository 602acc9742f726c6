using System.Net.Sockets;
using System.Text;

namespace Evernet.Integration.Tests.Control;

/// <summary>
/// A listener on a Unix socket that answers every request line with one fixed line: a daemon of another release,
/// or a broken one, which the real server cannot be made to imitate.
/// </summary>
internal sealed class FakeDaemon : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private FakeDaemon(string path, string answer)
    {
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(8);
        _loop = ServeAsync(Encoding.UTF8.GetBytes(answer + "\n"));
    }

    public static FakeDaemon Answering(string path, string answer) => new(path, answer);

    private async Task ServeAsync(byte[] answer)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try { connection = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            using (connection)
            {
                try
                {
                    using var stream = new NetworkStream(connection);
                    using var reader = new StreamReader(stream);
                    await reader.ReadLineAsync(_stop.Token);
                    await stream.WriteAsync(answer, _stop.Token);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException) { }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
