using System.Diagnostics;
using System.Runtime.CompilerServices;
using Evernet.Gossip;
using Evernet.Gossip.View;
using Evernet.Sim.Network;
using Evernet.Sim.Time;

namespace Evernet.Sim.Engine;

/// <summary>
/// One share of the nodes (<see cref="LanePlan"/>) with its own event queue and clock. A lane processes its nodes'
/// deliveries and timeouts in time order and touches nothing another lane writes: datagrams for another lane go to that
/// lane's <see cref="LaneInbox"/>, core events for the metrics are buffered when lanes run on several threads. Lanes run
/// ahead of each other conservatively (<see cref="RunSegment"/>): each publishes a promise (no datagram it sends from now
/// on arrives before it) and processes only events before every other lane's promise. With one lane the engine behaves
/// as a plain sequential simulator.
/// </summary>
internal sealed class Lane
{
    private const long SpinStepTicks = TimeSpan.TicksPerMillisecond;
    private readonly Simulation _sim;
    private readonly LaneInbox _inbox = new();
    private readonly long _lookaheadTicks;
    private readonly PaddedTicks _promise = new();
    private readonly List<BufferedCoreEvent> _coreEvents = [];
    private bool _inputFromAttacker;

    public Lane(Simulation sim, int index, VirtualClock clock, NetworkLane network, long lookaheadTicks)
    {
        _sim = sim;
        Index = index;
        Clock = clock;
        Network = network;
        _lookaheadTicks = lookaheadTicks;
    }

    public int Index { get; }
    public VirtualClock Clock { get; }
    public NetworkLane Network { get; }
    public EventQueue Queue { get; } = new();
    public long Now => Clock.NowTicks;
    public long EventsProcessed { get; private set; }
    public long StaleTimeouts { get; private set; }
    /// <summary>Timer events that woke a node (the rest of <see cref="EventsProcessed"/> are deliveries).</summary>
    public long TimeoutsProcessed { get; private set; }
    public long TimeoutSpins { get; private set; }
    public long CoreTimestampTicks { get; private set; }
    public long[] BytesByMessageType { get; } = new long[9];
    public IReadOnlyList<BufferedCoreEvent> CoreEvents => _coreEvents;
    public void ClearCoreEvents() => _coreEvents.Clear();

    /// <summary>No datagram this lane sends from now on arrives before this time (read by the other lanes' threads).</summary>
    public long Promise => Volatile.Read(ref _promise.Ticks);

    /// <summary>
    /// Between segments only: the promise this lane can keep whatever the serial phase scheduled, given that no event
    /// is earlier than <paramref name="now"/>.
    /// </summary>
    public void ResetPromise(long now) => Volatile.Write(ref _promise.Ticks, PromiseAfter(now));

    /// <summary>Between segments only: takes in the datagrams other lanes (or scenario actions) sent to this lane.</summary>
    public void TakeInbox() => _inbox.DrainInto(Queue, Now, Index, _sim.Seed);

    /// <summary>Stopwatch ticks this lane's thread waited for another lane's promise.</summary>
    public long BlockedTicks { get; private set; }

