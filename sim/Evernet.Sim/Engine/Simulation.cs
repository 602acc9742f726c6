using System.Collections.Immutable;
using System.Diagnostics;
using Evernet.Gossip;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.Wire;
using Evernet.Sim.Metrics;
using Evernet.Sim.Network;
using Evernet.Sim.Time;

namespace Evernet.Sim.Engine;

/// <summary>
/// The discrete-event engine: N real <see cref="GossipNode"/>s on one virtual clock, connected by a <see cref="NetworkModel"/>.
/// After every input to a node it drains the node's datagrams (into the network) and events (into metrics and the
/// trace), then re-arms the node's timer from NextTimeout. Nodes are split over lanes (<see cref="LanePlan"/>); with
/// more than one, the lanes process the stretch of virtual time up to the next scenario action on their own threads,
/// each running ahead as far as the others' promises allow (<see cref="Lane.RunSegment"/>), and meet before the action,
/// where core events reach the metrics in a deterministic order and the action runs alone. Same setup, same trace,
/// for any number of lanes.
/// </summary>
public sealed class Simulation : IDisposable
{
    private readonly EventQueue _actions = new();
    private readonly ISignatureVerifier _verifier;
    // One per simulation: a thousand nodes hold the same records, decoded once instead of once per node.
    private readonly ItemInterner _interner = new();
    private readonly ImmutableArray<PeerAddress> _memberSeeds;
    private readonly GatewayHost?[] _gatewayHosts;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly Lane[] _lanes;
    private readonly LaneWorkers? _workers;
    private readonly List<BufferedCoreEvent> _merged = [];
    private long _actionSeq;
    private long _actionsRun;
    private Action<int, int, byte[]>? _deliveryTap;
    private Action<int, Evernet.Gossip.View.GossipEvent>? _eventTap;

    public Simulation(SimulationSetup setup)
    {
        Setup = setup;
        Topology = setup.Topology;
        Network = setup.Topology.Network;
        Options = setup.Options;
        Seed = setup.Seed;
        if (setup.Roles.Count != Topology.NodeCount) throw new ArgumentException("one role per node is needed");
        ScenarioRandom = new SeededRandom(SeedDerivation.Derive(Seed, SeedDerivation.Scenario));
        Identities = new SimIdentities(Seed, setup.Roles);
        _verifier = SharedVerifier.Create();
        Trace = new TraceRecorder(Topology.NodeCount, setup.TraceText);
        // A readable trace is written in processing order: one lane.
        Plan = setup.TraceText is null ? LanePlan.For(Network, setup.Roles, setup.Lanes) : LanePlan.Single(Topology.NodeCount);
        _lanes = new Lane[Plan.Lanes];
        for (int l = 0; l < _lanes.Length; l++)
            _lanes[l] = new Lane(this, l, _lanes.Length == 1 ? Clock : new VirtualClock(), l == 0 ? Network.DefaultLane : Network.NewLane(), Plan.LookaheadTicks);
        Nodes = new SimNode[Topology.NodeCount];
        _gatewayHosts = new GatewayHost?[Topology.NodeCount];
        for (int i = 0; i < Nodes.Length; i++)
        {
            var lane = _lanes[Plan.LaneOf[i]];
            Nodes[i] = new SimNode(i, setup.Roles[i], Identities.KeyOf(i), Identities.Certificates[i], new VirtualTimeProvider(lane.Clock))
            {
                Lane = lane,
                NetworkRandom = new SeededRandom(SeedDerivation.Derive(Seed, SeedDerivation.Network, i)),
            };
            if (setup.Roles[i] == NodeRole.Gateway)
                _gatewayHosts[i] = new GatewayHost(i, SeedDerivation.Derive(Seed, SeedDerivation.Gateway, i));
        }
        var gatewayIndices = Enumerable.Range(0, Nodes.Length).Where(i => setup.Roles[i] == NodeRole.Gateway).ToArray();
        GatewayIndices = gatewayIndices;
        _memberSeeds = gatewayIndices.Select(i => Nodes[i].Address).ToImmutableArray();
        Metrics = new MetricsCollector(this);
        if (_lanes.Length > 1) _workers = new LaneWorkers(_lanes);
    }

