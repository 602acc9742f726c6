using Evernet.Gossip;
using Evernet.Sim.Network;

namespace Evernet.Sim.Engine;

/// <summary>
/// Everything that defines a run; with the same setup and seed, the trace is identical. <paramref name="Lanes"/>: how
/// many threads may process nodes at once (see <see cref="LanePlan"/>); it changes the wall time, never the trace.
/// </summary>
public sealed record SimulationSetup(
    Topology Topology,
    GossipOptions Options,
    ulong Seed,
    IReadOnlyList<NodeRole> Roles,
    TimeSpan SummaryInterval,
    TextWriter? TraceText = null,
    bool WarmRestart = false,
    int Lanes = 1);
