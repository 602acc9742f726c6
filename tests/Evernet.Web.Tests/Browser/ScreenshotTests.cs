using Evernet.Gossip.Records;
using Evernet.Gossip.View;
using Evernet.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Evernet.Web.Tests.Browser;

/// <summary>
/// Screenshots of the main views after an hour of history with a failover in it. They go to a temporary folder, or into
/// docs/screenshots when EVERNET_UPDATE_SCREENSHOTS=1 (then commit them).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture browser)
{
    [Fact]
    public async Task Main_views_after_an_hour_with_a_failover()
    {
        await using var web = await WebTestServer.StartAsync(selfIsGateway: false, extraNodes: 17);
        web.Mesh.Varying = true;
        await WebTestServer.Until(() => web.Server.History.Version >= 1, TimeSpan.FromSeconds(5));
        await web.FillHistoryAsync(TimeSpan.FromMinutes(31));
        web.Mesh.SetUplink("gw-east", UplinkState.Degraded);
        await web.FillHistoryAsync(TimeSpan.FromMinutes(2));
        web.Mesh.SetUplink("gw-east", UplinkState.Down);
        await web.FillHistoryAsync(TimeSpan.FromMinutes(9));
        web.Mesh.SetMemberState("r31", MemberState.Suspect);
        await web.FillHistoryAsync(TimeSpan.FromMinutes(1));
        web.Mesh.SetMemberState("r31", MemberState.Dead);
        web.Mesh.SetUplink("gw-east", UplinkState.Up);
        await web.FillHistoryAsync(TimeSpan.FromMinutes(12));
        web.Mesh.SetMemberState("r27", MemberState.Suspect);
        web.Mesh.Reject(RejectReason.BadSignature, "gateway summary from 198.51.100.7:7946");
        web.Mesh.SetUplink("gw-south", UplinkState.Degraded);
        await web.FillHistoryAsync(TimeSpan.FromMinutes(6));
        web.Mesh.SetMemberState("r33", MemberState.Left);

        string folder = Environment.GetEnvironmentVariable("EVERNET_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(RepositoryRoot(), "docs", "screenshots")
            : Directory.CreateTempSubdirectory("evernet-screenshots-").FullName;
        Directory.CreateDirectory(folder);

        var page = await browser.NewPageAsync(1280, 900);
        await page.GotoAsync(web.BaseAddress.ToString());
        await Expect(page.Locator("article[data-gateway='gw-east'] .chart-svg polyline").First).ToBeVisibleAsync();
        await Expect(page.Locator("article[data-gateway='gw-east'] .down-band").First).ToBeVisibleAsync();
        await Shoot(page, folder, "gateways");
        foreach (string view in new[] { "mesh", "tunnels", "events" })
        {
            await page.ClickAsync($"nav a[data-view='{view}']");
            await Expect(page.Locator($"#view-{view}")).ToBeVisibleAsync();
            await Shoot(page, folder, view);
        }

        var phone = await browser.NewPageAsync(390, 844, mobile: true);
        await phone.GotoAsync(web.BaseAddress.ToString());
        await Expect(phone.Locator("article[data-gateway='gw-east'] .chart-svg polyline").First).ToBeVisibleAsync();
        await Shoot(phone, folder, "phone-gateways", fullPage: false);
    }

    private static async Task Shoot(Microsoft.Playwright.IPage page, string folder, string name, bool fullPage = true)
    {
        await Expect(page.Locator("#live")).ToContainTextAsync("live");
        string path = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = fullPage, Animations = Microsoft.Playwright.ScreenshotAnimations.Disabled });
        Assert.True(new FileInfo(path).Length > 10_000, $"{path} looks empty");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Evernet.Gossip.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
