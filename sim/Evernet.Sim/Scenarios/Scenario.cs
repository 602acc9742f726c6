using Evernet.Gossip.Runtime;
using Evernet.Sim.Engine;
using Evernet.Sim.Network;

namespace Evernet.Sim.Scenarios;

/// <summary>
/// A fault schedule. One instance per run (it may keep per-run state). The runner warms the mesh up until it has
/// converged, then calls <see cref="Schedule"/> with the start of the measured phase; the run ends at start + duration.
/// </summary>
public abstract class Scenario
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract TimeSpan DefaultDuration(int gateways);

    /// <summary>Which node plays which part. Default: the topology's gateways are gateways, everyone else a member.</summary>
    public virtual NodeRole[] AssignRoles(Topology topology, SeededRandom random)
    {
        var roles = new NodeRole[topology.NodeCount];
        foreach (var g in topology.Gateways) roles[g] = NodeRole.Gateway;
        return roles;
    }

    /// <summary>Called before the nodes start (to install eavesdroppers and the like).</summary>
    public virtual void Prepare(Simulation sim) { }

    /// <summary>Scenarios whose code runs inside a node's input (taps) need all nodes on one lane (thread).</summary>
    public virtual bool NeedsOneLane => this is Traffic.ITrafficScenario;

    public abstract void Schedule(Simulation sim, long startTicks, TimeSpan duration);

    /// <summary>Scenario-specific figures, added to the result after the run.</summary>
    public virtual void Finish(Simulation sim, IDictionary<string, double> extras) { }

    protected static long Seconds(double s) => (long)(s * TimeSpan.TicksPerSecond);

    /// <summary>Honest non-gateway members that are up, in index order.</summary>
    protected static List<int> UpMembers(Simulation sim)
    {
        var list = new List<int>();
        foreach (var n in sim.Nodes)
            if (n.IsUp && n.Role == NodeRole.Member) list.Add(n.Index);
        return list;
    }
}
