namespace Evernet.Sim.Network;

/// <summary>
/// What one thread needs to transmit through a <see cref="NetworkModel"/>: its own path buffer and counters, so lanes
/// running at once share nothing they write. The network's totals are the sums over its lanes.
/// </summary>
public sealed class NetworkLane
{
    internal NetworkLane(int dropReasons) => DroppedByReason = new long[dropReasons];

    internal int[] Path { get; private set; } = new int[64];

    public long Sent { get; internal set; }
    public long Delivered { get; internal set; }
    public long HopsTraversed { get; internal set; }
    public long Duplicated { get; internal set; }
    public long Reordered { get; internal set; }
    public long[] DroppedByReason { get; }

    public void CountDrop(DropReason reason) => DroppedByReason[(int)reason]++;

    internal void GrowPath()
    {
        var longer = new int[Path.Length * 2];
        Path.CopyTo(longer, 0);
        Path = longer;
    }
}
