using Evernet.Integration.Tests.Daemon;
using Evernet.Web.Tests.Browser;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Evernet.Integration.Tests.Web;

/// <summary>The admin page served by a live evernetd (real processes, real gossip) in headless Chromium.</summary>
[Collection(LiveWebCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LiveDaemonWebTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_page_of_a_live_node_shows_its_gateway_and_follows_the_uplink_going_down()
    {
        await using var mesh = new LoopbackMesh { SingleProbeTarget = true };
        mesh.Add("gw1", gateway: true);
        int webPort = LoopbackMesh.FreeUdpPort();
        mesh.ExtraConfig["webAdmin"] = new Dictionary<string, object>
        {
            ["listenAddress"] = $"127.0.0.1:{webPort}",
            ["passwordHash"] = Evernet.Daemon.Web.AdminPassword.Create("correct horse", iterations: 10_000),
        };
        mesh.Add("n1", gateway: false);
        mesh.StartAll();

        var page = await browser.NewPageAsync();
        bool served = await LoopbackMesh.WaitUntilAsync(async () =>
        {
            try { return (await page.GotoAsync($"http://127.0.0.1:{webPort}/"))?.Ok == true; }
            catch (PlaywrightException) { return false; }
        }, TimeSpan.FromSeconds(30));
        Assert.True(served, "evernetd did not serve its admin page\n" + mesh.Logs());
        var gateway = page.Locator("article[data-gateway='gw1']");
        await Expect(gateway.Locator(".uplink")).ToHaveTextAsync("▲ up", new() { Timeout = 40_000 });
        await Expect(page.Locator("#node-name")).ToHaveTextAsync("n1");

        mesh.StopTarget(); // the gateway's only probe target stops answering: its uplink is down
        await Expect(gateway.Locator(".uplink")).ToHaveTextAsync("▼ down", new() { Timeout = 15_000 });
        await Expect(gateway.Locator(".badges")).ToContainTextAsync("not usable");

        var anonymous = await page.APIRequest.PostAsync($"http://127.0.0.1:{webPort}/api/actions/drain");
        Assert.True(anonymous.Status is 401 or 403, $"an action without login answered {anonymous.Status}");
    }
}

[CollectionDefinition(Name)]
public sealed class LiveWebCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "live-web";
}
