using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;
using Evernet.Sim.Engine;
using Evernet.Sim.Time;

namespace Evernet.Sim.Metrics;

/// <summary>
/// Turns core events into measurements, judged against the simulator's ground truth (who is really up, which uplink is
/// really down, who can reach whom). Events are timestamped by the nodes' virtual clocks.
/// </summary>
public sealed class MetricsCollector
{
    private const int MaxExamples = 12;
    private readonly Simulation _sim;
    private readonly Dictionary<NodeId, int> _indexOf = new();
    private readonly int _nodes;
    private readonly int[] _gatewaySlot;
    private readonly int _gatewayCount;
    private readonly bool[] _usable;
    private readonly int[] _usableCount;
    private readonly int[] _aliveCount;
    private readonly ulong[] _summaryVersion;
    private readonly ulong[] _maxSummaryVersion;
    private readonly List<FailoverProbe> _probes = new();
    private readonly HashSet<(int, uint)> _falseSuspicions = new();
    private readonly HashSet<(int, uint)> _falseDeaths = new();
    private readonly long _deadGraceTicks;
    private readonly long _suspectGraceTicks;
    private readonly long _unusableGraceTicks;

    public MetricsCollector(Simulation sim)
    {
        _sim = sim;
        _nodes = sim.Nodes.Length;
        _gatewaySlot = new int[_nodes];
        Array.Fill(_gatewaySlot, -1);
        foreach (var n in sim.Nodes)
        {
            _indexOf[n.Id] = n.Index;
            if (n.IsGateway) _gatewaySlot[n.Index] = _gatewayCount++;
        }
        _usable = new bool[_nodes * Math.Max(1, _gatewayCount)];
        _usableCount = new int[_nodes];
        _aliveCount = new int[_nodes];
        _summaryVersion = new ulong[_nodes * Math.Max(1, _gatewayCount)];
        _maxSummaryVersion = new ulong[Math.Max(1, _gatewayCount)];
        var o = sim.Options;
        double suspicionMin = o.SuspicionMultiplier * Math.Log10(Math.Max(10, _nodes)) * o.ProbeInterval.Ticks;
        _deadGraceTicks = (long)(suspicionMin * o.SuspicionMaxMultiplier) + 3 * o.ProbeInterval.Ticks * (o.MaxAwareness + 1);
        _suspectGraceTicks = 10 * o.ProbeInterval.Ticks * (o.MaxAwareness + 1) / 4;
        _unusableGraceTicks = Math.Max(5 * TimeSpan.TicksPerSecond, 4L * o.GatewayFailedRoundsToUnusable * o.GatewayRoundTimeout.Ticks);
    }

    public bool Measuring { get; private set; }

    /// <summary>Every honest observer's view change of an honest member (observer, member, new state).</summary>
    public Action<int, int, MemberState>? MemberStateObserved { get; set; }
    public long MeasureStartTicks { get; private set; }

    public List<double> Dissemination { get; } = new();
    public long DisseminationExpected { get; private set; }
    /// <summary>Distinct (member, incarnation) falsely declared dead, by anyone.</summary>
    public long FalseDead { get; private set; }
    /// <summary>Observer events behind <see cref="FalseDead"/> (each node that adopted the verdict counts once).</summary>
    public long FalseDeadEvents { get; private set; }
    public long FalseSuspectEvents { get; private set; }
    /// <summary>Distinct (member, incarnation) falsely suspected, by anyone.</summary>
    public long FalseSuspect { get; private set; }
    public long FalseUnusable { get; private set; }
    public long SuspectEvents { get; private set; }
    public long DeadEvents { get; private set; }
    public long UnusableEvents { get; private set; }
    public List<string> Examples { get; } = new();
    public long[] RejectedByReason { get; } = new long[Enum.GetValues<RejectReason>().Length];
    public IReadOnlyList<FailoverProbe> Probes => _probes;

    /// <summary>Items from attackers that honest nodes accepted (must stay 0).</summary>
    public long AttackerAccepted { get; private set; }
    /// <summary>Honest-node state changes caused while processing an attacker's datagram.</summary>
    public long AttackerInducedStateChanges { get; private set; }
    public long[] AttackRejectedByReason { get; } = new long[Enum.GetValues<RejectReason>().Length];
    /// <summary>An honest node accepted an older summary after a newer one: a rollback.</summary>
    public long SummaryRollbacks { get; private set; }

