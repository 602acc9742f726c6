using System.Net;
using Evernet.Daemon.Web;
using Evernet.Web.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evernet.Web.Tests.Units;

public sealed class WebAdminOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("0.0.0.0:0", "0.0.0.0", 0)]
    [InlineData("[fe80::1%2]:9000", "fe80::1%2", 9000)]
    public void Parses_listen_addresses(string text, string address, int port)
    {
        Assert.True(WebAdminOptions.TryParseListen(text, out var endpoint, out string error), error);
        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("127.0.0.1", "needs an address and a port")]
    [InlineData("::1:8080", "needs an address and a port")]
    [InlineData("localhost:8080", "not an IP address")]
    [InlineData("127.0.0.1:65536", "port")]
    [InlineData("127.0.0.1:-1", "port")]
    [InlineData("127.0.0.1:http", "port")]
    public void Refuses_bad_listen_addresses_with_a_reason(string text, string reason)
    {
        Assert.False(WebAdminOptions.TryParseListen(text, out _, out string error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_valid_and_off()
    {
        var options = new WebAdminOptions();
        Assert.False(options.Enabled);
        Assert.Equal("127.0.0.1:8080", options.Listen);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Every_problem_is_reported()
    {
        var options = new WebAdminOptions
        {
            Listen = "nowhere",
            PasswordHash = "md5$x",
            AllowedHostNames = ["admin.example", "not a name"],
            SessionIdleTimeout = TimeSpan.Zero,
            SampleInterval = TimeSpan.FromMilliseconds(100),
            HistoryWindow = TimeSpan.FromHours(1),
            MaxLiveClients = 0,
        };
        var errors = options.Validate();
        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("web.listen", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("web.password_hash", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'not a name'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("web.session_idle_timeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("at most 3600 samples", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("web.max_live_clients", StringComparison.Ordinal));
        var ex = Assert.Throws<ArgumentException>(() => new WebAdminServer(options, new FakeMesh(TimeProvider.System), NullLogger.Instance));
        Assert.Contains("web.listen", ex.Message, StringComparison.Ordinal);
    }
}
