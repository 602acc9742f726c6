using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using Evernet.Control.Dtos;
using Evernet.Control.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evernet.Control.Server;

/// <summary>
/// The daemon side of the control socket: accepts connections, reads one request per line, dispatches it to the
/// <see cref="IControlHandler"/> and writes one response line. Bad input of any kind (not JSON, wrong version, unknown
/// command, oversized line, a handler that throws or hangs) gets an error response or a closed connection, never a crash.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly ControlServerOptions _options;
    private readonly IControlHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _nextConnectionId;

    public ControlServer(ControlServerOptions options, IControlHandler handler, ILogger<ControlServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        if (options.MaxRequestBytes <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxRequestBytes must be positive");
        if (options.MaxConnections <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxConnections must be positive");
        _options = options;
        _handler = handler;
        _logger = logger ?? NullLogger<ControlServer>.Instance;
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
    }

    public string SocketPath => _options.SocketPath;

    /// <summary>
    /// Binds the socket (creating its directory, replacing a stale socket file), sets its mode and group, and starts accepting.
    /// Throws <see cref="InvalidOperationException"/> when another process already serves the path.
    /// </summary>
    public void Start()
    {
        if (_listener is not null) throw new InvalidOperationException("the control server is already started");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("evernet runs on Linux");
        string path = _options.SocketPath;
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        RemoveStaleSocket(path);

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, _options.Mode);
            string group = ApplyGroup(path);
            listener.Listen(_options.MaxConnections);
            ControlServerLog.Listening(_logger, path, Convert.ToString((int)_options.Mode, 8).PadLeft(4, '0'), group);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener, _stop.Token);
    }

    /// <summary>Stops accepting, cancels running commands, waits for connections to finish and removes the socket file.</summary>
    public async Task StopAsync()
    {
        if (_listener is null) return;
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        try
        {
            File.Delete(_options.SocketPath);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        _listener = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _slots.Dispose();
    }

    private void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path)) return;
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new InvalidOperationException($"another process (another evernetd?) is already listening on {path}");
            }
            catch (SocketException)
            {
                // Nobody listens: a socket left behind by a process that died.
            }
        }
        File.Delete(path);
        ControlServerLog.RemovedStale(_logger, path);
    }

    private string ApplyGroup(string path)
    {
        if (_options.Group is not { Length: > 0 } group) return "unchanged";
        uint? gid = UnixSocketFile.LookupGroup(group);
        if (gid is null)
        {
            ControlServerLog.GroupMissing(_logger, group, path);
            return "unchanged";
        }
        try
        {
            UnixSocketFile.SetGroup(path, gid.Value);
            return group;
        }
        catch (IOException ex)
        {
            ControlServerLog.GroupFailed(_logger, path, group, ex);
            return "unchanged";
        }
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException ex)
            {
                if (stop.IsCancellationRequested) break;
                ControlServerLog.AcceptFailed(_logger, ex);
                // A persistent accept failure (EMFILE) must not spin the CPU.
                try { await Task.Delay(100, stop).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
                continue;
            }

            long id = Interlocked.Increment(ref _nextConnectionId);
            if (!_slots.Wait(0))
            {
                ControlServerLog.Busy(_logger, _options.MaxConnections);
                Track(id, RefuseBusyAsync(connection));
                continue;
            }
            Track(id, ServeConnectionAsync(connection, stop));
        }
    }

    private void Track(long id, Task connection)
    {
        _connections[id] = connection;
        _ = ForgetWhenDoneAsync(id, connection);
    }

    private async Task ForgetWhenDoneAsync(long id, Task connection)
    {
        try
        {
            await connection.ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    private static async Task RefuseBusyAsync(Socket connection)
    {
        using (connection)
        {
            try
            {
                await using var stream = new NetworkStream(connection, ownsSocket: false);
                using var timeout = new CancellationTokenSource(WriteTimeout);
                await stream.WriteAsync(ControlEnvelope.EncodeError(ControlErrorCodes.Busy, "evernetd is serving too many control connections; try again"),
                    timeout.Token).ConfigureAwait(false);
                await DrainBeforeCloseAsync(connection, stream).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }

    private async Task ServeConnectionAsync(Socket connection, CancellationToken stop)
    {
        await Task.Yield(); // never run a connection on the accept loop's stack
        try
        {
            await using var stream = new NetworkStream(connection, ownsSocket: true);
            var reader = new LineReader(stream, _options.MaxRequestBytes);
            while (!stop.IsCancellationRequested)
            {
                LineStatus status;
                ReadOnlyMemory<byte> line;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    idle.CancelAfter(_options.IdleTimeout);
                    try
                    {
                        (status, line) = await reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return; // idle too long, or the server stops
                    }
                }
                if (status == LineStatus.EndOfStream) return;
                if (status == LineStatus.TooLong)
                {
                    string message = $"the request exceeds {_options.MaxRequestBytes} bytes";
                    ControlServerLog.Refused(_logger, ControlErrorCodes.RequestTooLarge, message);
                    await WriteAsync(stream, ControlEnvelope.EncodeError(ControlErrorCodes.RequestTooLarge, message), stop).ConfigureAwait(false);
                    await DrainBeforeCloseAsync(connection, stream).ConfigureAwait(false);
                    return;
                }
                if (line.IsEmpty) continue;
                byte[] response = await HandleLineAsync(line, stop).ConfigureAwait(false);
                await WriteAsync(stream, response, stop).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Typically the client went away mid-answer: nothing to tell anyone, and nothing that may stop the server.
            ControlServerLog.ConnectionFailed(_logger, ex);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Closing a socket with unread input resets the connection, and the peer may lose the error we just wrote:
    /// stop sending, swallow what is still in flight (bounded in bytes and time), then close.
    /// </summary>
    private static async Task DrainBeforeCloseAsync(Socket connection, Stream stream)
    {
        try
        {
            connection.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var sink = new byte[4096];
            long drained = 0;
            while (drained < 1 << 20)
            {
                int read = await stream.ReadAsync(sink, timeout.Token).ConfigureAwait(false);
                if (read == 0) break;
                drained += read;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the connection closes either way.
        }
    }

    private static async Task WriteAsync(Stream stream, byte[] response, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(WriteTimeout);
        await stream.WriteAsync(response, timeout.Token).ConfigureAwait(false);
        await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>One request line to one response line. Public so the daemon's tests can exercise dispatch without a socket.</summary>
    public async Task<byte[]> HandleLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        var request = ControlEnvelope.ParseRequest(line);
        if (request.Error is { } invalid)
        {
            ControlServerLog.Refused(_logger, invalid.Code, invalid.Message);
            return ControlEnvelope.EncodeError(invalid.Code, invalid.Message);
        }
        string command = request.Command!;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.CommandTimeout);
        try
        {
            return await DispatchAsync(command, request.Args, deadline.Token).ConfigureAwait(false);
        }
        catch (ControlCommandException ex)
        {
            ControlServerLog.Refused(_logger, ex.Code, ex.Message);
            return ControlEnvelope.EncodeError(ex.Code, ex.Message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ControlEnvelope.EncodeError(ControlErrorCodes.Timeout,
                $"evernetd did not finish '{command}' within {_options.CommandTimeout.TotalSeconds:0.#} s");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ControlEnvelope.EncodeError(ControlErrorCodes.InternalError, "evernetd is shutting down");
        }
        catch (Exception ex)
        {
            ControlServerLog.CommandFailed(_logger, command, ex);
            return ControlEnvelope.EncodeError(ControlErrorCodes.InternalError, $"evernetd failed to run '{command}': {ex.Message}");
        }
    }

    private async Task<byte[]> DispatchAsync(string command, JsonElement? args, CancellationToken ct)
    {
        var json = ControlJsonContext.Default;
        switch (command)
        {
            case ControlCommands.Status:
                return ControlEnvelope.EncodeSuccess(await _handler.GetStatusAsync(ct).ConfigureAwait(false), json.StatusData);
            case ControlCommands.Members:
                return ControlEnvelope.EncodeSuccess(await _handler.GetMembersAsync(ct).ConfigureAwait(false), json.MembersData);
            case ControlCommands.Gateways:
                return ControlEnvelope.EncodeSuccess(await _handler.GetGatewaysAsync(ct).ConfigureAwait(false), json.GatewaysData);
            case ControlCommands.Routes:
                return ControlEnvelope.EncodeSuccess(await _handler.GetRoutesAsync(ct).ConfigureAwait(false), json.RoutesData);
            case ControlCommands.Events:
            {
                var eventsArgs = args is { } a ? ReadArgs(a, json.EventsArgs, command) : new EventsArgs();
                if (eventsArgs.Limit is < 0)
                    throw new ControlCommandException(ControlErrorCodes.InvalidArguments, "events: \"limit\" must not be negative");
                return ControlEnvelope.EncodeSuccess(await _handler.GetEventsAsync(eventsArgs, ct).ConfigureAwait(false), json.EventsData);
            }
            case ControlCommands.Metrics:
                return ControlEnvelope.EncodeSuccess(await _handler.GetMetricsAsync(ct).ConfigureAwait(false), json.MetricsData);
            case ControlCommands.ReloadCertificate:
                return ControlEnvelope.EncodeSuccess(await _handler.ReloadCertificateAsync(ct).ConfigureAwait(false), json.CertificateReloadData);
            case ControlCommands.SubmitRevocation:
            {
                if (args is not { } a)
                    throw new ControlCommandException(ControlErrorCodes.InvalidArguments, "submit-revocation needs \"args\": {\"revocation\": {...}}");
                var submit = ReadArgs(a, json.SubmitRevocationArgs, command);
                Gossip.Identity.Revocation revocation;
                try
                {
                    revocation = CertificateFiles.ToRevocation(submit.Revocation, "the submitted revocation");
                }
                catch (CertificateFileException ex)
                {
                    throw new ControlCommandException(ControlErrorCodes.InvalidArguments, ex.Message, ex);
                }
                return ControlEnvelope.EncodeSuccess(await _handler.SubmitRevocationAsync(revocation, ct).ConfigureAwait(false), json.RevocationSubmitData);
            }
            case ControlCommands.Drain:
                return ControlEnvelope.EncodeSuccess(await _handler.SetDrainingAsync(true, ct).ConfigureAwait(false), json.DrainData);
            case ControlCommands.Undrain:
                return ControlEnvelope.EncodeSuccess(await _handler.SetDrainingAsync(false, ct).ConfigureAwait(false), json.DrainData);
            default:
                throw new ControlCommandException(ControlErrorCodes.UnknownCommand,
                    $"unknown command '{Truncate(command, 64)}'; evernetd knows: {string.Join(", ", ControlCommands.All)}");
        }
    }

    private static T ReadArgs<T>(JsonElement args, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string command)
    {
        try
        {
            return args.Deserialize(type) ?? throw new ControlCommandException(ControlErrorCodes.InvalidArguments, $"{command}: \"args\" must be an object");
        }
        catch (JsonException ex)
        {
            throw new ControlCommandException(ControlErrorCodes.InvalidArguments, $"{command}: invalid \"args\": {ex.Message}", ex);
        }
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max] + "...";
}
