namespace Evernet.Gossip.Membership;

/// <summary>
/// Members this node holds suspect, dead or left (not revoked), with O(1) add and remove and a round-robin walk:
/// re-admission pings go to one of them now and then, so that a member that returned (or was suspected or declared
/// dead by mistake) and whose news this node missed in the epidemic is re-checked within |set| pings instead of at the
/// next anti-entropy exchange. Round robin, as SWIM's own probe order, bounds the wait where random picks do not.
/// Order only depends on the node's inputs: deterministic.
/// </summary>
internal sealed class RecheckSet
{
    private readonly List<ulong> _members = new();
    private readonly Dictionary<ulong, int> _index = new();
    private int _cursor;

    public int Count => _members.Count;

    public void Add(ulong member)
    {
        if (_index.ContainsKey(member)) return;
        _index[member] = _members.Count;
        _members.Add(member);
    }

    public void Remove(ulong member)
    {
        if (!_index.Remove(member, out int i)) return;
        int last = _members.Count - 1;
        if (i != last)
        {
            _members[i] = _members[last];
            _index[_members[i]] = i;
        }
        _members.RemoveAt(last);
    }

    /// <summary>The next member in round-robin order; the set must not be empty.</summary>
    public ulong Next()
    {
        if (_cursor >= _members.Count) _cursor = 0;
        return _members[_cursor++];
    }
}
