using Evernet.Gossip;
using Evernet.Sim.Network;

namespace Evernet.Sim.Running;

/// <summary>One invocation: a scenario over seeds <see cref="Seed"/> .. Seed+Seeds-1.</summary>
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
    TimeSpan? Settle = null);
