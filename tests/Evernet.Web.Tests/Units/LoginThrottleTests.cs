using System.Net;
using Evernet.Daemon.Web;
using Microsoft.Extensions.Time.Testing;

namespace Evernet.Web.Tests.Units;

public sealed class LoginThrottleTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void A_client_gets_its_attempts_per_window_then_waits()
    {
        var throttle = new LoginThrottle(3, 100, TimeSpan.FromMinutes(1), _clock);
        var client = IPAddress.Parse("192.0.2.7");
        for (int i = 0; i < 3; i++)
        {
            Assert.True(throttle.TryBegin(client, out _));
            _clock.Advance(TimeSpan.FromSeconds(10));
        }
        Assert.False(throttle.TryBegin(client, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
        Assert.True(throttle.TryBegin(IPAddress.Parse("192.0.2.8"), out _));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(throttle.TryBegin(client, out _));
    }

    [Fact]
    public void Success_clears_the_clients_count()
    {
        var throttle = new LoginThrottle(2, 100, TimeSpan.FromMinutes(1), _clock);
        var client = IPAddress.Loopback;
        Assert.True(throttle.TryBegin(client, out _));
        Assert.True(throttle.TryBegin(client, out _));
        throttle.Succeeded(client);
        Assert.True(throttle.TryBegin(client, out _));
    }

    [Fact]
    public void The_total_limit_holds_across_many_addresses()
    {
        var throttle = new LoginThrottle(5, 4, TimeSpan.FromMinutes(1), _clock);
        for (int i = 1; i <= 4; i++) Assert.True(throttle.TryBegin(IPAddress.Parse($"198.51.100.{i}"), out _));
        Assert.False(throttle.TryBegin(IPAddress.Parse("198.51.100.200"), out var retryAfter));
        Assert.Equal(TimeSpan.FromMinutes(1), retryAfter);
    }

    [Fact]
    public void IPv6_clients_count_per_64_and_mapped_IPv4_as_IPv4()
    {
        var throttle = new LoginThrottle(2, 100, TimeSpan.FromMinutes(1), _clock);
        Assert.True(throttle.TryBegin(IPAddress.Parse("2001:db8:1:2::1"), out _));
        Assert.True(throttle.TryBegin(IPAddress.Parse("2001:db8:1:2::ffff:9"), out _));
        Assert.False(throttle.TryBegin(IPAddress.Parse("2001:db8:1:2:abcd::1"), out _));
        Assert.True(throttle.TryBegin(IPAddress.Parse("2001:db8:1:3::1"), out _));

        Assert.True(throttle.TryBegin(IPAddress.Parse("192.0.2.1"), out _));
        Assert.True(throttle.TryBegin(IPAddress.Parse("::ffff:192.0.2.1"), out _));
        Assert.False(throttle.TryBegin(IPAddress.Parse("192.0.2.1"), out _));
    }
}
