using System.Net;
using System.Net.Sockets;

namespace Evernet.Daemon.Web;

/// <summary>
/// Limits login attempts per client and in total within a sliding window. An attempt counts when it starts, so parallel
/// requests cannot slip past the limit while the (slow) password check runs. IPv6 clients count per /64: one host owns a whole /64.
/// </summary>
public sealed class LoginThrottle
{
    private const int MaxTrackedClients = 4096;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Queue<DateTimeOffset>> _perClient = [];
    private readonly Queue<DateTimeOffset> _total = new();
    private readonly int _perClientLimit;
    private readonly int _totalLimit;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;

    public LoginThrottle(int perClientLimit, int totalLimit, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perClientLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _perClientLimit = perClientLimit;
        _totalLimit = totalLimit;
        _window = window;
        _time = time;
    }

    /// <summary>Counts an attempt and returns true, or returns false with how long the client must wait.</summary>
    public bool TryBegin(IPAddress? client, out TimeSpan retryAfter)
    {
        var key = Group(client);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            Expire(_total, now);
            if (!_perClient.TryGetValue(key, out var attempts))
            {
                if (_perClient.Count >= MaxTrackedClients) Prune(now);
                attempts = new Queue<DateTimeOffset>();
                if (_perClient.Count < MaxTrackedClients) _perClient[key] = attempts;
            }
            Expire(attempts, now);
            if (attempts.Count >= _perClientLimit)
            {
                retryAfter = attempts.Peek() + _window - now;
                return false;
            }
            if (_total.Count >= _totalLimit)
            {
                retryAfter = _total.Peek() + _window - now;
                return false;
            }
            attempts.Enqueue(now);
            _total.Enqueue(now);
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    /// <summary>A correct password clears the client's count (not the total: that bounds guessing from many addresses).</summary>
    public void Succeeded(IPAddress? client)
    {
        lock (_lock) _perClient.Remove(Group(client));
    }

    private void Expire(Queue<DateTimeOffset> attempts, DateTimeOffset now)
    {
        while (attempts.Count > 0 && attempts.Peek() + _window <= now) attempts.Dequeue();
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (client, attempts) in _perClient.ToList())
        {
            Expire(attempts, now);
            if (attempts.Count == 0) _perClient.Remove(client);
        }
    }

    private static IPAddress Group(IPAddress? client)
    {
        if (client is null) return IPAddress.None;
        if (client.IsIPv4MappedToIPv6) return client.MapToIPv4();
        if (client.AddressFamily != AddressFamily.InterNetworkV6) return client;
        byte[] bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}
