namespace Evernet.Gossip.Runtime;

/// <summary>
/// The last <c>capacity</c> distinct keys seen, oldest forgotten first: "have we already done this for that exchange?"
/// with memory bounded against a peer that invents exchange ids.
/// </summary>
internal sealed class RecentKeys<T>(int capacity) where T : notnull
{
    private readonly HashSet<T> _keys = new();
    private readonly Queue<T> _order = new();

    /// <summary>Remembers <paramref name="key"/>; false if it is already remembered.</summary>
    public bool Add(T key)
    {
        if (!_keys.Add(key)) return false;
        _order.Enqueue(key);
        if (_order.Count > capacity) _keys.Remove(_order.Dequeue());
        return true;
    }
}
