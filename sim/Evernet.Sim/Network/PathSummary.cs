namespace Evernet.Sim.Network;

/// <summary>
/// One source-destination path as the network's transmit needs it (<see cref="NetworkModel.UsePathSummaries"/>):
/// hops (−1: unreachable), the chance to cross all of them, their summed latency, and the jittered hops with their
/// common jitter. <see cref="Uniform"/> is false when the jittered hops differ (the hop-by-hop walk is used then).
/// </summary>
internal struct PathSummary
{
    public int Hops;
    public int JitteredHops;
    public double Survival;
    public long LatencyTicks;
    public long JitterTicks;
    public bool Uniform;
}
