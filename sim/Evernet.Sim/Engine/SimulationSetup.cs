using Evernet.Gossip;
using Evernet.Sim.Network;

namespace Evernet.Sim.Engine;

/// <summary>Everything that defines a run; with the same setup and seed, the trace is identical.</summary>
public sealed record SimulationSetup(
    Topology Topology,
    GossipOptions Options,
    ulong Seed,
    IReadOnlyList<NodeRole> Roles,
    TimeSpan SummaryInterval,
    TextWriter? TraceText = null,
    bool WarmRestart = false);