    public SimulationSetup Setup { get; }
    public Topology Topology { get; }
    public NetworkModel Network { get; }
    public GossipOptions Options { get; }
    public ulong Seed { get; }
    public VirtualClock Clock { get; } = new();
    public SimIdentities Identities { get; }
    public SimNode[] Nodes { get; }
    public int[] GatewayIndices { get; }
    public MetricsCollector Metrics { get; }
    public TraceRecorder Trace { get; }
    /// <summary>How the nodes are split over threads.</summary>
    public LanePlan Plan { get; }
    /// <summary>Randomness for scenario decisions (which node crashes when), separate from the network's draws.</summary>
    public SeededRandom ScenarioRandom { get; }
    public long Now => Clock.NowTicks;
    public long EventsProcessed => _actionsRun + _lanes.Sum(l => l.EventsProcessed);
    /// <summary>Payload bytes the honest cores sent, by message type (the envelope's type byte; index 0: unparseable).</summary>
    public long[] BytesByMessageType
    {
        get
        {
            var total = new long[9];
            foreach (var lane in _lanes)
                for (int t = 0; t < total.Length; t++) total[t] += lane.BytesByMessageType[t];
            return total;
        }
    }
    public long StaleTimeouts => _lanes.Sum(l => l.StaleTimeouts);
    public long TimeoutsProcessed => _lanes.Sum(l => l.TimeoutsProcessed);
    /// <summary>The core asked for a timeout at or before now right after HandleTimeout: a core defect, worked around.</summary>
    public long TimeoutSpins => _lanes.Sum(l => l.TimeoutSpins);
    public long LastReachabilityChangeTicks { get; private set; }
    /// <summary>Wall time spent inside the cores' HandleDatagram/HandleTimeout/Start/Publish, summed over lanes.</summary>
    public double CoreWallSeconds => _lanes.Sum(l => l.CoreTimestampTicks) / (double)Stopwatch.Frequency;
    public double WallSeconds => _wall.Elapsed.TotalSeconds;
    /// <summary>Segments the lanes ran on their threads, how long the first lane waited for the others at their ends, and their total wall time.</summary>
    public (long Segments, double WaitSeconds, double InSegmentSeconds) LaneSync => _workers is null ? (0, 0, 0)
        : (_workers.Segments, _workers.WaitTicks / (double)Stopwatch.Frequency, _workers.InSegmentTicks / (double)Stopwatch.Frequency);
    /// <summary>Per lane: seconds its thread waited for another lane's promise inside segments.</summary>
    public double[] LaneBlockedSeconds => _lanes.Select(l => l.BlockedTicks / (double)Stopwatch.Frequency).ToArray();
    /// <summary>Wall seconds each lane spent processing its events.</summary>
    public double[] LaneBusySeconds => _lanes.Select(l => l.BusyTicks / (double)Stopwatch.Frequency).ToArray();

    /// <summary>Called with every datagram handed to a node (after it was processed): lets a scenario's eavesdropper capture. One lane only.</summary>
    public Action<int, int, byte[]>? DeliveryTap
    {
        get => _deliveryTap;
        set => _deliveryTap = RequireOneLane(value);
    }

    /// <summary>Called every ~2 s of wall time while running.</summary>
    public Action<Simulation>? Progress { get; set; }

    /// <summary>Called with every event a core emits (node index, event), after the metrics saw it: lets the traffic model replan like the daemon. One lane only.</summary>
    public Action<int, Evernet.Gossip.View.GossipEvent>? EventTap
    {
        get => _eventTap;
        set => _eventTap = RequireOneLane(value);
    }

    internal bool BuffersCoreEvents => _lanes.Length > 1;
    internal long NextActionTime => _actions.PeekTime;

    public GatewayHost? GatewayHostOf(int node) => _gatewayHosts[node];

    private T? RequireOneLane<T>(T? tap) where T : class =>
        tap is null || _lanes.Length == 1 ? tap : throw new InvalidOperationException("taps call scenario code from inside a node's input: run this scenario with one lane");

    // ---- scheduling -------------------------------------------------------------------------------------------------

    public void At(long ticks, Action action) =>
        _actions.Push(new SimEvent { Time = Math.Max(ticks, Now), Seq = ++_actionSeq, Kind = SimEventKind.Action, Data = action });

    public void After(TimeSpan delay, Action action) => At(Now + delay.Ticks, action);

    /// <summary>Runs <paramref name="action"/> every <paramref name="period"/> from <paramref name="firstTicks"/> while <paramref name="keepGoing"/> holds.</summary>
    public void Every(TimeSpan period, long firstTicks, Action action, Func<bool>? keepGoing = null)
    {
        void Tick()
        {
            if (keepGoing is not null && !keepGoing()) return;
            action();
            At(Now + period.Ticks, Tick);
        }
        At(firstTicks, Tick);
    }

