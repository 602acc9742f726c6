using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Evernet.Control.Dtos;
using Evernet.Control.Protocol;
using Evernet.Control.Server;
using Evernet.Daemon.Web;
using Evernet.Gossip.Records;
using Evernet.Web.Tests.Support;

namespace Evernet.Web.Tests.Http;

/// <summary>The read-only API against a real server on loopback: the same JSON evernetctl --json prints, and its failure modes.</summary>
public sealed class ReadOnlyApiTests
{
    [Fact]
    public async Task Each_view_is_the_control_handlers_answer_in_the_control_protocols_json()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        var ct = CancellationToken.None;
        await AssertSameJson(client, "api/status", ControlJson(await web.Mesh.GetStatusAsync(ct), ControlJsonContext.Default.StatusData));
        await AssertSameJson(client, "api/members", ControlJson(await web.Mesh.GetMembersAsync(ct), ControlJsonContext.Default.MembersData));
        await AssertSameJson(client, "api/gateways", ControlJson(await web.Mesh.GetGatewaysAsync(ct), ControlJsonContext.Default.GatewaysData));
        await AssertSameJson(client, "api/routes", ControlJson(await web.Mesh.GetRoutesAsync(ct), ControlJsonContext.Default.RoutesData));
        await AssertSameJson(client, "api/events?limit=2", ControlJson(await web.Mesh.GetEventsAsync(new EventsArgs(2), ct), ControlJsonContext.Default.EventsData));

