namespace Evernet.Sim.Network;

public enum LinkKind : byte
{
    /// <summary>Point-to-point radio between hubs and gateways (5/24/60 GHz).</summary>
    Backbone = 0,
    /// <summary>Household mesh radio (2.4/5 GHz).</summary>
    Mesh = 1,
    /// <summary>Generic link of the geometric and full topologies.</summary>
    Generic = 2,
}

/// <summary>
/// One undirected link. Loss and queue are per direction: index 0 is A→B, index 1 is B→A.
/// Mutable on purpose: faults change loss and state in place; the network owns the array.
/// </summary>
public struct Link
{
    public int A;
    public int B;
    public LinkKind Kind;
    public long LatencyTicks;
    /// <summary>Each traversal adds a uniform extra delay in [0, JitterTicks).</summary>
    public long JitterTicks;
    public double LossAtoB;
    public double LossBtoA;
    /// <summary>0 = unlimited; otherwise serialization delay and a FIFO queue per direction.</summary>
    public long BitsPerSecond;
    public bool Up;
    public long BusyUntilAtoB;
    public long BusyUntilBtoA;

    public Link(int a, int b, LinkKind kind, long latencyTicks, long jitterTicks, double loss, long bitsPerSecond = 0)
    {
        A = a;
        B = b;
        Kind = kind;
        LatencyTicks = latencyTicks;
        JitterTicks = jitterTicks;
        LossAtoB = loss;
        LossBtoA = loss;
        BitsPerSecond = bitsPerSecond;
        Up = true;
        BusyUntilAtoB = 0;
        BusyUntilBtoA = 0;
    }

    public readonly int Other(int node) => node == A ? B : A;
}