    /// <summary>
    /// Runs every event up to <paramref name="endTicks"/>. Scenario actions run alone, before the nodes' events of the
    /// same moment; between actions the lanes run one segment each on their threads.
    /// </summary>
    public void RunUntil(long endTicks)
    {
        long nextProgressCheck = EventsProcessed + 4096;
        double lastProgress = _wall.Elapsed.TotalSeconds;
        while (true)
        {
            // Datagrams that crossed lanes at the end of the last segment, or that an action sent.
            if (_workers is not null)
                foreach (var lane in _lanes) lane.TakeInbox();
            long nextNodeEvent = long.MaxValue;
            foreach (var lane in _lanes) nextNodeEvent = Math.Min(nextNodeEvent, lane.Queue.PeekTime);
            long next = Math.Min(nextNodeEvent, _actions.PeekTime);
            if (next > endTicks || next == long.MaxValue) break;
            if (_actions.PeekTime == next)
            {
                SyncClocks(next);
                var action = _actions.Pop();
                ((Action)action.Data!)();
                _actionsRun++;
            }
            else
            {
                long segmentEnd = Math.Min(_actions.PeekTime, endTicks + 1);
                if (_workers is not null)
                {
                    _workers.RunSegment(segmentEnd, Now);
                    FlushCoreEvents();
                }
                else _lanes[0].RunWindow(segmentEnd);
            }
            if (EventsProcessed >= nextProgressCheck)
            {
                nextProgressCheck = EventsProcessed + 4096;
                if (Progress is not null && _wall.Elapsed.TotalSeconds - lastProgress >= 2)
                {
                    lastProgress = _wall.Elapsed.TotalSeconds;
                    Progress(this);
                }
            }
        }
        if (endTicks > Now) SyncClocks(endTicks);
    }

    /// <summary>Runs until <paramref name="condition"/> holds (checked every <paramref name="checkEvery"/>) or the deadline; true if it held.</summary>
    public bool RunUntil(long deadlineTicks, TimeSpan checkEvery, Func<bool> condition)
    {
        while (Now < deadlineTicks)
        {
            RunUntil(Math.Min(deadlineTicks, Now + checkEvery.Ticks));
            if (condition()) return true;
        }
        return condition();
    }

    /// <summary>All clocks to one moment (between segments: every lane is at or before it).</summary>
    private void SyncClocks(long ticks)
    {
        if (ticks > Clock.NowTicks) Clock.AdvanceTo(ticks);
        foreach (var lane in _lanes)
            if (lane.Clock != Clock && ticks > lane.Clock.NowTicks) lane.Clock.AdvanceTo(ticks);
    }

