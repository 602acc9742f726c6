using System.Security.Cryptography;
using System.Text;

namespace Evernet.Daemon.Web;

/// <summary>A logged-in admin. <see cref="CsrfToken"/> must come back in the X-CSRF-Token header of every state-changing request.</summary>
public sealed record AdminSession(string Key, string CsrfToken, string Client, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt)
{
    public DateTimeOffset ExpiresAt(TimeSpan idleTimeout, TimeSpan lifetime) =>
        LastSeenAt + idleTimeout < CreatedAt + lifetime ? LastSeenAt + idleTimeout : CreatedAt + lifetime;
}

/// <summary>
/// Admin sessions, bounded. The cookie holds a random 256-bit token; only its SHA-256 is kept, so looking a session up
/// compares no secret and a memory dump reveals no usable cookie. A session ends after an idle timeout and an absolute lifetime.
/// </summary>
public sealed class SessionStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, AdminSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;
    private readonly TimeProvider _time;

    public SessionStore(TimeSpan idleTimeout, TimeSpan lifetime, int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _idleTimeout = idleTimeout;
        _lifetime = lifetime;
        _capacity = capacity;
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_lock) return _sessions.Count;
        }
    }

    /// <summary>A new session; when the store is full the least recently used session makes room.</summary>
    public (string Token, AdminSession Session) Create(string client)
    {
        string token = NewToken();
        var now = _time.GetUtcNow();
        var session = new AdminSession(KeyOf(token), NewToken(), client, now, now);
        lock (_lock)
        {
            RemoveExpired(now);
            if (_sessions.Count >= _capacity)
            {
                var oldest = _sessions.Values.MinBy(s => s.LastSeenAt)!;
                _sessions.Remove(oldest.Key);
            }
            _sessions[session.Key] = session;
        }
        return (token, session);
    }

    /// <summary>The live session for a cookie token, its idle clock restarted; null when unknown or expired.</summary>
    public AdminSession? Touch(string? token) => Find(token, touch: true);

    /// <summary>Like <see cref="Touch"/> but without restarting the idle clock (for reads that do not count as activity).</summary>
    public AdminSession? Peek(string? token) => Find(token, touch: false);

    public void Remove(string? token)
    {
        if (string.IsNullOrEmpty(token)) return;
        lock (_lock) _sessions.Remove(KeyOf(token));
    }

    public DateTimeOffset ExpiresAt(AdminSession session) => session.ExpiresAt(_idleTimeout, _lifetime);

    private AdminSession? Find(string? token, bool touch)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128) return null;
        string key = KeyOf(token);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_sessions.TryGetValue(key, out var session)) return null;
            if (now >= ExpiresAt(session))
            {
                _sessions.Remove(key);
                return null;
            }
            if (!touch) return session;
            var touched = session with { LastSeenAt = now };
            _sessions[key] = touched;
            return touched;
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var session in _sessions.Values.Where(s => now >= ExpiresAt(s)).ToList()) _sessions.Remove(session.Key);
    }

    private static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string KeyOf(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
