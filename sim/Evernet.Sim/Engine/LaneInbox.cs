namespace Evernet.Sim.Engine;

/// <summary>
/// Datagrams other lanes sent to this lane's nodes, handed over between threads. Senders append under a lock; the
/// owning lane swaps the buffer out and pushes its events into its queue. The lock is what publishes an event before the
/// sender's next promise (<see cref="Lane.Promise"/>): a lane that read a promise and then drains has every event sent
/// before that promise.
/// </summary>
internal sealed class LaneInbox
{
    private readonly Lock _gate = new();
    private List<SimEvent> _incoming = [];
    private List<SimEvent> _spare = [];

    public void Add(in SimEvent e)
    {
        lock (_gate) _incoming.Add(e);
    }

    /// <summary>
    /// Moves everything received into <paramref name="queue"/>. An event dated before <paramref name="processedUpTo"/>
    /// (the lane already processed later events) would break the order of events: an engine defect, not a network effect.
    /// </summary>
    public void DrainInto(EventQueue queue, long processedUpTo, int lane, ulong seed)
    {
        List<SimEvent> taken;
        lock (_gate)
        {
            if (_incoming.Count == 0) return;
            taken = _incoming;
            _incoming = _spare;
        }
        foreach (var e in taken)
        {
            if (e.Time < processedUpTo)
                throw new SimulationException($"seed {seed}: a datagram for lane {lane} arrives at {e.Time}, after the lane processed {processedUpTo}: the lookahead was violated");
            queue.Push(e);
        }
        taken.Clear();
        _spare = taken;
    }
}
