using System.Net;
using System.Text.Json.Nodes;
using Evernet.Gossip.Records;
using Evernet.Web.Tests.Support;

namespace Evernet.Web.Tests.Http;

/// <summary>The server-sent event stream, read as a plain HTTP client would.</summary>
public sealed class LiveFeedTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task The_stream_sends_snapshots_that_follow_the_daemons_state()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        using var response = await client.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));

        var first = await NextSnapshot(reader);
        Assert.Equal("up", Uplink(first, "gw-east"));
        Assert.Equal(13, first["members"]!["members"]!.AsArray().Count);
        Assert.NotNull(first["routes"]);
        Assert.Empty(first["errors"]!.AsArray());

        web.Mesh.SetUplink("gw-east", UplinkState.Down);
        var started = DateTime.UtcNow;
        JsonNode next;
        do next = await NextSnapshot(reader);
        while (Uplink(next, "gw-east") != "down");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4), "the change must arrive within a few live intervals");
        Assert.True((long)next["sequence"]! > (long)first["sequence"]!);
        Assert.Contains(next["events"]!["events"]!.AsArray(), e => (string?)e!["kind"] == "failover" && (string?)e["subject"] == "gw-east");
    }

    [Fact]
    public async Task Too_many_listeners_are_told_to_poll_and_a_closed_page_frees_its_place()
    {
        await using var web = await WebTestServer.StartAsync(o => o.MaxLiveClients = 1);
        using var client = web.Client();
        var first = await client.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var second = await client.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
            Assert.Equal("busy", (string?)JsonNode.Parse(await second.Content.ReadAsStringAsync(Ct))!["error"]);
        }
        first.Dispose();
        await WebTestServer.Until(() => web.Server.LiveListeners == 0, TimeSpan.FromSeconds(5));
        using var third = await client.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task Nothing_is_asked_of_the_daemon_while_no_page_listens()
    {
        await using var web = await WebTestServer.StartAsync();
        await WebTestServer.Until(() => web.Server.History.Version >= 1, TimeSpan.FromSeconds(5));
        int calls = web.Mesh.Calls;
        await Task.Delay(web.Options.LiveInterval * 4, Ct);
        Assert.Equal(calls, web.Mesh.Calls);
    }

    [Fact]
    public async Task Stopping_the_server_ends_open_streams()
    {
        var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        using var response = await client.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        await NextSnapshot(reader);
        var stop = web.DisposeAsync().AsTask();
        Assert.True(await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(5), Ct)) == stop, "stop must not wait for open pages");
        await stop;
    }

    private static async Task<JsonNode> NextSnapshot(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? eventName = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "snapshot") return JsonNode.Parse(line["data: ".Length..])!;
        }
        throw new EndOfStreamException("the stream ended");
    }

    private static string? Uplink(JsonNode snapshot, string gateway) =>
        (string?)snapshot["status"]!["gateways"]!.AsArray().Single(g => (string?)g!["name"] == gateway)!["uplink"];
}