    public void BeginMeasurement()
    {
        Measuring = true;
        MeasureStartTicks = _sim.Now;
        foreach (var n in _sim.Nodes) n.BytesSentAtMeasureStart = n.BytesSent;
    }

    public int IndexOf(NodeId id) => _indexOf.TryGetValue(id, out var i) ? i : -1;

    public bool IsUsable(int observer, int gateway) => _usable[observer * _gatewayCount + _gatewaySlot[gateway]];

    public ulong SummaryVersionAt(int observer, int gateway) => _summaryVersion[observer * _gatewayCount + _gatewaySlot[gateway]];

    /// <summary>
    /// Every up honest node believes every other up honest node alive and every up gateway with a working uplink usable.
    /// Derived from events (cheap), used to end the warm-up.
    /// </summary>
    public bool LooksConverged() => FirstLaggingNode() is null;

    /// <summary>Null when converged, else what the first lagging node is missing.</summary>
    public string? ConvergenceGap() => FirstLaggingNode()?.Invoke();

    /// <summary>
    /// The first node that does not see the mesh as converged, and how to describe it. The description (a snapshot of
    /// that node's view) is built only when asked for: the warm-up checks convergence four times a virtual second.
    /// </summary>
    private Func<string>? FirstLaggingNode()
    {
        int upHonest = 0, usableGateways = 0;
        foreach (var n in _sim.Nodes)
        {
            if (!n.IsUp || !n.IsHonest) continue;
            upHonest++;
            if (n.IsGateway && _sim.GatewayHostOf(n.Index)!.Uplink == UplinkState.Up) usableGateways++;
        }
        foreach (var n in _sim.Nodes)
        {
            if (!n.IsUp || !n.IsHonest) continue;
            int alive = _aliveCount[n.Index], node = n.Index, expectAlive = upHonest - 1;
            if (alive != expectAlive) return () => $"node {node} sees {alive} of {expectAlive} live members alive{LagDetail(node)}";
            int expectUsable = usableGateways - (n.IsGateway && _sim.GatewayHostOf(n.Index)!.Uplink == UplinkState.Up ? 1 : 0);
            int usable = _usableCount[n.Index] - (n.IsGateway && _usable[n.Index * _gatewayCount + _gatewaySlot[n.Index]] ? 1 : 0);
            if (usable != expectUsable) return () => $"node {node} has {usable} of {expectUsable} working gateways usable";
        }
        return null;
    }

    /// <summary>How many nodes lag, and what the first one holds of the members it misses (for the warm-up report).</summary>
    private string LagDetail(int node)
    {
        int lagging = 0, upHonest = 0;
        foreach (var n in _sim.Nodes)
            if (n.IsUp && n.IsHonest) upHonest++;
        foreach (var n in _sim.Nodes)
            if (n.IsUp && n.IsHonest && _aliveCount[n.Index] != upHonest - 1) lagging++;
        var core = _sim.Nodes[node].Core;
        if (core is null) return $" ({lagging} nodes lag)";
        var held = new Dictionary<NodeId, MemberState>();
        foreach (var m in core.Snapshot().Members) held[m.Id] = m.State;
        var missing = new List<string>();
        foreach (var n in _sim.Nodes)
        {
            if (!n.IsUp || !n.IsHonest || n.Index == node || missing.Count >= 3) continue;
            var id = n.Key.Id;
            if (!held.TryGetValue(id, out var state)) missing.Add($"{n.Index} unknown");
            else if (state is not (MemberState.Alive or MemberState.Suspect)) missing.Add($"{n.Index} {state}");
        }
        return $" ({lagging} nodes lag; node {node}: {string.Join(", ", missing)})";
    }

