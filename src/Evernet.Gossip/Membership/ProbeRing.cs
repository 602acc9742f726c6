using Evernet.Gossip.Runtime;

namespace Evernet.Gossip.Membership;

/// <summary>
/// SWIM round-robin probe order: members are visited in a random order that is reshuffled after each full pass; new
/// members are inserted at a random position, so every member is probed within a bounded time.
/// </summary>
public sealed class ProbeRing
{
    private readonly List<ulong> _order = new();
    private readonly HashSet<ulong> _members = new();
    private readonly IRandomSource _random;
    private int _next;

    public ProbeRing(IRandomSource random) => _random = random;

    public int Count => _members.Count;

    public void Add(ulong member)
    {
        if (!_members.Add(member)) return;
        _order.Insert(_random.Next(_order.Count + 1), member);
    }

    public void Remove(ulong member)
    {
        if (!_members.Remove(member)) return;
        int i = _order.IndexOf(member);
        _order.RemoveAt(i);
        if (i < _next) _next--;
    }

    public bool Contains(ulong member) => _members.Contains(member);

    /// <summary>The next member to probe, or null when there is none.</summary>
    public ulong? Next()
    {
        if (_order.Count == 0) return null;
        if (_next >= _order.Count)
        {
            for (int i = _order.Count - 1; i > 0; i--)
            {
                int j = _random.Next(i + 1);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }
            _next = 0;
        }
        return _order[_next++];
    }

    /// <summary>Up to <paramref name="count"/> distinct random members, excluding the given ones.</summary>
    public void Sample(int count, List<ulong> into, ulong excludeA, ulong excludeB = 0)
    {
        into.Clear();
        int n = _order.Count;
        if (n == 0 || count <= 0) return;
        // Partial Fisher-Yates over indexes without touching the probe order.
        int attempts = 0;
        while (into.Count < count && attempts < count * 4 + 8)
        {
            attempts++;
            ulong m = _order[_random.Next(n)];
            if (m == excludeA || m == excludeB || into.Contains(m)) continue;
            into.Add(m);
        }
    }
}
