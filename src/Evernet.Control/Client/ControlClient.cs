using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Evernet.Control.Dtos;
using Evernet.Control.Protocol;

namespace Evernet.Control.Client;

/// <summary>
/// The evernetctl side of the control socket: one connection per request. Every failure is a
/// <see cref="ControlClientException"/> whose message can be shown to the operator as is.
/// </summary>
public sealed class ControlClient
{
    private readonly int _version;

    public ControlClient(string socketPath = ControlProtocol.DefaultSocketPath, TimeSpan? timeout = null)
        : this(socketPath, timeout, ControlProtocol.Version)
    {
    }

    /// <summary>Speaks a chosen protocol version: only tests want anything but the current one.</summary>
    public static ControlClient ForProtocolVersion(string socketPath, int version, TimeSpan? timeout = null) => new(socketPath, timeout, version);

    private ControlClient(string socketPath, TimeSpan? timeout, int version)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = socketPath;
        Timeout = timeout ?? TimeSpan.FromSeconds(15);
        _version = version;
    }

    public string SocketPath { get; }
    public TimeSpan Timeout { get; }

    public Task<StatusData> GetStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync(ControlCommands.Status, null, ControlJsonContext.Default.StatusData, cancellationToken);

    public Task<MembersData> GetMembersAsync(CancellationToken cancellationToken = default) =>
        SendAsync(ControlCommands.Members, null, ControlJsonContext.Default.MembersData, cancellationToken);

    public Task<GatewaysData> GetGatewaysAsync(CancellationToken cancellationToken = default) =>
        SendAsync(ControlCommands.Gateways, null, ControlJsonContext.Default.GatewaysData, cancellationToken);

    public Task<RoutesData> GetRoutesAsync(CancellationToken cancellationToken = default) =>
        SendAsync(ControlCommands.Routes, null, ControlJsonContext.Default.RoutesData, cancellationToken);

    public Task<EventsData> GetEventsAsync(EventsArgs args, CancellationToken cancellationToken = default) =>
        SendAsync(ControlCommands.Events, JsonSerializer.SerializeToElement(args, ControlJsonContext.Default.EventsArgs),
            ControlJsonContext.Default.EventsData, cancellationToken);

    public Task<MetricsData> GetMetricsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(ControlCommands.Metrics, null, ControlJsonContext.Default.MetricsData, cancellationToken);

    public Task<CertificateReloadData> ReloadCertificateAsync(CancellationToken cancellationToken = default) =>
        SendAsync(ControlCommands.ReloadCertificate, null, ControlJsonContext.Default.CertificateReloadData, cancellationToken);

    public Task<RevocationSubmitData> SubmitRevocationAsync(RevocationFile revocation, CancellationToken cancellationToken = default) =>
        SendAsync(ControlCommands.SubmitRevocation,
            JsonSerializer.SerializeToElement(new SubmitRevocationArgs(revocation), ControlJsonContext.Default.SubmitRevocationArgs),
            ControlJsonContext.Default.RevocationSubmitData, cancellationToken);

    public Task<DrainData> SetDrainingAsync(bool draining, CancellationToken cancellationToken = default) =>
        SendAsync(draining ? ControlCommands.Drain : ControlCommands.Undrain, null, ControlJsonContext.Default.DrainData, cancellationToken);

    /// <summary>Sends one command and decodes its data as <typeparamref name="T"/>.</summary>
    public async Task<T> SendAsync<T>(string command, JsonElement? args, JsonTypeInfo<T> dataType, CancellationToken cancellationToken = default)
    {
        var data = await SendRawAsync(command, args, cancellationToken).ConfigureAwait(false);
        try
        {
            return data.Deserialize(dataType)
                ?? throw new ControlClientException(ControlFailure.ProtocolError, $"evernetd answered '{command}' with null data");
        }
        catch (JsonException ex)
        {
            throw new ControlClientException(ControlFailure.ProtocolError,
                $"evernetd's answer to '{command}' does not have the expected fields: {ex.Message}", inner: ex);
        }
    }

    /// <summary>Sends one command and returns the response's "data" as is.</summary>
    public async Task<JsonElement> SendRawAsync(string command, JsonElement? args, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            using var socket = await ConnectAsync(deadline.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(ControlEnvelope.EncodeRequest(command, args, _version), deadline.Token).ConfigureAwait(false);
            await stream.FlushAsync(deadline.Token).ConfigureAwait(false);
            var reader = new LineReader(stream, ControlProtocol.DefaultMaxResponseBytes);
            var (status, line) = await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            if (status == LineStatus.EndOfStream)
                throw new ControlClientException(ControlFailure.ProtocolError, $"evernetd closed {SocketPath} without answering '{command}'");
            if (status == LineStatus.TooLong)
                throw new ControlClientException(ControlFailure.ProtocolError, $"evernetd's answer to '{command}' exceeds {ControlProtocol.DefaultMaxResponseBytes} bytes");
            return Interpret(command, line);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ControlClientException(ControlFailure.Timeout,
                $"evernetd did not answer '{command}' on {SocketPath} within {Timeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            throw new ControlClientException(ControlFailure.ProtocolError, $"the connection to evernetd on {SocketPath} broke: {ex.Message}", inner: ex);
        }
    }

    private JsonElement Interpret(string command, ReadOnlyMemory<byte> line)
    {
        ParsedResponse response;
        try
        {
            response = ControlEnvelope.ParseResponse(line);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new ControlClientException(ControlFailure.ProtocolError, $"evernetd sent a malformed answer to '{command}': {ex.Message}", inner: ex);
        }
        // The daemon's own account of a version mismatch names both versions: prefer it.
        if (response.Error is { Code: ControlErrorCodes.UnsupportedVersion } refused)
            throw new ControlClientException(ControlFailure.VersionMismatch, refused.Message, refused.Code);
        if (response.Version != _version)
            throw new ControlClientException(ControlFailure.VersionMismatch,
                $"evernetd on {SocketPath} speaks control protocol version {response.Version}, this evernetctl speaks version {_version}: use evernetctl from the same release as evernetd");
        if (response.Error is { } error)
            throw new ControlClientException(ControlFailure.CommandFailed, error.Message, error.Code);
        return response.Data!.Value;
    }

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw MapConnectError(ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private ControlClientException MapConnectError(SocketException ex)
    {
        string path = SocketPath;
        return ex.SocketErrorCode switch
        {
            SocketError.AccessDenied => new(ControlFailure.PermissionDenied,
                $"permission denied on {path}: run as root or join group {ControlProtocol.SocketGroup}", inner: ex),
            SocketError.ConnectionRefused => new(ControlFailure.NotRunning,
                $"evernetd is not running (nobody listens on {path})", inner: ex),
            _ when !File.Exists(path) => new(ControlFailure.NotRunning, $"evernetd is not running (no socket at {path})", inner: ex),
            _ => new(ControlFailure.ProtocolError, $"cannot connect to evernetd on {path}: {ex.Message}", inner: ex),
        };
    }
}
