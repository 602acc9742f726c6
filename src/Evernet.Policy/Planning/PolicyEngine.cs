using Evernet.Gossip.Identity;
using Evernet.Gossip.View;

namespace Evernet.Policy;

/// <summary>
/// The node/gateway policy engine for a host: holds the path-quality tracker and the planner state between updates.
/// Host loop: <see cref="RecordPathSample"/> for every tunnel probe (nodes), then <see cref="Update"/> with a fresh
/// <c>GossipNode.Snapshot()</c> whenever gossip reports an event and on a steady tick (about once a second: slow start,
/// hold-down and balancing advance with time); apply <see cref="DataplanePlan.Dataplane"/> when it differs (==) from the
/// last applied one. Not thread-safe: one event loop owns it.
/// </summary>
public sealed class PolicyEngine
{
    private readonly PolicyOptions _options;
    private readonly ulong _seed;
    private readonly RevocationCheck? _revocationCheck;

    public PolicyEngine(PolicyOptions options, LocalNode self, ulong? nodeSeed = null, RevocationCheck? revocationCheck = null)
    {
        options.ThrowIfInvalid();
        _options = options;
        Self = self;
        _seed = nodeSeed ?? StableHash.SeedFor(self.Id);
        _revocationCheck = revocationCheck;
        Paths = new PathQualityTracker(options.PathQuality);
    }

    public LocalNode Self { get; private set; }
    public PathQualityTracker Paths { get; }
    public PolicyState State { get; private set; } = PolicyState.Initial;
    public DataplanePlan? LastPlan { get; private set; }

    /// <summary>
    /// One tunnel probe's outcome (see <see cref="PathQualityTracker.Record"/>). The prober should ask
    /// <see cref="PathQualityTracker.NextProbeDelayMs"/> when to probe a gateway again: after a loss it retries faster,
    /// which is what keeps the detection of a dead path short.
    /// </summary>
    public void RecordPathSample(NodeId gateway, long nowUnixMs, PathSample sample, long? sentUnixMs = null) =>
        Paths.Record(gateway, nowUnixMs, sample, sentUnixMs);

    /// <summary>New client prefixes or a renewed certificate.</summary>
    public void UpdateSelf(LocalNode self)
    {
        if (self.Id != Self.Id) throw new ArgumentException("a policy engine belongs to one node id", nameof(self));
        Self = self;
    }

    public DataplanePlan Update(MeshView view, long nowUnixMs)
    {
        var plan = DataplanePlanner.Plan(new PlanInputs(view, Self, Paths.Snapshot(nowUnixMs), _options, State, nowUnixMs, _seed, _revocationCheck));
        State = plan.State;
        LastPlan = plan;
        return plan;
    }
}