    /// <summary>
    /// Processes every event of this lane before <paramref name="segmentEnd"/> while the other lanes do the same on their
    /// threads (Chandy–Misra–Bryant with lookahead, without null messages: the promises are shared memory). An event is
    /// processed only when it is earlier than every other lane's promise; after each event the lane raises its own
    /// promise to min(next event, the others' promises) + lookahead, the earliest it could send to them. Events are
    /// processed in exactly the order a single lane would (ties need the strict bound), so the trace does not depend on
    /// the number of lanes or on the threads' timing. Returns early if <paramref name="stop"/> is set (another lane failed).
    /// </summary>
    public void RunSegment(long segmentEnd, Lane[] lanes, StrongBox<bool> stop)
    {
        long began = Stopwatch.GetTimestamp();
        long bound = OthersPromise(lanes);
        TakeInbox();
        var spin = new SpinWait();
        long blockedSince = 0;
        while (true)
        {
            long head = Queue.PeekTime;
            if (head < bound && head < segmentEnd)
            {
                if (blockedSince != 0)
                {
                    BlockedTicks += Stopwatch.GetTimestamp() - blockedSince;
                    blockedSince = 0;
                    spin.Reset();
                }
                ProcessNext();
                Publish(Math.Min(Queue.PeekTime, bound));
                continue;
            }
            Publish(Math.Min(head, bound));
            if (head >= segmentEnd && bound >= segmentEnd) break;
            long raised = OthersPromise(lanes);
            TakeInbox();
            if (raised == bound && Queue.PeekTime == head)
            {
                if (Volatile.Read(ref stop.Value)) break;
                if (blockedSince == 0) blockedSince = Stopwatch.GetTimestamp();
                spin.SpinOnce(sleep1Threshold: -1);
            }
            bound = raised;
        }
        if (blockedSince != 0) BlockedTicks += Stopwatch.GetTimestamp() - blockedSince;
        BusyTicks += Stopwatch.GetTimestamp() - began;
    }

    private long OthersPromise(Lane[] lanes)
    {
        long bound = long.MaxValue;
        foreach (var other in lanes)
            if (other != this) bound = Math.Min(bound, other.Promise);
        return bound;
    }

    private void Publish(long earliestEvent)
    {
        long promise = PromiseAfter(earliestEvent);
        if (promise > _promise.Ticks) Volatile.Write(ref _promise.Ticks, promise);
    }

    private long PromiseAfter(long earliestEvent) =>
        earliestEvent >= long.MaxValue - _lookaheadTicks ? long.MaxValue : earliestEvent + _lookaheadTicks;

    /// <summary>Processes every event before <paramref name="windowEnd"/> (and before the next scenario action).</summary>
    public void RunWindow(long windowEnd)
    {
        long began = Stopwatch.GetTimestamp();
        RunEvents(windowEnd);
        BusyTicks += Stopwatch.GetTimestamp() - began;
    }

    /// <summary>Stopwatch ticks spent processing windows or segments, waits included (the lanes' balance).</summary>
    public long BusyTicks { get; private set; }

    private void RunEvents(long windowEnd)
    {
        while (Queue.Count > 0)
        {
            long next = Queue.PeekTime;
            if (next >= windowEnd || next >= _sim.NextActionTime) break;
            ProcessNext();
        }
    }

    private void ProcessNext()
    {
        var e = Queue.Pop();
        Clock.AdvanceTo(e.Time);
        if (e.Kind == SimEventKind.Deliver) Deliver(ref e);
        else Timeout(ref e);
        EventsProcessed++;
    }

    public void Push(in SimEvent e)
    {
        var lane = _sim.Nodes[e.Node].Lane;
        if (lane == this) Queue.Push(e);
        else lane._inbox.Add(e);
    }

    private void Deliver(ref SimEvent e)
    {
        var n = _sim.Nodes[e.Node];
        if (n.Core is null)
        {
            Network.CountDrop(DropReason.NodeDown);
            return;
        }
        if (HeldBackBySlowCpu(n, ref e)) return;
        var payload = (byte[])e.Data!;
        _sim.Trace.Datagram(Now, e.From, e.Node, payload, e.FromAttacker);
        _inputFromAttacker = e.FromAttacker;
        var from = _sim.Nodes[e.From].Address;
        long began = Stopwatch.GetTimestamp();
        try
        {
            n.Core.HandleDatagram(from, payload);
            CoreTimestampTicks += Stopwatch.GetTimestamp() - began;
        }
        catch (Exception ex)
        {
            throw new SimulationException($"seed {_sim.Seed}: node {n.Index} threw on a datagram from {e.From} at t={Now / (double)TimeSpan.TicksPerSecond:0.000}s", ex);
        }
        AfterInput(n, afterTimeout: false);
        _inputFromAttacker = false;
        _sim.DeliveryTap?.Invoke(e.Node, e.From, payload);
    }

