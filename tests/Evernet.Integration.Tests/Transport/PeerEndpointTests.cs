using System.Net;
using Evernet.Daemon.Transport;

namespace Evernet.Integration.Tests.Transport;

public sealed class PeerEndpointTests
{
    [Theory]
    [InlineData("192.0.2.1:7946", true)]
    [InlineData("[fd00::1]:7946", true)]
    [InlineData("[fe80::1%lo]:7946", true)]
    [InlineData("fd00::1:7946", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("192.0.2.1:0", false)]
    [InlineData("gw1.mesh.example:7946", false)]
    public void Parses_ip_endpoints_with_an_explicit_port(string text, bool ok) =>
        Assert.Equal(ok, PeerEndpoint.TryParse(text, out _));

    [Theory]
    [InlineData("192.0.2.1:7946", true)]
    [InlineData("[fd00::1]:7946", true)]
    [InlineData("gw1.mesh.example:7946", true)]
    [InlineData("gw1:7946", true)]
    [InlineData("gw1", false)]
    [InlineData("gw1:", false)]
    [InlineData("gw1:99999", false)]
    [InlineData("bad host:7946", false)]
    public void Seeds_may_be_host_names(string text, bool ok) =>
        Assert.Equal(ok, PeerEndpoint.IsValidSeed(text));

    [Fact]
    public void Formats_as_the_core_spells_addresses()
    {
        Assert.Equal("192.0.2.1:7946", PeerEndpoint.Format(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7946)).Value);
        Assert.Equal("[fd00::1]:7946", PeerEndpoint.Format(new IPEndPoint(IPAddress.Parse("fd00::1"), 7946)).Value);
        Assert.Equal("192.0.2.1:7946", PeerEndpoint.Format(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.1"), 7946)).Value);
    }

    [Fact]
    public async Task Seeds_resolve_names_and_keep_literals()
    {
        var (seeds, failures) = await PeerEndpoint.ResolveSeedsAsync(["192.0.2.1:7946", "localhost:7000", "[fd00::1]:7946", "no-such-host.invalid:7946", "junk"], CancellationToken.None);
        Assert.Contains(seeds, s => s.Value == "192.0.2.1:7946");
        Assert.Contains(seeds, s => s.Value == "[fd00::1]:7946");
        Assert.Contains(seeds, s => s.Value is "127.0.0.1:7000" or "[::1]:7000");
        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("no-such-host.invalid:7946", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("junk", StringComparison.Ordinal));
    }
}
