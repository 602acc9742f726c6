using System.Net;
using System.Net.Sockets;
using Evernet.Control.Dtos;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Wire;
using Evernet.Integration.Tests.Control;
using GossipPush = Evernet.Gossip.Wire.Gossip;

namespace Evernet.Integration.Tests.Daemon;

/// <summary>evernetd as real processes on loopback (dry-run dataplane): convergence, failover, bad input, restarts.</summary>
[Collection("daemons")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DaemonTests
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(40);

    private static async Task<LoopbackMesh> StartMeshAsync()
    {
        var mesh = new LoopbackMesh();
        mesh.Add("gw1", gateway: true);
        mesh.Add("n1", gateway: false);
        mesh.Add("n2", gateway: false);
        mesh.StartAll();
        bool converged = await LoopbackMesh.WaitUntilAsync(async () =>
        {
            foreach (var r in mesh.Routers)
            {
                var s = await LoopbackMesh.QueryAsync<StatusData>(r, "status");
                if (s.Membership.Alive != 3 || s.Gateways.Count != 1 || !s.Gateways[0].Usable) return false;
            }
            return true;
        }, Converge);
        Assert.True(converged, "the mesh did not converge:\n" + mesh.Logs());
        return mesh;
    }

    [Fact]
    public async Task Daemons_converge_and_evernetctl_reads_them()
    {
        await using var mesh = await StartMeshAsync();
        var n1 = mesh.Routers[1];
        var status = await Evernetctl.RunAsync(["status", "--socket", n1.Socket]);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("gw1", status.Stdout);
        Assert.All(status.Stdout.Split('\n'), line => Assert.True(line.Length <= 80, $"wider than 80 columns: '{line}'"));
        var members = await LoopbackMesh.QueryAsync<MembersData>(n1, "members");
        Assert.Equal(3, members.Members.Count);
        var gateways = await LoopbackMesh.QueryAsync<GatewaysData>(n1, "gateways");
        Assert.Equal("up", gateways.Gateways.Single().Uplink);
        var routes = await Evernetctl.RunAsync(["routes", "--json", "--socket", n1.Socket]);
        Assert.Equal(0, routes.ExitCode);
        var events = await Evernetctl.RunAsync(["events", "--json", "--socket", n1.Socket]);
        Assert.Contains("member-state", events.Stdout);
    }

    [Fact]
    public async Task A_crashed_gateway_is_unusable_within_two_seconds_and_usable_again_after_restart()
    {
        await using var mesh = await StartMeshAsync();
        var gw = mesh.Routers[0];
        var n1 = mesh.Routers[1];
        LoopbackMesh.Kill(gw);
        var killed = DateTime.UtcNow;
        bool unusable = await LoopbackMesh.WaitUntilAsync(async () =>
            !(await LoopbackMesh.QueryAsync<StatusData>(n1, "status")).Gateways.Single().Usable, TimeSpan.FromSeconds(10));
        var took = DateTime.UtcNow - killed;
        Assert.True(unusable, "the node still uses the crashed gateway\n" + mesh.Logs());
        // The poll adds up to a few hundred ms of evernetctl start-up on top of the detection itself.
        Assert.True(took < TimeSpan.FromSeconds(4), $"took {took.TotalMilliseconds:0} ms");
        var noGateway = await Evernetctl.RunAsync(["status", "--socket", n1.Socket]);
        Assert.Equal(1, noGateway.ExitCode);

        mesh.Start(gw);
        bool back = await LoopbackMesh.WaitUntilAsync(async () =>
            (await LoopbackMesh.QueryAsync<StatusData>(n1, "status")).Gateways.Single().Usable, Converge);
        Assert.True(back, "the restarted gateway did not become usable\n" + mesh.Logs());
    }

    [Fact]
    public async Task Bad_input_on_the_wire_is_rejected_and_counted_and_the_daemon_keeps_running()
    {
        await using var mesh = await StartMeshAsync();
        var gw = mesh.Routers[0];
        var n1 = mesh.Routers[1];
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new IPEndPoint(IPAddress.Loopback, n1.Port);
        var random = new Random(42);

        // Random and truncated datagrams, and one over the size limit.
        for (int i = 0; i < 200; i++)
        {
            var junk = new byte[random.Next(1, 1300)];
            random.NextBytes(junk);
            await udp.SendAsync(junk, target);
        }
        var validPing = Encode(new Ping(0x1234, 1, n1.Key.Id.ShortId, 0, []));
        for (int cut = 1; cut < validPing.Length; cut++) await udp.SendAsync(validPing[..cut], target);
        await udp.SendAsync(new byte[4000], target);

        // A replayed signed summary: older than what the node holds (signed with the real gateway key).
        var gateways = await LoopbackMesh.QueryAsync<GatewaysData>(n1, "gateways");
        ulong held = gateways.Gateways.Single().SummaryVersion ?? 0;
        Assert.True(held > 1);
        var replay = Signing.SignGatewaySummary(new GatewaySummary(gw.Key.Id, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), UplinkState.Down, [], 1, 1, 0, 0, 0, 0, false, ReadOnlyMemory<byte>.Empty), gw.Key);
        await udp.SendAsync(Encode(new GossipPush(gw.Key.Id.ShortId, true, [replay])), target);

        // A node whose certificate comes from an authority nobody trusts.
        using var rogue = NodeKeyPair.Generate();
        using var rogueAuthorityKey = NodeKeyPair.Generate();
        using var wg = WireGuardKeyPair.Generate();
        var rogueCert = new CertificateAuthority(rogueAuthorityKey).Issue(rogue.Id, wg.PublicKey.Span, "rogue", NodeRoles.Gateway, 1, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var rogueRecord = Signing.SignNodeRecord(new NodeRecord(rogue.Id, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0, false, ["127.0.0.1:9"], [], rogueCert, ReadOnlyMemory<byte>.Empty), rogue);
        await udp.SendAsync(Encode(new PushPullRecords(rogue.Id.ShortId, 1, [rogueRecord])), target);
        await udp.SendAsync(Encode(new Ping(rogue.Id.ShortId, 7, n1.Key.Id.ShortId, 0, [])), target);

        string metrics = "";
        bool counted = await LoopbackMesh.WaitUntilAsync(async () =>
        {
            metrics = (await Evernetctl.RunAsync(["metrics", "--socket", n1.Socket])).Stdout;
            return Count(metrics, "malformed") >= 200 && Count(metrics, "stale") >= 1 && Count(metrics, "unknown_authority") >= 1 && Count(metrics, "unknown_sender") >= 1;
        }, TimeSpan.FromSeconds(10));
        Assert.True(counted, "rejections not counted:\n" + string.Join('\n', metrics.Split('\n').Where(l => l.Contains("reject"))));
        Assert.False(n1.Process!.HasExited);
        var status = await LoopbackMesh.QueryAsync<StatusData>(n1, "status");
        Assert.True(status.Gateways.Single().Usable, "the replayed uplink-down summary must not be believed");
        Assert.Equal(3, status.Membership.Alive);
        var members = await LoopbackMesh.QueryAsync<MembersData>(n1, "members");
        Assert.DoesNotContain(members.Members, m => m.Name == "rogue");
    }

    [Fact]
    public async Task A_restarted_daemon_rejoins_and_its_version_never_goes_backwards()
    {
        await using var mesh = await StartMeshAsync();
        var n2 = mesh.Routers[2];
        string ceilingFile = Path.Combine(n2.StateDir, "version.ceiling");
        ulong before = ReadCeiling(ceilingFile);
        await LoopbackMesh.StopAsync(n2);
        Assert.Equal(0, n2.Process!.ExitCode);
        Assert.True(File.Exists(Path.Combine(n2.StateDir, "membership.bin")), "a clean stop persists the membership");
        mesh.Start(n2);
        bool rejoined = await LoopbackMesh.WaitUntilAsync(async () =>
        {
            var s = await LoopbackMesh.QueryAsync<StatusData>(n2, "status");
            return s.Membership.Alive == 3 && s.Gateways.Single().Usable;
        }, Converge);
        Assert.True(rejoined, mesh.Logs());
        Assert.True(ReadCeiling(ceilingFile) > before, "the version ceiling moved forward");
    }

    [Fact]
    public async Task A_broken_configuration_names_the_key_and_exits_non_zero()
    {
        await using var mesh = new LoopbackMesh();
        var r = mesh.Add("gw1", gateway: true);
        File.WriteAllText(r.Config, File.ReadAllText(r.Config).Replace("\"capacityDownBps\":100000000", "\"capacityDownBps\":0"));
        var check = await RunDaemonAsync("--check-config", "--config", r.Config);
        Assert.NotEqual(0, check.ExitCode);
        Assert.Contains("capacityDownBps", check.Stderr + check.Stdout, StringComparison.OrdinalIgnoreCase);
        var start = await RunDaemonAsync("--config", r.Config);
        Assert.Equal(78, start.ExitCode);

        File.WriteAllText(r.Config, "{ this is not json");
        var broken = await RunDaemonAsync("--check-config", "--config", r.Config);
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains(r.Config, broken.Stderr + broken.Stdout);
    }

    private static async Task<Evernetctl.Result> RunDaemonAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Evernetctl.DotnetPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(LoopbackMesh.DaemonDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(timeout.Token);
        return new Evernetctl.Result(p.ExitCode, await stdout, await stderr);
    }

    private static ulong ReadCeiling(string path) =>
        ulong.Parse(File.ReadAllLines(path)[1], System.Globalization.CultureInfo.InvariantCulture);

    private static double Count(string metrics, string reason)
    {
        foreach (var line in metrics.Split('\n'))
            if (line.StartsWith("evernet_rejections_total", StringComparison.Ordinal) && line.Contains($"reason=\"{reason}\"", StringComparison.Ordinal))
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return 0;
    }

    private static byte[] Encode(Message m) => WireCodec.TryEncode(m, out var bytes) ? bytes : throw new InvalidOperationException("encode");
}

[CollectionDefinition("daemons", DisableParallelization = true)]
public sealed class DaemonCollection;