    private void Timeout(ref SimEvent e)
    {
        var n = _sim.Nodes[e.Node];
        if (n.Core is null || e.Generation != n.TimerGeneration)
        {
            StaleTimeouts++;
            return;
        }
        if (HeldBackBySlowCpu(n, ref e)) return;
        n.ArmedAt = long.MaxValue;
        TimeoutsProcessed++;
        _sim.Trace.Timeout(Now, n.Index);
        Guard(n, static c => c.HandleTimeout());
        AfterInput(n, afterTimeout: true);
    }

    /// <summary>A node with a slow CPU sees each input once, <see cref="SimNode.InputDelayTicks"/> late.</summary>
    private bool HeldBackBySlowCpu(SimNode n, ref SimEvent e)
    {
        if (n.InputDelayTicks <= 0 || e.Deferred) return false;
        e.Deferred = true;
        e.Time = Now + n.InputDelayTicks;
        Queue.Push(e);
        return true;
    }

    /// <summary>Drains what a node produced after an input: datagrams into the network, events to metrics and trace; re-arms its timer.</summary>
    public void AfterInput(SimNode n, bool afterTimeout)
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
            if (to < 0 || to >= _sim.Nodes.Length)
            {
                Network.CountDrop(DropReason.UnknownAddress);
                continue;
            }
            Send(n, to, n.Index, payload, n.Role == NodeRole.Uncertified);
        }
        while (core.TryPollEvent(out var gossipEvent))
        {
            if (gossipEvent is null) continue;
            _sim.Trace.CoreEvent(Now, n.Index, gossipEvent);
            if (_sim.BuffersCoreEvents) _coreEvents.Add(new BufferedCoreEvent(Now, n.Index, _coreEvents.Count, gossipEvent, _inputFromAttacker));
            else _sim.OnCoreEvent(n.Index, gossipEvent, _inputFromAttacker);
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
        Queue.Push(new SimEvent { Time = at, Seq = n.NextEventSeq(), Kind = SimEventKind.Timeout, Node = n.Index, Generation = n.TimerGeneration });
    }

    /// <summary>Sends from <paramref name="physical"/>, seen by the receiver as coming from <paramref name="claimedFrom"/>.</summary>
    public void Send(SimNode physical, int to, int claimedFrom, byte[] payload, bool fromAttacker)
    {
        var random = physical.NetworkRandom;
        if (_sim.Network.Transmit(Network, physical.Index, to, payload.Length, Now, random, out long arrival) != DropReason.None) return;
        Push(new SimEvent { Time = arrival, Seq = physical.NextEventSeq(), Kind = SimEventKind.Deliver, Node = to, From = claimedFrom, Data = payload, FromAttacker = fromAttacker });
        if (_sim.Network.TryDuplicate(Network, random, out long extra))
            Push(new SimEvent { Time = arrival + extra, Seq = physical.NextEventSeq(), Kind = SimEventKind.Deliver, Node = to, From = claimedFrom, Data = payload, FromAttacker = fromAttacker });
    }

    public void Guard(SimNode n, Action<GossipNode> call)
    {
        long began = Stopwatch.GetTimestamp();
        try
        {
            call(n.Core!);
            CoreTimestampTicks += Stopwatch.GetTimestamp() - began;
        }
        catch (Exception ex) when (ex is not SimulationException)
        {
            throw new SimulationException($"seed {_sim.Seed}: node {n.Index} threw at t={Now / (double)TimeSpan.TicksPerSecond:0.000}s", ex);
        }
    }
}

/// <summary>A core event held until the lanes meet, then handed to the metrics in (time, node, order) order.</summary>
internal readonly record struct BufferedCoreEvent(long Time, int Node, int Order, GossipEvent Event, bool FromAttacker);
