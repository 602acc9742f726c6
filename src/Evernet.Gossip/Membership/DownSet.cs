namespace Evernet.Gossip.Membership;

/// <summary>
/// Members this node holds dead (not left, not revoked), with O(1) add, remove and random pick: reconnect probes go to
/// one of them now and then, so that a member declared dead by mistake (a partition, a lossy spell) hears of it and
/// refutes without waiting for anti-entropy. Insertion order only depends on the node's inputs: deterministic.
/// </summary>
internal sealed class DownSet
{
    private readonly List<ulong> _members = new();
    private readonly Dictionary<ulong, int> _index = new();

    public int Count => _members.Count;

    public ulong this[int i] => _members[i];

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
}
