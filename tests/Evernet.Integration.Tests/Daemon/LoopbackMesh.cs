using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Evernet.Control;
using Evernet.Control.Dtos;
using Evernet.Control.Protocol;
using Evernet.Gossip.Identity;
using Evernet.Integration.Tests.Control;

namespace Evernet.Integration.Tests.Daemon;

/// <summary>
/// Real evernetd processes on loopback with the dry-run dataplane: keys, certificates and configuration written the
/// way an operator would, a TCP listener and ICMP on loopback as the gateway's "internet" probe targets.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class LoopbackMesh : IAsyncDisposable
{
    private readonly List<Router> _routers = new();
    private readonly TcpListener _target = new(IPAddress.Loopback, 0);

    public LoopbackMesh()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("evernet-daemon-").FullName;
        AuthorityKey = NodeKeyPair.Generate();
        Authority = new CertificateAuthority(AuthorityKey);
        _target.Start();
    }

    public string Directory { get; }
    public NodeKeyPair AuthorityKey { get; }
    public CertificateAuthority Authority { get; }
    public IReadOnlyList<Router> Routers => _routers;
    public int TargetPort => ((IPEndPoint)_target.LocalEndpoint).Port;

    public sealed class Router
    {
        public required string Name { get; init; }
        public required bool IsGateway { get; init; }
        public required int Port { get; init; }
        public required string Dir { get; init; }
        public required NodeKeyPair Key { get; init; }
        public required MembershipCertificate Certificate { get; init; }
        public Process? Process { get; set; }
        public StringBuilder Log { get; } = new();
        public string Socket => Path.Combine(Dir, "ctl.sock");
        public string Config => Path.Combine(Dir, "evernetd.json");
        public string StateDir => Path.Combine(Dir, "state");
    }

    /// <summary>Extra top-level configuration keys for the next routers added (e.g. webAdmin).</summary>
    public Dictionary<string, object> ExtraConfig { get; } = new();

    /// <summary>Gateways probe only the TCP target (quorum 1): closing it is an uplink outage.</summary>
    public bool SingleProbeTarget { get; set; }

    public void StopTarget() => _target.Stop();

    public Router Add(string name, bool gateway, int seedPort = 0)
    {
        int port = FreeUdpPort();
        string dir = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "state"));
        var key = NodeKeyPair.Generate();
        using var wg = WireGuardKeyPair.Generate();
        File.WriteAllText(Path.Combine(dir, "state", "node.key"), Convert.ToBase64String(key.ExportPrivateSeed()) + "\n");
        File.SetUnixFileMode(Path.Combine(dir, "state", "node.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(dir, "state", "wireguard.key"), wg.ExportPrivateKeyBase64() + "\n");
        File.SetUnixFileMode(Path.Combine(dir, "state", "wireguard.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var cert = Authority.Issue(key.Id, wg.PublicKey.Span, name, gateway ? NodeRoles.Gateway | NodeRoles.Node : NodeRoles.Node,
            (ulong)(_routers.Count + 1), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CertificateFiles.WriteCertificate(Path.Combine(dir, "node.cert"), cert);
        var router = new Router { Name = name, IsGateway = gateway, Port = port, Dir = dir, Key = key, Certificate = cert };
        int seed = seedPort != 0 ? seedPort : _routers.FirstOrDefault(r => r.IsGateway)?.Port ?? port;
        var config = new Dictionary<string, object?>
        {
            ["nodeName"] = name,
            ["role"] = gateway ? "gateway" : "node",
            ["stateDirectory"] = router.StateDir,
            ["authorities"] = new[] { AuthorityKey.Id.ToHex() },
            ["certificateFile"] = Path.Combine(dir, "node.cert"),
            ["clientPrefixes"] = new[] { $"10.201.{_routers.Count + 1}.0/24" },
            ["gossip"] = new Dictionary<string, object> { ["port"] = port, ["listenAddresses"] = new[] { "127.0.0.1" }, ["seeds"] = new[] { $"127.0.0.1:{seed}" } },
            ["controlSocket"] = router.Socket,
            ["discovery"] = new Dictionary<string, object> { ["enabled"] = false },
            ["dryRun"] = true,
            ["logLevel"] = "Debug",
        };
        if (gateway)
        {
            config["gateway"] = new Dictionary<string, object>
            {
                ["wanInterface"] = "lo",
                ["capacityDownBps"] = 100_000_000,
                ["capacityUpBps"] = 40_000_000,
                ["probeTargets"] = SingleProbeTarget
                    ? new object[] { new Dictionary<string, string> { ["kind"] = "tcp", ["address"] = $"127.0.0.1:{TargetPort}" } }
                    : new object[]
                    {
                        new Dictionary<string, string> { ["kind"] = "icmp", ["address"] = "127.0.0.1" },
                        new Dictionary<string, string> { ["kind"] = "tcp", ["address"] = $"127.0.0.1:{TargetPort}" },
                    },
            };
        }
        foreach (var (k, v) in ExtraConfig) config[k] = v;
        File.WriteAllText(router.Config, JsonSerializer.Serialize(config));
        _routers.Add(router);
        return router;
    }

    public static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public static string DaemonDll
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "evernetd.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("evernetd.dll is not in the test output: build Evernet.Daemon", path);
        }
    }

    public void Start(Router r, params string[] extra)
    {
        var start = new ProcessStartInfo(Evernetctl.DotnetPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(DaemonDll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(r.Config);
        foreach (var e in extra) start.ArgumentList.Add(e);
        start.Environment["DOTNET_NOLOGO"] = "1";
        var p = Process.Start(start) ?? throw new InvalidOperationException("could not start evernetd");
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (r.Log) r.Log.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (r.Log) r.Log.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        r.Process = p;
    }

    public void StartAll()
    {
        foreach (var r in _routers) Start(r);
    }

    /// <summary>SIGKILL: a crash, nothing persisted on the way out.</summary>
    public static void Kill(Router r)
    {
        if (r.Process is { HasExited: false } p) p.Kill(entireProcessTree: true);
        r.Process?.WaitForExit(5000);
    }

    /// <summary>SIGTERM: the clean shutdown systemd performs.</summary>
    public static async Task StopAsync(Router r)
    {
        if (r.Process is not { HasExited: false } p) return;
        using var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await p.WaitForExitAsync(timeout.Token);
    }

    public static async Task<T> QueryAsync<T>(Router r, string command)
    {
        var result = await Evernetctl.RunAsync([command, "--json", "--socket", r.Socket]);
        if (result.ExitCode is not (0 or 1)) throw new InvalidOperationException($"evernetctl {command} on {r.Name}: exit {result.ExitCode}: {result.Stderr}");
        var info = ControlJsonContext.Default.GetTypeInfo(typeof(T)) ?? throw new InvalidOperationException($"no JSON contract for {typeof(T)}");
        return (T)JsonSerializer.Deserialize(result.Stdout, info)!;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes; returns whether it held.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            try
            {
                if (await condition()) return true;
            }
            catch (Exception e) when (e is InvalidOperationException or JsonException or TimeoutException)
            {
            }
            await Task.Delay(200);
        }
        return false;
    }

    public string Logs() => string.Join("\n", _routers.Select(r => $"--- {r.Name}\n{r.Log}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var r in _routers) Kill(r);
        _target.Stop();
        await Task.Yield();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        foreach (var r in _routers) r.Key.Dispose();
        AuthorityKey.Dispose();
    }
}