    /// <summary>Every live honest node holds the newest summary version any node has accepted, of every gateway.</summary>
    public string? SummaryGap()
    {
        foreach (var n in _sim.Nodes)
        {
            if (!n.IsUp || !n.IsHonest) continue;
            for (int slot = 0; slot < _gatewayCount; slot++)
            {
                int gateway = _sim.GatewayIndices[slot];
                if (gateway == n.Index) continue;
                if (_summaryVersion[n.Index * _gatewayCount + slot] != _maxSummaryVersion[slot])
                    return $"node {n.Index} holds v{_summaryVersion[n.Index * _gatewayCount + slot]} of gateway {gateway}, newest is v{_maxSummaryVersion[slot]}";
            }
        }
        return null;
    }

    /// <summary>
    /// Starts measuring how long until every live honest observer (optionally only those <paramref name="observerFilter"/>
    /// admits) sees <paramref name="gateway"/> as unusable (or, with <paramref name="targetUsable"/>, usable again).
    /// </summary>
    public FailoverProbe BeginFailover(string kind, int gateway, bool targetUsable = false, Func<int, bool>? observerFilter = null)
    {
        var observers = new bool[_nodes];
        foreach (var n in _sim.Nodes)
            if (n.IsUp && n.IsHonest && n.Index != gateway && (observerFilter is null || observerFilter(n.Index))) observers[n.Index] = true;
        var probe = new FailoverProbe(kind, gateway, _sim.Now, observers, targetUsable);
        foreach (var n in _sim.Nodes)
            if (observers[n.Index] && IsUsable(n.Index, gateway) == targetUsable) probe.Detected(n.Index, _sim.Now);
        _probes.Add(probe);
        return probe;
    }

    public void OnNodeDown(int node)
    {
        foreach (var p in _probes) p.Drop(node);
        _aliveCount[node] = 0;
        _usableCount[node] = 0;
        if (_gatewayCount > 0)
        {
            Array.Clear(_usable, node * _gatewayCount, _gatewayCount);
            Array.Clear(_summaryVersion, node * _gatewayCount, _gatewayCount);
        }
    }

    public void OnSummaryPublished(int gateway)
    {
        if (!Measuring) return;
        foreach (var n in _sim.Nodes)
            if (n.IsUp && n.IsHonest && n.Index != gateway) DisseminationExpected++;
    }

    public void OnEvent(int observer, GossipEvent gossipEvent, bool duringAttackerInput)
    {
        var self = _sim.Nodes[observer];
        bool honestObserver = self.IsHonest;
        switch (gossipEvent)
        {
            case MemberStateChanged m:
                OnMemberState(observer, honestObserver, m, duringAttackerInput);
                break;
            case GatewayUsabilityChanged g:
                OnUsability(observer, honestObserver, g);
                break;
            case SummaryAccepted s:
                OnSummary(observer, honestObserver, s, duringAttackerInput);
                break;
            case Rejected r:
                if (honestObserver && (int)r.Reason < RejectedByReason.Length)
                {
                    RejectedByReason[(int)r.Reason]++;
                    if (duringAttackerInput) AttackRejectedByReason[(int)r.Reason]++;
                }
                break;
        }
    }

    private void OnMemberState(int observer, bool honestObserver, MemberStateChanged m, bool duringAttackerInput)
    {
        int member = IndexOf(m.Member);
        if (!honestObserver) return;
        if (member < 0 || !_sim.Nodes[member].IsHonest)
        {
            if (member >= 0 && _sim.Nodes[member].Role == NodeRole.Uncertified)
            {
                AttackerAccepted++;
                Example($"attacker {member} admitted by {observer}: {m.Current}");
            }
            return;
        }
        if (member == observer) return;
        MemberStateObserved?.Invoke(observer, member, m.Current);
        if (duringAttackerInput && m.Current != MemberState.Alive) AttackerInducedStateChanges++;
        // A suspect is still a member (SWIM): the warm-up counts members held alive or suspect.
        if (m.Previous is MemberState.Alive or MemberState.Suspect) _aliveCount[observer]--;
        if (m.Current is MemberState.Alive or MemberState.Suspect) _aliveCount[observer]++;
        if (!Measuring) return;
        long t = VirtualClock.UnixMsToTicks(m.AtUnixMs);
        if (m.Current == MemberState.Suspect)
        {
            SuspectEvents++;
            if (IsHealthyAndReachable(observer, member, t, _suspectGraceTicks))
            {
                FalseSuspectEvents++;
                if (!_falseSuspicions.Add((member, m.Incarnation))) return;
                FalseSuspect++;
                Example($"false suspect: {observer} suspects {member} at {Seconds(t)}");
            }
        }
        else if (m.Current == MemberState.Dead)
        {
            DeadEvents++;
            if (IsHealthyAndReachable(observer, member, t, _deadGraceTicks))
            {
                FalseDeadEvents++;
                if (!_falseDeaths.Add((member, m.Incarnation))) return;
                FalseDead++;
                Example($"false dead: {observer} declares {member} dead at {Seconds(t)}");
            }
        }
    }

