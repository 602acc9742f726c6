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
/// trace), then re-arms the node's timer from NextTimeout. Single-threaded and deterministic: same setup, same trace.
/// </summary>
public sealed class Simulation : IDisposable
{
    private const long SpinStepTicks = TimeSpan.TicksPerMillisecond;
    private readonly EventQueue _queue = new();
    private readonly SeededRandom _networkRandom;
    private readonly ISignatureVerifier _verifier;
    // One per simulation: a thousand nodes hold the same records, decoded once instead of once per node.
    private readonly ItemInterner _interner = new();
    private readonly ImmutableArray<PeerAddress> _memberSeeds;
    private readonly GatewayHost?[] _gatewayHosts;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private bool _inputFromAttacker;

    public Simulation(SimulationSetup setup)
    {
        Setup = setup;
        Topology = setup.Topology;
        Network = setup.Topology.Network;
        Options = setup.Options;
        Seed = setup.Seed;
        if (setup.Roles.Count != Topology.NodeCount) throw new ArgumentException("one role per node is needed");
        _networkRandom = new SeededRandom(SeedDerivation.Derive(Seed, SeedDerivation.Network));
        ScenarioRandom = new SeededRandom(SeedDerivation.Derive(Seed, SeedDerivation.Scenario));
        Identities = new SimIdentities(Seed, setup.Roles);
        _verifier = SharedVerifier.Create();
        Trace = new TraceRecorder(setup.TraceText);
        Nodes = new SimNode[Topology.NodeCount];
        _gatewayHosts = new GatewayHost?[Topology.NodeCount];
        for (int i = 0; i < Nodes.Length; i++)
        {
            Nodes[i] = new SimNode(i, setup.Roles[i], Identities.KeyOf(i), Identities.Certificates[i], new VirtualTimeProvider(Clock));
            if (setup.Roles[i] == NodeRole.Gateway)
                _gatewayHosts[i] = new GatewayHost(i, SeedDerivation.Derive(Seed, SeedDerivation.Gateway, i));
        }
        var gatewayIndices = Enumerable.Range(0, Nodes.Length).Where(i => setup.Roles[i] == NodeRole.Gateway).ToArray();
        GatewayIndices = gatewayIndices;
        _memberSeeds = gatewayIndices.Select(i => Nodes[i].Address).ToImmutableArray();
        Metrics = new MetricsCollector(this);
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
    /// <summary>Randomness for scenario decisions (which node crashes when), separate from the network's draws.</summary>
    public SeededRandom ScenarioRandom { get; }
    public long Now => Clock.NowTicks;
    public long EventsProcessed { get; private set; }
    /// <summary>Payload bytes the honest cores sent, by message type (the envelope's type byte; index 0: unparseable).</summary>
    public long[] BytesByMessageType { get; } = new long[8];
    public long StaleTimeouts { get; private set; }
    /// <summary>The core asked for a timeout at or before now right after HandleTimeout: a core defect, worked around.</summary>
    public long TimeoutSpins { get; private set; }
    public long LastReachabilityChangeTicks { get; private set; }
    /// <summary>Wall time spent inside the cores' HandleDatagram/HandleTimeout/Start/Publish (Stopwatch ticks).</summary>
    public long CoreTimestampTicks { get; private set; }
    public double CoreWallSeconds => CoreTimestampTicks / (double)Stopwatch.Frequency;
    public double WallSeconds => _wall.Elapsed.TotalSeconds;

    /// <summary>Called with every datagram handed to a node (after it was processed): lets a scenario's eavesdropper capture.</summary>
    public Action<int, int, byte[]>? DeliveryTap { get; set; }
    /// <summary>Called every ~2 s of wall time while running.</summary>
    public Action<Simulation>? Progress { get; set; }
    /// <summary>Called with every event a core emits (node index, event), after the metrics saw it: lets the traffic model replan like the daemon.</summary>
    public Action<int, Evernet.Gossip.View.GossipEvent>? EventTap { get; set; }

    public GatewayHost? GatewayHostOf(int node) => _gatewayHosts[node];

    // ---- scheduling -------------------------------------------------------------------------------------------------

    public void At(long ticks, Action action) =>
        _queue.Push(new SimEvent { Time = Math.Max(ticks, Now), Kind = SimEventKind.Action, Data = action });

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

    public void RunUntil(long endTicks)
    {
        long nextProgressCheck = EventsProcessed + 4096;
        double lastProgress = _wall.Elapsed.TotalSeconds;
        while (_queue.Count > 0 && _queue.PeekTime <= endTicks)
        {
            var e = _queue.Pop();
            Clock.AdvanceTo(e.Time);
            Dispatch(ref e);
            if (++EventsProcessed >= nextProgressCheck)
            {
                nextProgressCheck = EventsProcessed + 4096;
                if (Progress is not null && _wall.Elapsed.TotalSeconds - lastProgress >= 2)
                {
                    lastProgress = _wall.Elapsed.TotalSeconds;
                    Progress(this);
                }
            }
        }
        if (endTicks > Now) Clock.AdvanceTo(endTicks);
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
        Guard(n, static c => c.Start());
        AfterInput(n, afterTimeout: false);
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
        Guard(n, static c => c.Leave());
        AfterInput(n, afterTimeout: false);
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
        Guard(n, call);
        AfterInput(n, afterTimeout: false);
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
        Guard(n, c => c.PublishGatewaySummary(report));
        Metrics.OnSummaryPublished(gateway);
        AfterInput(n, afterTimeout: false);
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
        Nodes[physicalFrom].BytesSent += payload.Length;
        Nodes[physicalFrom].DatagramsSent++;
        Send(physicalFrom, to, claimedFrom, payload, fromAttacker);
    }

    // ---- the loop -----------------------------------------------------------------------------------------------------

    private void Dispatch(ref SimEvent e)
    {
        switch (e.Kind)
        {
            case SimEventKind.Deliver:
                Deliver(ref e);
                break;
            case SimEventKind.Timeout:
                Timeout(ref e);
                break;
            case SimEventKind.Action:
                ((Action)e.Data!)();
                break;
        }
    }

    private void Deliver(ref SimEvent e)
    {
        var n = Nodes[e.Node];
        if (n.Core is null)
        {
            Network.CountDrop(DropReason.NodeDown);
            return;
        }
        if (n.InputDelayTicks > 0 && !e.Deferred)
        {
            e.Deferred = true;
            e.Time = Now + n.InputDelayTicks;
            _queue.Push(e);
            return;
        }
        var payload = (byte[])e.Data!;
        Trace.Datagram(Now, e.From, e.Node, payload, e.FromAttacker);
        _inputFromAttacker = e.FromAttacker;
        var from = Nodes[e.From].Address;
        long began = Stopwatch.GetTimestamp();
        try
        {
            n.Core.HandleDatagram(from, payload);
            CoreTimestampTicks += Stopwatch.GetTimestamp() - began;
        }
        catch (Exception ex)
        {
            throw new SimulationException($"seed {Seed}: node {n.Index} threw on a datagram from {e.From} at t={Now / (double)TimeSpan.TicksPerSecond:0.000}s", ex);
        }
        AfterInput(n, afterTimeout: false);
        _inputFromAttacker = false;
        DeliveryTap?.Invoke(e.Node, e.From, payload);
    }

    private void Timeout(ref SimEvent e)
    {
        var n = Nodes[e.Node];
        if (n.Core is null || e.Generation != n.TimerGeneration)
        {
            StaleTimeouts++;
            return;
        }
        if (n.InputDelayTicks > 0 && !e.Deferred)
        {
            e.Deferred = true;
            e.Time = Now + n.InputDelayTicks;
            _queue.Push(e);
            return;
        }
        n.ArmedAt = long.MaxValue;
        Trace.Timeout(Now, n.Index);
        Guard(n, static c => c.HandleTimeout());
        AfterInput(n, afterTimeout: true);
    }

    private void AfterInput(SimNode n, bool afterTimeout)
    {
        var core = n.Core;
        if (core is null) return;
        while (core.TryPollTransmit(out var transmit))
        {
            var payload = transmit.Payload;
            n.BytesSent += payload.Length;
            BytesByMessageType[payload.Length > 3 && payload[3] < BytesByMessageType.Length ? payload[3] : 0] += payload.Length;
            n.DatagramsSent++;
            int to = SimNode.ParseAddress(transmit.Destination.Value);
            if (to < 0 || to >= Nodes.Length)
            {
                Network.CountDrop(DropReason.UnknownAddress);
                continue;
            }
            Send(n.Index, to, n.Index, payload, n.Role == NodeRole.Uncertified);
        }
        while (core.TryPollEvent(out var gossipEvent))
        {
            if (gossipEvent is null) continue;
            Trace.CoreEvent(Now, n.Index, gossipEvent);
            Metrics.OnEvent(n.Index, gossipEvent, _inputFromAttacker);
            EventTap?.Invoke(n.Index, gossipEvent);
        }
        Arm(n, afterTimeout);
    }

    private void Arm(SimNode n, bool afterTimeout)
    {
        var next = n.Core!.NextTimeout;
        if (next is null)
        {
            if (n.ArmedAt != long.MaxValue)
            {
                n.TimerGeneration++;
                n.ArmedAt = long.MaxValue;
            }
            return;
        }
        // The node's clock may be skewed: its deadline is in its own time.
        long at = VirtualClock.ToTicks(next.Value) - n.Time.SkewTicks;
        if (at <= Now)
        {
            if (afterTimeout)
            {
                TimeoutSpins++;
                at = Now + SpinStepTicks;
            }
            else at = Now;
        }
        if (at == n.ArmedAt) return;
        n.TimerGeneration++;
        n.ArmedAt = at;
        _queue.Push(new SimEvent { Time = at, Kind = SimEventKind.Timeout, Node = n.Index, Generation = n.TimerGeneration });
    }

    private void Send(int physicalFrom, int to, int claimedFrom, byte[] payload, bool fromAttacker)
    {
        if (Network.Transmit(physicalFrom, to, payload.Length, Now, _networkRandom, out long arrival) != DropReason.None) return;
        _queue.Push(new SimEvent { Time = arrival, Kind = SimEventKind.Deliver, Node = to, From = claimedFrom, Data = payload, FromAttacker = fromAttacker });
        if (Network.TryDuplicate(_networkRandom, out long extra))
            _queue.Push(new SimEvent { Time = arrival + extra, Kind = SimEventKind.Deliver, Node = to, From = claimedFrom, Data = payload, FromAttacker = fromAttacker });
    }

    private void Guard(SimNode n, Action<GossipNode> call)
    {
        long began = Stopwatch.GetTimestamp();
        try
        {
            call(n.Core!);
            CoreTimestampTicks += Stopwatch.GetTimestamp() - began;
        }
        catch (Exception ex) when (ex is not SimulationException)
        {
            throw new SimulationException($"seed {Seed}: node {n.Index} threw at t={Now / (double)TimeSpan.TicksPerSecond:0.000}s", ex);
        }
    }

    public void Dispose()
    {
        Trace.Dispose();
        Identities.Dispose();
    }
}
