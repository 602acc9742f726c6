using Evernet.Policy;

namespace Evernet.Sim.Traffic;

/// <summary>
/// A household router's policy side: its own real <see cref="PolicyEngine"/> (as evernetd runs it), the resilient
/// bucket table its multipath route would be in the kernel, the weights last installed there, and its active flows.
/// </summary>
internal sealed class TrafficNode
{
    public TrafficNode(int index, int slots, double demandShare)
    {
        Index = index;
        Weights = new int[slots];
        DemandShare = demandShare;
    }

    public int Index { get; }
    public double DemandShare { get; }
    public PolicyEngine? Engine { get; set; }
    /// <summary>The node start the engine belongs to: a restarted daemon starts from the initial policy state.</summary>
    public int EngineStarts { get; set; } = -1;
    public ResilientBucketTable? Table { get; set; }
    /// <summary>Installed nexthop weights by gateway slot (0: not in the group).</summary>
    public int[] Weights { get; }
    public List<Flow> Flows { get; } = [];

    public long LastPlanTicks { get; set; } = long.MinValue / 2;
    /// <summary>When the next plan is scheduled (long.MaxValue: none); a sooner request supersedes it.</summary>
    public long PendingAt { get; set; } = long.MaxValue;
    public int PendingGeneration { get; set; }
    public long WeightChanges { get; set; }
    /// <summary>Gateways whose path is being retried quickly after a loss (one retry train each).</summary>
    public HashSet<Gossip.Identity.NodeId> RetryTrains { get; } = [];
}
