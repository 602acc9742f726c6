namespace Evernet.Sim.Engine;

/// <summary>A binary min-heap of <see cref="SimEvent"/> by (time, sequence). Inline structs: no allocation per event.</summary>
internal sealed class EventQueue
{
    private SimEvent[] _heap = new SimEvent[1024];

    public int Count { get; private set; }

    public long PeekTime => Count == 0 ? long.MaxValue : _heap[0].Time;

    /// <summary>Inserts; the caller has stamped <see cref="SimEvent.Seq"/>.</summary>
    public void Push(in SimEvent e)
    {
        if (Count == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!e.Before(in _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = e;
    }

    public SimEvent Pop()
    {
        if (Count == 0) throw new InvalidOperationException("the event queue is empty");
        var top = _heap[0];
        var last = _heap[--Count];
        _heap[Count] = default;
        if (Count > 0)
        {
            int i = 0;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= Count) break;
                if (child + 1 < Count && _heap[child + 1].Before(in _heap[child])) child++;
                if (!_heap[child].Before(in last)) break;
                _heap[i] = _heap[child];
                i = child;
            }
            _heap[i] = last;
        }
        return top;
    }
}
