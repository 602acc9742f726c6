using Evernet.Control.Protocol;

namespace Evernet.Control.Server;

/// <summary>Where and how the control socket listens. Defaults are the production ones.</summary>
public sealed record ControlServerOptions
{
    public string SocketPath { get; init; } = ControlProtocol.DefaultSocketPath;

    /// <summary>Group given the socket when it exists on the system (looked up by name); null leaves the group alone.</summary>
    public string? Group { get; init; } = ControlProtocol.SocketGroup;

    public UnixFileMode Mode { get; init; } =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>How long a connection may take to send a complete request line (and then each next one) before it is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the handler may take for one command before the client gets "timeout".</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxRequestBytes { get; init; } = ControlProtocol.DefaultMaxRequestBytes;

    /// <summary>Connections served at once; more are answered "busy" and closed.</summary>
    public int MaxConnections { get; init; } = 16;
}
