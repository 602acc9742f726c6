using Evernet.Daemon.Web;
using Microsoft.Extensions.Time.Testing;

namespace Evernet.Web.Tests.Units;

public sealed class SessionStoreTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private SessionStore Store(int capacity = 4) => new(TimeSpan.FromMinutes(15), TimeSpan.FromHours(8), capacity, _clock);

    [Fact]
    public void A_new_session_is_found_by_its_token_only()
    {
        var store = Store();
        var (token, session) = store.Create("127.0.0.1");
        Assert.Equal(43, token.Length); // 32 random bytes, base64url without padding
        Assert.Equal(session.Key, store.Touch(token)!.Key);
        Assert.Null(store.Touch(token[..^1] + (token[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(store.Touch(""));
        Assert.Null(store.Touch(null));
        Assert.DoesNotContain(token, session.Key, StringComparison.Ordinal);
        Assert.NotEqual(token, session.CsrfToken);
    }

    [Fact]
    public void Idle_sessions_expire_and_activity_keeps_them()
    {
        var store = Store();
        var (token, _) = store.Create("a");
        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.NotNull(store.Touch(token));
        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.NotNull(store.Peek(token));
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Null(store.Touch(token)); // Peek did not count as activity
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Sessions_end_at_their_absolute_lifetime_however_active()
    {
        var store = Store();
        var (token, session) = store.Create("a");
        for (int i = 0; i < 8 * 6 - 1; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(10));
            Assert.NotNull(store.Touch(token));
        }
        Assert.Equal(session.CreatedAt + TimeSpan.FromHours(8), store.ExpiresAt(store.Peek(token)!));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(store.Touch(token));
    }

    [Fact]
    public void A_full_store_drops_the_least_recently_used_session()
    {
        var store = Store(capacity: 2);
        var (first, _) = store.Create("a");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var (second, _) = store.Create("b");
        _clock.Advance(TimeSpan.FromSeconds(1));
        store.Touch(first);
        var (third, _) = store.Create("c");
        Assert.NotNull(store.Peek(first));
        Assert.Null(store.Peek(second));
        Assert.NotNull(store.Peek(third));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void Removed_sessions_are_gone()
    {
        var store = Store();
        var (token, _) = store.Create("a");
        store.Remove(token);
        Assert.Null(store.Touch(token));
    }
}
