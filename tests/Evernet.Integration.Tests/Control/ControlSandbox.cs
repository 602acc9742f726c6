using Evernet.Control.Server;

namespace Evernet.Integration.Tests.Control;

/// <summary>A temporary directory (world-traversable, so a test can act as nobody) and control servers in it, cleaned up after.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ControlSandbox : IAsyncDisposable
{
    private readonly List<ControlServer> _servers = [];

    public ControlSandbox()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("evernet-control-").FullName;
        File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public ControlServer Start(IControlHandler handler, ControlServerOptions? options = null, string socketName = "evernetd.sock")
    {
        var server = new ControlServer((options ?? new ControlServerOptions { Group = null }) with { SocketPath = PathOf(socketName) }, handler);
        server.Start();
        _servers.Add(server);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException) { }
    }
}

