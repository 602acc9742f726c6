namespace Evernet.Sim.Engine;

internal enum SimEventKind : byte
{
    Deliver = 0,
    Timeout = 1,
    Action = 2,
}

/// <summary>
/// One scheduled happening. A struct so the queue holds events inline; <see cref="Data"/> is the datagram payload
/// (Deliver) or the callback (Action). Ordered by time, then by <see cref="Seq"/>, which makes ties deterministic: the
/// pushing node's index and its own running count (<see cref="SimNode.NextEventSeq"/>), so the order of one node's
/// simultaneous inputs does not depend on how other nodes' work was interleaved.
/// </summary>
internal struct SimEvent
{
    public long Time;
    public long Seq;
    public SimEventKind Kind;
    /// <summary>Deliver: the datagram came from an attacker (for attribution of what it caused).</summary>
    public bool FromAttacker;
    /// <summary>Deliver/Timeout: already held back once by the node's slow CPU.</summary>
    public bool Deferred;
    public int Node;
    /// <summary>Deliver: the address index the receiver sees as source (differs from the physical sender when spoofed).</summary>
    public int From;
    /// <summary>Timeout: the node's timer generation when armed; a newer generation makes this event stale.</summary>
    public int Generation;
    public object? Data;

    public readonly bool Before(in SimEvent other) => Time < other.Time || (Time == other.Time && Seq < other.Seq);
}