    private void OnUsability(int observer, bool honestObserver, GatewayUsabilityChanged g)
    {
        int gateway = IndexOf(g.Gateway);
        if (!honestObserver) return;
        if (gateway < 0 || _gatewaySlot[gateway] < 0)
        {
            if (gateway >= 0 && _sim.Nodes[gateway].Role == NodeRole.Uncertified && g.Usable)
            {
                AttackerAccepted++;
                Example($"attacker gateway {gateway} usable at {observer}");
            }
            return;
        }
        ref bool usable = ref _usable[observer * _gatewayCount + _gatewaySlot[gateway]];
        if (usable != g.Usable) _usableCount[observer] += g.Usable ? 1 : -1;
        usable = g.Usable;
        long t = VirtualClock.UnixMsToTicks(g.AtUnixMs);
        foreach (var p in _probes)
            if (p.Gateway == gateway && p.TargetUsable == g.Usable) p.Detected(observer, t);
        if (!Measuring || g.Usable || observer == gateway) return;
        UnusableEvents++;
        var host = _sim.GatewayHostOf(gateway)!;
        if (host.Uplink == UplinkState.Up && !host.Draining && t - host.UplinkSinceTicks >= _unusableGraceTicks
            && IsHealthyAndReachable(observer, gateway, t, _unusableGraceTicks))
        {
            FalseUnusable++;
            Example($"false unusable: {observer} marks gateway {gateway} unusable ({g.Reason}) at {Seconds(t)}");
        }
    }

    private void OnSummary(int observer, bool honestObserver, SummaryAccepted s, bool duringAttackerInput)
    {
        int gateway = IndexOf(s.Gateway);
        if (!honestObserver) return;
        if (gateway < 0 || _gatewaySlot[gateway] < 0)
        {
            AttackerAccepted++;
            Example($"summary of non-gateway {s.Gateway} accepted by {observer}");
            return;
        }
        int slot = _gatewaySlot[gateway];
        ref ulong held = ref _summaryVersion[observer * _gatewayCount + slot];
        if (s.Version <= held && held != 0)
        {
            SummaryRollbacks++;
            AttackerAccepted += duringAttackerInput ? 1 : 0;
            Example($"summary rollback at {observer}: gateway {gateway} v{s.Version} after v{held}");
        }
        else if (duringAttackerInput && s.Version < _maxSummaryVersion[slot])
        {
            AttackerAccepted++;
            Example($"stale summary v{s.Version} of gateway {gateway} accepted by {observer} from an attacker");
        }
        held = Math.Max(held, s.Version);
        _maxSummaryVersion[slot] = Math.Max(_maxSummaryVersion[slot], s.Version);
        if (Measuring && observer != gateway && VirtualClock.UnixMsToTicks(s.SignedAtUnixMs) >= MeasureStartTicks)
            Dissemination.Add(s.AtUnixMs - s.SignedAtUnixMs);
    }

    /// <summary>
    /// Ground truth: the member runs (and has not left) since at least <paramref name="grace"/> before t, and the network
    /// path between the two has existed that long.
    /// </summary>
    private bool IsHealthyAndReachable(int observer, int member, long t, long grace)
    {
        var m = _sim.Nodes[member];
        if (!m.IsUp || m.HasLeft || t - m.UpSinceTicks < grace) return false;
        if (t - _sim.LastReachabilityChangeTicks < grace) return false;
        return _sim.Network.IsReachable(observer, member);
    }

    private void Example(string text)
    {
        if (Examples.Count < MaxExamples) Examples.Add($"seed {_sim.Seed}: {text}");
    }

    private static string Seconds(long ticks) => $"t={ticks / (double)TimeSpan.TicksPerSecond:0.000}s";
}
