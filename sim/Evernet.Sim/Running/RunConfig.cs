using Evernet.Gossip;
using Evernet.Sim.Network;

namespace Evernet.Sim.Running;

/// <summary>
/// One invocation: a scenario over seeds <see cref="Seed"/> .. Seed+Seeds-1. <see cref="Lanes"/>: threads per seed
/// (0: automatic, see <see cref="LanesFor"/>).
/// </summary>
public sealed record RunConfig(
    string Scenario,
    TopologyOptions Topology,
    Func<GossipOptions> Options,
    ulong Seed = 1,
    int Seeds = 1,
    TimeSpan? Duration = null,
    TimeSpan? SummaryInterval = null,
    TimeSpan? MaxWarmup = null,
    bool WarmRestart = false,
    string? TracePath = null,
    int Parallelism = 1,
    bool Progress = false,
    TimeSpan? Settle = null,
    int Lanes = 0)
{
    /// <summary>Below this many nodes a window holds too few events to be worth a second thread.</summary>
    public const int MinNodesForLanes = 500;

    /// <summary>Lanes for one seed: as asked, else the cores left over by the seeds running in parallel (large meshes only).</summary>
    public int LanesFor(int nodes) =>
        Lanes > 0 ? Lanes
        : nodes < MinNodesForLanes ? 1
        : Math.Max(1, Environment.ProcessorCount / Math.Max(1, Math.Min(Parallelism, Seeds)));
}