        using var metrics = await client.GetAsync("api/metrics", ct);
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType!.MediaType);
        Assert.Contains("evernet_failovers_total 3", await metrics.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_shows_an_uplink_change_at_once()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        web.Mesh.SetUplink("gw-east", UplinkState.Down);
        var status = await Get(client, "api/status");
        var east = status["gateways"]!.AsArray().Single(g => (string?)g!["name"] == "gw-east")!;
        Assert.Equal("down", (string?)east["uplink"]);
        Assert.False((bool)east["usable"]!);
        Assert.Equal("uplink-down", (string?)east["reason"]);
        Assert.Equal(2, (int)status["usable_gateways"]!);
    }

    [Theory]
    [InlineData("api/events?limit=abc")]
    [InlineData("api/events?limit=-1")]
    [InlineData("api/events?limit=100000")]
    [InlineData("api/events?since=yesterday")]
    public async Task Bad_event_queries_are_refused(string path)
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        using var response = await client.GetAsync(path, CancellationToken.None);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_arguments", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None))!["error"]);
    }

    [Fact]
    public async Task Unknown_paths_and_wrong_methods_get_clear_answers()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        var ct = CancellationToken.None;
        using var missing = await client.GetAsync("api/nothing", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var post = await client.PostAsync("api/status", null, ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("GET", post.Content.Headers.Allow.Single());
        using var get = await client.GetAsync("api/actions/drain", ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task Pages_and_assets_are_served_from_the_binary_with_strict_headers()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        var ct = CancellationToken.None;
        using var page = await client.GetAsync("", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        string html = await page.Content.ReadAsStringAsync(ct);
        Assert.Contains("<script src=\"/app.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
        string csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());

        foreach (var (path, type) in new[] { ("app.js", "text/javascript"), ("app.css", "text/css"), ("favicon.svg", "image/svg+xml") })
        {
            using var asset = await client.GetAsync(path, ct);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType!.MediaType);
            var etag = asset.Headers.ETag!;
            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.IfNoneMatch.Add(etag);
            using var notModified = await client.SendAsync(again, ct);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
    }

    [Theory]
    [InlineData("evil.example", HttpStatusCode.MisdirectedRequest)]
    [InlineData("rebind.attacker.test:8080", HttpStatusCode.MisdirectedRequest)]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("[::1]:8080", HttpStatusCode.OK)]
    [InlineData("admin.mesh.lan", HttpStatusCode.OK)]
    public async Task Only_IP_literals_localhost_and_configured_names_are_answered(string host, HttpStatusCode expected)
    {
        await using var web = await WebTestServer.StartAsync(o => o.AllowedHostNames = ["admin.mesh.lan"]);
        using var client = web.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/status");
        request.Headers.Host = host;
        using var response = await client.SendAsync(request, CancellationToken.None);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task A_failing_command_is_an_error_answer_and_the_snapshot_keeps_the_rest()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        web.Mesh.Fail = ("routes", new ControlCommandException(ControlErrorCodes.NotApplicable, "no dataplane on this node"));
        using var routes = await client.GetAsync("api/routes", CancellationToken.None);
        Assert.Equal(HttpStatusCode.Conflict, routes.StatusCode);
        Assert.Contains("no dataplane", await routes.Content.ReadAsStringAsync(CancellationToken.None), StringComparison.Ordinal);

        web.Mesh.Fail = ("routes", new InvalidOperationException("boom"));
        using var broken = await client.GetAsync("api/routes", CancellationToken.None);
        Assert.Equal(HttpStatusCode.BadGateway, broken.StatusCode);

        var snapshot = await Get(client, "api/snapshot");
        Assert.NotNull(snapshot["status"]);
        Assert.Null(snapshot["routes"]);
        Assert.Contains("routes: internal error", (string?)snapshot["errors"]![0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_daemon_that_does_not_answer_times_out()
    {
        await using var web = await WebTestServer.StartAsync(o => o.HandlerTimeout = TimeSpan.FromMilliseconds(200));
        using var client = web.Client();
        web.Mesh.Delay = TimeSpan.FromSeconds(5);
        var started = DateTime.UtcNow;
        using var response = await client.GetAsync("api/status", CancellationToken.None);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task History_fills_from_periodic_samples_on_the_daemons_clock()
    {
        await using var web = await WebTestServer.StartAsync();
        await WebTestServer.Until(() => web.Server.History.Version >= 1, TimeSpan.FromSeconds(5));
        await web.FillHistoryAsync(TimeSpan.FromMinutes(2));
        web.Mesh.SetUplink("gw-south", UplinkState.Down);
        await web.FillHistoryAsync(TimeSpan.FromSeconds(10));
        using var client = web.Client();
        var history = await Get(client, "api/history");
        Assert.Equal(10.0, (double)history["interval_seconds"]!);
        Assert.Equal(3600.0, (double)history["window_seconds"]!);
        var south = history["gateways"]!.AsArray().Single(g => (string?)g!["name"] == "gw-south")!;
        var uplink = south["uplink"]!.AsArray().Select(u => (string?)u).ToList();
        Assert.Equal(14, uplink.Count); // the first sample, then 13 steps of 10 s
        Assert.Equal("down", uplink[^1]);
        Assert.All(uplink.Take(13), u => Assert.Equal("up", u));
        var times = south["at_unix_ms"]!.AsArray().Select(t => (long)t!).ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.Equal(10_000, pair.Second - pair.First));
    }

    [Fact]
    public async Task A_disabled_server_does_not_listen()
    {
        var options = new WebAdminOptions { Enabled = false, Listen = "127.0.0.1:0" };
        await using var server = new WebAdminServer(options, new FakeMesh(TimeProvider.System), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await server.StartAsync(CancellationToken.None);
        Assert.Null(server.LocalEndpoint);
    }

    [Fact]
    public async Task An_address_in_use_is_a_clear_error()
    {
        await using var web = await WebTestServer.StartAsync();
        var options = new WebAdminOptions { Enabled = true, Listen = web.Server.LocalEndpoint!.ToString() };
        await using var second = new WebAdminServer(options, web.Mesh, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync(CancellationToken.None));
        Assert.Contains("cannot listen on 127.0.0.1:", ex.Message, StringComparison.Ordinal);
    }

    private static JsonNode ControlJson<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonNode.Parse(JsonSerializer.Serialize(value, type))!;

    private static async Task AssertSameJson(HttpClient client, string path, JsonNode expected)
    {
        var actual = await Get(client, path);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}:\nexpected {expected.ToJsonString()}\nactual   {actual.ToJsonString()}");
    }

    internal static async Task<JsonNode> Get(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, CancellationToken.None);
        string body = await response.Content.ReadAsStringAsync(CancellationToken.None);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        return JsonNode.Parse(body)!;
    }
}
