using Microsoft.Playwright;
namespace Evernet.Web.Tests;
public sealed class SmokeTests
{
    [Fact]
    public async Task Launches()
    {
        using var pw = await Playwright.CreateAsync();
        var dir = Directory.CreateTempSubdirectory("evernet-chromium-");
        await using var ctx = await pw.Chromium.LaunchPersistentContextAsync(dir.FullName, new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await ctx.NewPageAsync();
        await page.SetContentAsync("<h1>hi</h1>");
        Assert.Equal("hi", await page.InnerTextAsync("h1"));
    }
}
