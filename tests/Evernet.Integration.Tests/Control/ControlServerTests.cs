using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Evernet.Control;
using Evernet.Control.Client;
using Evernet.Control.Dtos;
using Evernet.Control.Protocol;
using Evernet.Control.Server;
using Evernet.Gossip.Identity;

namespace Evernet.Integration.Tests.Control;

/// <summary>A real ControlServer on a real Unix socket, driven by the real ControlClient and by raw bytes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ControlServerTests
{
    [Fact]
    public async Task Every_command_round_trips_through_the_socket()
    {
        await using var sandbox = new ControlSandbox();
        var handler = new TestControlHandler { IsGateway = true };
        var server = sandbox.Start(handler);
        var client = new ControlClient(server.SocketPath);

        var status = await client.GetStatusAsync();
        Assert.Equal("r17", status.Node.Name);
        Assert.Equal(ControlTestData.Id(10).ToHex(), status.Node.NodeId);
        Assert.Equal(new MembershipCounts(3, 1, 1, 1), status.Membership);
        Assert.Equal(["gw-east", "gw-north", "gw-south", "gw-west"], status.Gateways.Select(g => g.Name));
        Assert.Equal(2, status.UsableGateways);
        var north = status.Gateways.Single(g => g.Name == "gw-north");
        Assert.Equal(("up", 60, 60.0, "wg-gw-north", "up", 14.0, 0.8), (north.Uplink, north.Weight, north.SharePercent, north.TunnelInterface, north.TunnelState, north.LastHandshakeAgeSeconds, north.SummaryAgeSeconds));
        Assert.Equal(0.5, north.UplinkLossPercent);
        Assert.Equal(13.0, north.UplinkRttMs);
        Assert.Equal(43.0, north.LoadPercent);
        var west = status.Gateways.Single(g => g.Name == "gw-west");
        Assert.Equal((null, false, "no-summary-yet", (double?)null), (west.Uplink, west.Usable, west.Reason, west.SummaryAgeSeconds));

        var members = await client.GetMembersAsync();
        Assert.Equal(6, members.Members.Count);
        var gwNorth = members.Members.Single(m => m.Name == "gw-north");
        Assert.Equal(["node", "gateway"], gwNorth.Roles);
        Assert.Equal(["192.0.2.1:7946", "[2001:db8::1]:7946"], gwNorth.Addresses);
        Assert.Equal("suspect", members.Members.Single(m => m.Name == "gw-east").State);

        var gateways = await client.GetGatewaysAsync();
        Assert.Equal(status.Gateways.Select(g => g.NodeId), gateways.Gateways.Select(g => g.NodeId));

        var routes = await client.GetRoutesAsync();
        Assert.Equal([("default", "resilient", true), ("voip", "ctmark", false)], routes.Tables.Select(t => (t.Name, t.Mode, t.InSync)));
        var voip = routes.Tables[1].Nexthops;
        Assert.Contains(new RouteNexthopStatus("gw-north", "wg-gw-north", null, 1), voip);
        Assert.Contains(new RouteNexthopStatus("gw-south", "wg-gw-south", 1, null), voip);

        var events = await client.GetEventsAsync(new EventsArgs(Limit: 2));
        Assert.Equal(["gateway-summary", "rejected"], events.Events.Select(e => e.Kind));
        Assert.Equal("bad_signature", events.Events[1].Subject);
        var since = await client.GetEventsAsync(new EventsArgs(SinceUnixMs: ControlTestData.Now - 2_500));
        Assert.Equal(3, since.Events.Count);

        Assert.Contains("evernet_failovers_total 3", (await client.GetMetricsAsync()).Text);
        Assert.Equal(8UL, (await client.ReloadCertificateAsync()).Serial);
        Assert.True((await client.SetDrainingAsync(true)).Draining);
        Assert.True(handler.Draining);
        Assert.False((await client.SetDrainingAsync(false)).Draining);
        Assert.False(handler.Draining);

        var revocation = new RevocationFile(CertificateFiles.RevocationFormat, 1, ControlTestData.Id(11).ToHex(), 7, 1_760_000_000, "stolen router",
            ControlTestData.Id(200).ToHex(), Convert.ToBase64String(new byte[64]));
        var submitted = await client.SubmitRevocationAsync(revocation);
        Assert.True(submitted.Accepted);
        Assert.False((await client.SubmitRevocationAsync(revocation)).Accepted);
        var received = Assert.Single(handler.Revocations);
        Assert.Equal((ControlTestData.Id(11), 7UL, "stolen router"), (received.Node, received.Serial, received.Reason));
    }

    [Fact]
    public async Task Socket_gets_mode_0660_and_the_configured_group()
    {
        await using var sandbox = new ControlSandbox();
        // "nogroup" stands in for "evernet": the test must not add groups to the machine.
        var server = sandbox.Start(new TestControlHandler(), new ControlServerOptions { Group = "nogroup" });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(server.SocketPath));
        Assert.Equal(65534, GroupOf(server.SocketPath));

        // A group the system does not have leaves the socket's group alone and still serves.
        var other = sandbox.Start(new TestControlHandler(), new ControlServerOptions { Group = "evernet-no-such-group" }, "other.sock");
        Assert.Equal(0, GroupOf(other.SocketPath));
        Assert.Equal("r17", (await new ControlClient(other.SocketPath).GetStatusAsync()).Node.Name);
    }

    [Fact]
    public async Task Bad_input_gets_error_responses_and_the_connection_and_server_survive()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler());
        using var raw = await RawSocket.ConnectAsync(server.SocketPath);

        async Task<(string Code, string Message)> Error(string line)
        {
            await raw.SendAsync(line + "\n");
            var response = await raw.ReadResponseAsync();
            Assert.Equal(1, response.GetProperty("v").GetInt32());
            Assert.False(response.GetProperty("ok").GetBoolean());
            var error = response.GetProperty("error");
            return (error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
        }

        Assert.Equal(ControlErrorCodes.MalformedJson, (await Error("{\"v\":1,\"cmd\":")).Code);
        Assert.Equal(ControlErrorCodes.MalformedJson, (await Error("\u00ff\u00fe garbage")).Code);
        Assert.Equal(ControlErrorCodes.BadRequest, (await Error("[1,2,3]")).Code);
        Assert.Equal(ControlErrorCodes.BadRequest, (await Error("{\"cmd\":\"status\"}")).Code);
        Assert.Equal(ControlErrorCodes.BadRequest, (await Error("{\"v\":1}")).Code);
        Assert.Equal(ControlErrorCodes.BadRequest, (await Error("{\"v\":1,\"cmd\":\"status\",\"args\":[]}")).Code);
        var unknown = await Error("{\"v\":1,\"cmd\":\"reboot\"}");
        Assert.Equal(ControlErrorCodes.UnknownCommand, unknown.Code);
        Assert.Contains("status", unknown.Message);
        var version = await Error("{\"v\":2,\"cmd\":\"status\"}");
        Assert.Equal(ControlErrorCodes.UnsupportedVersion, version.Code);
        Assert.Contains("version 1", version.Message);
        Assert.Contains("version 2", version.Message);
        Assert.Equal(ControlErrorCodes.InvalidArguments, (await Error("{\"v\":1,\"cmd\":\"events\",\"args\":{\"limit\":\"many\"}}")).Code);
        Assert.Equal(ControlErrorCodes.InvalidArguments, (await Error("{\"v\":1,\"cmd\":\"events\",\"args\":{\"limit\":-1}}")).Code);
        Assert.Equal(ControlErrorCodes.InvalidArguments, (await Error("{\"v\":1,\"cmd\":\"submit-revocation\"}")).Code);
        var badRevocation = await Error("{\"v\":1,\"cmd\":\"submit-revocation\",\"args\":{\"revocation\":{\"format\":\"evernet-revocation\",\"version\":1,"
            + "\"node_id\":\"abc\",\"serial\":0,\"revoked_at_unix_seconds\":1,\"reason\":\"x\",\"authority\":\"abc\",\"signature\":\"\"}}}");
        Assert.Equal(ControlErrorCodes.InvalidArguments, badRevocation.Code);
        Assert.Contains("node_id", badRevocation.Message);
        Assert.Equal(ControlErrorCodes.NotApplicable, (await Error("{\"v\":1,\"cmd\":\"drain\"}")).Code);

        // Blank lines are ignored; CRLF is accepted; the same connection still serves a good request.
        await raw.SendAsync("\n\r\n{\"v\":1,\"cmd\":\"status\"}\r\n");
        var ok = await raw.ReadResponseAsync();
        Assert.True(ok.GetProperty("ok").GetBoolean());
        Assert.Equal("r17", ok.GetProperty("data").GetProperty("node").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Oversized_request_is_refused_and_the_connection_closed()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler(), new ControlServerOptions { Group = null, MaxRequestBytes = 1024 });
        using (var raw = await RawSocket.ConnectAsync(server.SocketPath))
        {
            await raw.SendAsync(new string('x', 5000)); // no newline: the server must not wait for one forever
            var response = await raw.ReadResponseAsync();
            Assert.Equal(ControlErrorCodes.RequestTooLarge, response.GetProperty("error").GetProperty("code").GetString());
            Assert.Null(await raw.ReadLineAsync());
        }
        // A request of exactly the limit is fine.
        using (var raw = await RawSocket.ConnectAsync(server.SocketPath))
        {
            string request = "{\"v\":1,\"cmd\":\"status\"}";
            await raw.SendAsync(request + new string(' ', 1024 - request.Length) + "\n");
            Assert.True((await raw.ReadResponseAsync()).GetProperty("ok").GetBoolean());
        }
    }

    [Fact]
    public async Task Failing_and_hanging_handlers_become_errors()
    {
        await using var sandbox = new ControlSandbox();
        var failing = sandbox.Start(new TestControlHandler { Failure = new InvalidOperationException("the loop is gone") }, socketName: "failing.sock");
        var ex = await Assert.ThrowsAsync<ControlClientException>(() => new ControlClient(failing.SocketPath).GetStatusAsync());
        Assert.Equal((ControlFailure.CommandFailed, ControlErrorCodes.InternalError), (ex.Failure, ex.Code));
        Assert.Contains("the loop is gone", ex.Message);

        var hanging = sandbox.Start(new TestControlHandler { Delay = TimeSpan.FromMinutes(5) },
            new ControlServerOptions { Group = null, CommandTimeout = TimeSpan.FromMilliseconds(200) }, "hanging.sock");
        ex = await Assert.ThrowsAsync<ControlClientException>(() => new ControlClient(hanging.SocketPath).GetMembersAsync());
        Assert.Equal((ControlFailure.CommandFailed, ControlErrorCodes.Timeout), (ex.Failure, ex.Code));

        // The client's own deadline when the daemon never answers at all.
        var slow = sandbox.Start(new TestControlHandler { Delay = TimeSpan.FromMinutes(5) }, socketName: "slow.sock");
        ex = await Assert.ThrowsAsync<ControlClientException>(() => new ControlClient(slow.SocketPath, TimeSpan.FromMilliseconds(300)).GetStatusAsync());
        Assert.Equal(ControlFailure.Timeout, ex.Failure);
        Assert.Contains("did not answer", ex.Message);
    }

    [Fact]
    public async Task Idle_connections_are_closed()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler(), new ControlServerOptions { Group = null, IdleTimeout = TimeSpan.FromMilliseconds(300) });
        using var raw = await RawSocket.ConnectAsync(server.SocketPath);
        await raw.SendAsync("{\"v\":1,"); // half a request, then silence
        Assert.Null(await raw.ReadLineAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_told_busy()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler(), new ControlServerOptions { Group = null, MaxConnections = 1 });
        using var first = await RawSocket.ConnectAsync(server.SocketPath);
        await first.SendAsync("{\"v\":1,\"cmd\":\"status\"}\n");
        Assert.True((await first.ReadResponseAsync()).GetProperty("ok").GetBoolean()); // the first connection holds the only slot
        var ex = await Assert.ThrowsAsync<ControlClientException>(() => new ControlClient(server.SocketPath).GetStatusAsync());
        Assert.Equal(ControlErrorCodes.Busy, ex.Code);
        first.Dispose();
        await WaitUntilAsync(async () =>
        {
            try { return (await new ControlClient(server.SocketPath).GetStatusAsync()).Node.Name == "r17"; }
            catch (ControlClientException) { return false; }
        });
    }

    [Fact]
    public async Task Version_mismatch_is_reported_clearly_both_ways()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler());

        // A newer client talking to this daemon.
        var ex = await Assert.ThrowsAsync<ControlClientException>(() => ControlClient.ForProtocolVersion(server.SocketPath, 2).GetStatusAsync());
        Assert.Equal(ControlFailure.VersionMismatch, ex.Failure);
        Assert.Contains("evernetd speaks control protocol version 1, the request uses version 2", ex.Message);

        // This client talking to a daemon that answers in another version.
        string path = sandbox.PathOf("v2.sock");
        await using var v2 = FakeDaemon.Answering(path, "{\"v\":2,\"ok\":true,\"data\":{}}");
        ex = await Assert.ThrowsAsync<ControlClientException>(() => new ControlClient(path).GetStatusAsync());
        Assert.Equal(ControlFailure.VersionMismatch, ex.Failure);
        Assert.Equal($"evernetd on {path} speaks control protocol version 2, this evernetctl speaks version 1: use evernetctl from the same release as evernetd", ex.Message);
    }

    [Fact]
    public async Task Garbage_answers_are_protocol_errors()
    {
        await using var sandbox = new ControlSandbox();
        foreach (string answer in new[] { "not json", "{\"v\":1}", "{\"v\":1,\"ok\":true}", "{\"v\":1,\"ok\":true,\"data\":{\"text\":5}}", "{\"ok\":true}" })
        {
            string path = sandbox.PathOf($"garbage-{Guid.NewGuid():N}.sock");
            await using var fake = FakeDaemon.Answering(path, answer);
            var ex = await Assert.ThrowsAsync<ControlClientException>(() => new ControlClient(path).GetMetricsAsync());
            Assert.Equal(ControlFailure.ProtocolError, ex.Failure);
        }
    }

    [Fact]
    public async Task Missing_stale_and_forbidden_sockets_have_clear_messages()
    {
        await using var sandbox = new ControlSandbox();
        string missing = sandbox.PathOf("missing.sock");
        var ex = await Assert.ThrowsAsync<ControlClientException>(() => new ControlClient(missing).GetStatusAsync());
        Assert.Equal(ControlFailure.NotRunning, ex.Failure);
        Assert.Equal($"evernetd is not running (no socket at {missing})", ex.Message);

        string stale = sandbox.PathOf("stale.sock");
        MakeStaleSocket(stale);
        ex = await Assert.ThrowsAsync<ControlClientException>(() => new ControlClient(stale).GetStatusAsync());
        Assert.Equal(ControlFailure.NotRunning, ex.Failure);
        Assert.Contains("nobody listens", ex.Message);

        // A new daemon replaces the stale socket; a second one on a live socket refuses to start.
        var server = sandbox.Start(new TestControlHandler(), socketName: "stale.sock");
        Assert.Equal("r17", (await new ControlClient(stale).GetStatusAsync()).Node.Name);
        var second = new ControlServer(new ControlServerOptions { SocketPath = stale, Group = null }, new TestControlHandler());
        var refused = Assert.Throws<InvalidOperationException>(second.Start);
        Assert.Contains("already listening", refused.Message);
        Assert.Equal("r17", (await new ControlClient(server.SocketPath).GetStatusAsync()).Node.Name);
    }

    [Fact]
    public async Task Stopping_removes_the_socket()
    {
        await using var sandbox = new ControlSandbox();
        var server = new ControlServer(new ControlServerOptions { SocketPath = sandbox.PathOf("stop.sock"), Group = null }, new TestControlHandler());
        server.Start();
        Assert.True(File.Exists(server.SocketPath));
        await server.DisposeAsync();
        Assert.False(File.Exists(server.SocketPath));
    }

    [Fact]
    public async Task Many_concurrent_clients_are_all_answered()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler { Delay = TimeSpan.FromMilliseconds(20) }, new ControlServerOptions { Group = null, MaxConnections = 64 });
        var answers = await Task.WhenAll(Enumerable.Range(0, 48).Select(_ => new ControlClient(server.SocketPath).GetStatusAsync()));
        Assert.All(answers, a => Assert.Equal("r17", a.Node.Name));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool Parsing_any_bytes_never_throws_and_yields_a_request_or_an_error(byte[] line)
    {
        var parsed = ControlEnvelope.ParseRequest(line ?? []);
        return parsed.IsValid ? parsed.Command is not null : parsed.Error!.Code.Length > 0 && parsed.Error.Message.Length > 0;
    }

    [Fact]
    public async Task Handle_line_answers_random_garbage_with_one_error_line()
    {
        await using var sandbox = new ControlSandbox();
        var server = sandbox.Start(new TestControlHandler());
        var random = new Random(1234);
        for (int i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            byte[] response = await server.HandleLineAsync(garbage, CancellationToken.None);
            Assert.Equal((byte)'\n', response[^1]);
            Assert.DoesNotContain((byte)'\n', response[..^1]);
            using var document = JsonDocument.Parse(response);
            Assert.False(document.RootElement.GetProperty("ok").GetBoolean());
        }
    }

    /// <summary>
    /// A socket file nobody listens on, as a crashed daemon leaves it. .NET unlinks a socket it bound when it closes it,
    /// so keep a hard link to the inode (what a killed process leaves behind) and let the original go.
    /// </summary>
    internal static void MakeStaleSocket(string path)
    {
        string bound = path + ".bound";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            var ln = System.Diagnostics.Process.Start("ln", [bound, path])!;
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
        Assert.True(File.Exists(path));
    }

    private static int GroupOf(string path)
    {
        var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%g", path]) { RedirectStandardOutput = true })!;
        string output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(50);
        }
    }
}
