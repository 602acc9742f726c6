namespace Evernet.Gossip.Runtime;

internal enum TimerKind : byte
{
    SwimProbe,
    SwimIndirect,
    SwimRoundEnd,
    GatewayRoundStart,
    GatewayIndirect,
    GatewayRoundEnd,
    Suspicion,
    PushPull,
    RelayTimeout,
    Refresh,
    Reap,
    JoinRetry,
    GossipTick,
    Reconnect,
    RangeRecheck,
}

internal readonly record struct TimerEntry(TimerKind Kind, ulong Key, uint Tag);

/// <summary>
/// Deadlines of one node. Cancellation is lazy: a handler checks that what the timer was armed for still holds, so
/// nothing has to be removed from the heap; the owner drops obsolete deadlines when they reach the front, so that its
/// host is not woken for them. Ties fire in the order they were armed (deterministic).
/// </summary>
internal sealed class TimerQueue
{
    private readonly PriorityQueue<TimerEntry, (long, long)> _heap = new();
    private long _sequence;

    public void Arm(long deadlineTicks, TimerKind kind, ulong key = 0, uint tag = 0) =>
        _heap.Enqueue(new TimerEntry(kind, key, tag), (deadlineTicks, ++_sequence));

    public long? NextDeadline => _heap.TryPeek(out _, out var p) ? p.Item1 : null;

    public bool TryTakeDue(long nowTicks, out TimerEntry entry)
    {
        if (_heap.TryPeek(out entry, out var p) && p.Item1 <= nowTicks)
        {
            _heap.Dequeue();
            return true;
        }
        entry = default;
        return false;
    }

    public bool TryPeek(out TimerEntry entry) => _heap.TryPeek(out entry, out _);

    /// <summary>Removes the earliest deadline (one the owner found obsolete).</summary>
    public void DropFirst() => _heap.Dequeue();

    public void Clear() => _heap.Clear();

    public int Count => _heap.Count;
}
