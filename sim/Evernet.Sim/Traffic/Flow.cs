namespace Evernet.Sim.Traffic;

/// <summary>
/// One connection from a household behind a node: hashed into one of the node's buckets at its start, and remembering
/// the gateway it went out through — the gateway whose NAT holds its state. If the bucket is later re-pointed, the
/// flow's packets would leave through another gateway: the flow breaks (that is what the model counts).
/// </summary>
internal sealed class Flow
{
    public Flow(int node, int bucket, int gateway, double bits, long startTicks)
    {
        Node = node;
        Bucket = bucket;
        Gateway = gateway;
        RemainingBits = bits;
        StartBits = bits;
        StartTicks = startTicks;
    }

    public int Node { get; }
    public int Bucket { get; }
    /// <summary>Slot of the gateway it goes out through now.</summary>
    public int Gateway { get; set; }
    public double RemainingBits { get; set; }
    public double StartBits { get; }
    public long StartTicks { get; }
    /// <summary>Position in the model's flow list (swap-removal).</summary>
    public int Position { get; set; }
    /// <summary>How often it was moved to another gateway (by an outage, or — a defect — otherwise).</summary>
    public int Moves { get; set; }
}
