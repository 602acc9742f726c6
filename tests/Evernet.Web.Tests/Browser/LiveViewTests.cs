using Evernet.Gossip.Records;
using Evernet.Gossip.View;
using Evernet.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Evernet.Web.Tests.Browser;

/// <summary>The page in a real headless Chromium against a real server: what a mesh administrator sees and does.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveViewTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_page_shows_the_gateways_and_follows_an_uplink_failure_without_reload()
    {
        await using var web = await WebTestServer.StartAsync(selfIsGateway: false);
        var page = await browser.NewPageAsync();
        var errors = CollectErrors(page);
        await page.GotoAsync(web.BaseAddress.ToString());

        foreach (string name in new[] { "gw-east", "gw-north", "gw-south" })
            await Expect(page.Locator($"article[data-gateway='{name}'] .uplink")).ToHaveTextAsync("▲ up");
        await Expect(page.Locator("#gateways-headline")).ToHaveTextAsync("3 of 3 gateways usable: gw-east, gw-north, gw-south.");
        await Expect(page.Locator("#live")).ToContainTextAsync("live");
        await Expect(page.Locator("#node-name")).ToHaveTextAsync("r17");
        await page.EvaluateAsync("() => { window.evernetNoReload = true; }");

        web.Mesh.SetUplink("gw-east", UplinkState.Down);
        var changed = DateTime.UtcNow;
        var east = page.Locator("article[data-gateway='gw-east']");
        await Expect(east.Locator(".uplink")).ToHaveTextAsync("▼ down", new() { Timeout = 5_000 });
        var seenAfter = DateTime.UtcNow - changed;
        await Expect(east.Locator(".badges")).ToContainTextAsync("✖ not usable: uplink-down");
        await Expect(page.Locator("#gateways-headline")).ToHaveTextAsync("2 of 3 gateways usable: gw-north, gw-south.");
        await Expect(page.Locator("#share .share-bar")).Not.ToContainTextAsync("gw-east");
        Assert.True(await page.EvaluateAsync<bool>("() => window.evernetNoReload === true"), "the page must update in place, not reload");
        Assert.True(seenAfter < TimeSpan.FromSeconds(5), $"the change took {seenAfter.TotalSeconds:0.0} s to show");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Without_server_sent_events_the_page_polls_and_still_updates()
    {
        await using var web = await WebTestServer.StartAsync(selfIsGateway: false);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(web.BaseAddress + "?poll=1");
        await Expect(page.Locator("#live")).ToContainTextAsync("polling every 3 s");
        await Expect(page.Locator("article[data-gateway='gw-south'] .uplink")).ToHaveTextAsync("▲ up");
        web.Mesh.SetUplink("gw-south", UplinkState.Degraded);
        await Expect(page.Locator("article[data-gateway='gw-south'] .uplink")).ToHaveTextAsync("◆ degraded", new() { Timeout = 5_000 });
        Assert.Equal(0, web.Server.LiveListeners);
    }

    [Fact]
    public async Task Mesh_tunnels_and_events_views_follow_the_daemon()
    {
        await using var web = await WebTestServer.StartAsync(selfIsGateway: false);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(web.BaseAddress + "#mesh");
        await Expect(page.Locator("#mesh-counts")).ToHaveTextAsync("13 members: 13 alive, 0 suspect, 0 dead, 0 left.");
        await Expect(page.Locator("#topology svg g.member")).ToHaveCountAsync(13);
        await Expect(page.Locator("#topology svg line.own")).ToHaveCountAsync(3);
        await Expect(page.Locator("#view-gateways")).ToBeHiddenAsync();

        web.Mesh.SetMemberState("r22", MemberState.Suspect);
        await Expect(page.Locator("#members tr[data-member='r22'] td").Nth(1)).ToHaveTextAsync("◐ suspect", new() { Timeout = 5_000 });
        await Expect(page.Locator("#topology svg g.member.state-suspect")).ToHaveCountAsync(1);

        await page.ClickAsync("nav a[data-view='tunnels']");
        await Expect(page.Locator("#tunnels tr[data-gateway='gw-north'] td").Nth(1)).ToHaveTextAsync("▲ up");
        web.Mesh.SetUplink("gw-north", UplinkState.Down);
        await Expect(page.Locator("#tunnels tr[data-gateway='gw-north'] td").Nth(1)).ToHaveTextAsync("▼ down", new() { Timeout = 5_000 });
        await Expect(page.Locator("#routes article[data-table='default'] tbody tr")).ToHaveCountAsync(2);

        await page.ClickAsync("nav a[data-view='events']");
        await Expect(page.Locator("#event-list li[data-kind='failover']").First).ToContainTextAsync("gw-north");
        await page.SelectOptionAsync("#event-filter", "rejection");
        await Expect(page.Locator("#event-list li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#event-list li")).ToContainTextAsync("bad_signature");
        web.Mesh.Reject(RejectReason.BadSignature, "summary from 198.51.100.7:7946");
        await Expect(page.Locator("#event-list li")).ToHaveCountAsync(2, new() { Timeout = 5_000 });
    }

    [Fact]
    public async Task Actions_are_refused_without_login_work_after_it_and_end_with_the_session()
    {
        await using var web = await WebTestServer.StartAsync(selfIsGateway: true);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(web.BaseAddress + "#admin");

        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/actions/drain', { method: 'POST' })).status"));
        Assert.False(web.Mesh.Draining);
        await Expect(page.Locator("#login-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#admin-actions")).ToBeHiddenAsync();

        await page.FillAsync("#password", "not it");
        await page.ClickAsync("#login");
        await Expect(page.Locator("#login-message")).ToHaveTextAsync("✖ wrong password");

        await page.FillAsync("#password", WebTestServer.Password);
        await page.ClickAsync("#login");
        await Expect(page.Locator("#admin-actions")).ToBeVisibleAsync();
        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => document.cookie.length"));

        await page.ClickAsync("#drain");
        await Expect(page.Locator("#action-message")).ToHaveTextAsync("✔ Draining: nodes move new flows to other gateways.");
        Assert.True(web.Mesh.Draining);
        await Expect(page.Locator("#node-summary")).ToContainTextAsync("⏸ draining", new() { Timeout = 5_000 });
        await Expect(page.Locator("#drain-state")).ToContainTextAsync("is ⏸ draining");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#diagnostics"));
        Assert.Matches(@"^evernet-diagnostics-r17-\d{8}T\d{6}Z\.tar\.gz$", download.SuggestedFilename);
        string path = await download.PathAsync();
        byte[] bundle = await File.ReadAllBytesAsync(path);
        Assert.True(bundle.Length > 500 && bundle[0] == 0x1f && bundle[1] == 0x8b, "a gzip file");
        await Expect(page.Locator("#action-message")).ToContainTextAsync("✔ Downloaded evernet-diagnostics-r17-");

        // The session's idle time runs out: the next action is refused and the login form comes back.
        web.Clock.Advance(web.Options.SessionIdleTimeout + TimeSpan.FromSeconds(1));
        await page.ClickAsync("#undrain");
        await Expect(page.Locator("#login-message")).ToHaveTextAsync("✖ Your session has expired: log in again.");
        await Expect(page.Locator("#login-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#admin-actions")).ToBeHiddenAsync();
        Assert.True(web.Mesh.Draining, "an expired session must not undrain");
    }

    [Fact]
    public async Task On_a_phone_nothing_overflows_sideways()
    {
        await using var web = await WebTestServer.StartAsync(selfIsGateway: false);
        var page = await browser.NewPageAsync(390, 844, mobile: true);
        foreach (string view in new[] { "gateways", "mesh", "tunnels", "events", "admin" })
        {
            await page.GotoAsync($"{web.BaseAddress}#{view}");
            await Expect(page.Locator("#live")).ToContainTextAsync("live");
            await Expect(page.Locator($"#view-{view}")).ToBeVisibleAsync();
            int overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"#{view} is {overflow} px wider than the phone");
        }
    }

    private static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") errors.Add(message.Text);
        };
        page.PageError += (_, error) => errors.Add(error);
        return errors;
    }
}