    /// <summary>The metrics see the lanes' core events in (time, node, order) order: the same for any number of lanes.</summary>
    private void FlushCoreEvents()
    {
        foreach (var lane in _lanes)
        {
            if (lane.CoreEvents.Count == 0) continue;
            _merged.AddRange(lane.CoreEvents);
            lane.ClearCoreEvents();
        }
        if (_merged.Count == 0) return;
        _merged.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Node != b.Node ? a.Node.CompareTo(b.Node) : a.Order.CompareTo(b.Order));
        foreach (var e in _merged) OnCoreEvent(e.Node, e.Event, e.FromAttacker);
        _merged.Clear();
    }

    internal void OnCoreEvent(int node, Evernet.Gossip.View.GossipEvent gossipEvent, bool fromAttacker)
    {
        Metrics.OnEvent(node, gossipEvent, fromAttacker);
        _eventTap?.Invoke(node, gossipEvent);
    }

    // ---- node lifecycle ---------------------------------------------------------------------------------------------

    public void StartNode(int index)
    {
        var n = Nodes[index];
        if (n.IsUp) return;
        var authorities = n.Role == NodeRole.Uncertified
            ? new[] { Identities.RogueAuthority.Id, Identities.Authority.Id }
            : new[] { Identities.Authority.Id };
        var seeds = n.IsGateway
            ? _memberSeeds.Where(s => s != n.Address).ToImmutableArray()
            : _memberSeeds;
        var setup = new GossipNodeSetup(n.Key, n.Certificate, new TrustStore(authorities), n.Versions, _verifier,
            ImmutableArray.Create(n.Address.Value), ImmutableArray<string>.Empty, seeds,
            Setup.WarmRestart ? n.WarmState : ImmutableArray<IGossipItem>.Empty) { Interner = _interner };
        var random = new SeededRandom(SeedDerivation.Derive(Seed, SeedDerivation.NodeRandom, (long)index * 4096 + n.Starts));
        n.Core = new GossipNode(setup, Options, n.Time, random);
        n.Starts++;
        n.HasLeft = false;
        n.UpSinceTicks = Now;
        Trace.Note(Now, index, "start");
        n.Lane.Guard(n, static c => c.Start());
        AfterSerialInput(n);
        var host = _gatewayHosts[index];
        if (host is not null) PublishSummary(index);
    }

    /// <summary>Abrupt stop: the core object is dropped; its version store (and, with warm restarts, its state) survive.</summary>
    public void CrashNode(int index)
    {
        var n = Nodes[index];
        if (n.Core is null) return;
        if (Setup.WarmRestart) n.WarmState = n.Core.ExportState().ToImmutableArray();
        Retire(n);
        Trace.Note(Now, index, "crash");
    }

    /// <summary>Graceful leave: the core announces it, the host stops it shortly after.</summary>
    public void LeaveNode(int index, TimeSpan stopAfter)
    {
        var n = Nodes[index];
        if (n.Core is null) return;
        n.HasLeft = true;
        Trace.Note(Now, index, "leave");
        n.Lane.Guard(n, static c => c.Leave());
        AfterSerialInput(n);
        int starts = n.Starts;
        After(stopAfter, () =>
        {
            if (n.Starts == starts && n.Core is not null) Retire(n);
        });
    }

    private void Retire(SimNode n)
    {
        var counters = n.Core!.Counters.Clone();
        if (n.RetiredCounters is null) n.RetiredCounters = counters;
        else CountersMath.Add(n.RetiredCounters, counters);
        n.Core = null;
        n.TimerGeneration++;
        n.ArmedAt = long.MaxValue;
        Metrics.OnNodeDown(n.Index);
    }

    /// <summary>Calls into a running node from a scenario (guarded), then drains what it produced.</summary>
    public void Call(int index, Action<GossipNode> call)
    {
        var n = Nodes[index];
        if (n.Core is null) return;
        n.Lane.Guard(n, call);
        AfterSerialInput(n);
    }

    /// <summary>Drains a node after an input from a serial phase (a scenario action), where no lane is running.</summary>
    private void AfterSerialInput(SimNode n)
    {
        n.Lane.AfterInput(n, afterTimeout: false);
        if (BuffersCoreEvents) FlushCoreEvents();
    }

    // ---- gateway hosts ------------------------------------------------------------------------------------------------

    /// <summary>The gateway's uplink monitor reports (periodic, or on a change). Returns the signing moment.</summary>
    public long PublishSummary(int gateway)
    {
        var n = Nodes[gateway];
        var host = _gatewayHosts[gateway] ?? throw new InvalidOperationException($"node {gateway} is no gateway");
        if (n.Core is null) return -1;
        var report = host.ReportSource is { } source ? source() : host.NextReport();
        if (report is null) return -1;
        host.Published++;
        Trace.Note(Now, gateway, report.Uplink == UplinkState.Up ? "publish up" : "publish " + report.Uplink);
        n.Lane.Guard(n, c => c.PublishGatewaySummary(report));
        Metrics.OnSummaryPublished(gateway);
        AfterSerialInput(n);
        return Now;
    }

    public long SetUplink(int gateway, UplinkState state)
    {
        var host = _gatewayHosts[gateway] ?? throw new InvalidOperationException($"node {gateway} is no gateway");
        host.Uplink = state;
        host.UplinkSinceTicks = Now;
        return PublishSummary(gateway);
    }

    /// <summary>Each gateway host publishes every <paramref name="interval"/> (first at once for those already up).</summary>
    public void StartPeriodicSummaries(TimeSpan interval)
    {
        foreach (var g in GatewayIndices)
        {
            int gateway = g;
            long offset = (long)(ScenarioRandom.NextDouble() * interval.Ticks);
            Every(interval, Now + offset, () => PublishSummary(gateway));
        }
    }

    // ---- network faults -----------------------------------------------------------------------------------------------

    public void SetLinkUp(int link, bool up)
    {
        if (Network.LinkAt(link).Up == up) return;
        Network.SetLinkUp(link, up);
        LastReachabilityChangeTicks = Now;
        Trace.Note(Now, -1, (up ? "link up " : "link down ") + link);
    }

    public void MarkReachabilityChanged() => LastReachabilityChangeTicks = Now;

    /// <summary>Sends a datagram from <paramref name="physicalFrom"/> that the receiver sees as coming from <paramref name="claimedFrom"/>.</summary>
    public void Inject(int physicalFrom, int to, int claimedFrom, byte[] payload, bool fromAttacker)
    {
        var sender = Nodes[physicalFrom];
        sender.BytesSent += payload.Length;
        sender.DatagramsSent++;
        sender.Lane.Send(sender, to, claimedFrom, payload, fromAttacker);
    }

    public void Dispose()
    {
        _workers?.Dispose();
        Trace.Dispose();
        Identities.Dispose();
    }
}
