using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Evernet.Policy;
using Evernet.Sim.Engine;

namespace Evernet.Sim.Traffic;

/// <summary>
/// Households behind every member node open flows; each node's real <see cref="PolicyEngine"/> turns its gossip view
/// into weights, its resilient bucket table maps each new flow onto a gateway, the gateways share their capacity among
/// the flows they carry (a fluid model: equal shares, each flow capped), and each gateway's real
/// <see cref="GatewayHealthPublisher"/> turns probe results and WAN counters into the signed summaries the nodes
/// balance on — the closed loop the policy was designed for, on the real gossip core.
///
/// The node side mirrors evernetd's loop: a replan about once a second, at once when the core reports a gateway's
/// usability changed, and soon (≥ 100 ms after the last) when a summary or member change arrives. The gateway side
/// mirrors its probe scheduler: every target probed every 200 ms through the (simulated) uplink, counters and flows
/// sampled every second, and the publisher polled after each. Cheap by design: one fluid step for all flows every
/// 100 ms, per-node bucket tables, aggregate rates per gateway.
/// </summary>
public sealed class TrafficModel
{
    private const ulong TrafficPurpose = 0x7472_6166_6669_6300UL;
    private readonly Simulation _sim;
    private readonly TrafficOptions _options;
    private readonly SeededRandom _random;
    private readonly SeededRandom _probeRandom;
    private readonly SeededRandom _pathRandom;
    private readonly TrafficGateway[] _gateways;
    private readonly Dictionary<string, int> _slotByName = new(StringComparer.Ordinal);
    private readonly TrafficNode?[] _nodes;
    private readonly List<TrafficNode> _members = [];
    private readonly double[] _demandCumulative;
    private readonly List<Flow> _flows = [];
    private readonly double _meanFlowBits;
    private readonly double[] _rate;
    private readonly int[] _weightScratch;
    private readonly long _stepTicks;

    // what is recorded
    private readonly List<double>[] _bitsPerSecond;
    private readonly List<double>[] _capacityPerSecond;
    private readonly List<double>[] _capacityUpPerSecond;
    private readonly List<double>[] _flowsPerSecond;
    private readonly List<double>[] _routedPerSecond;
    private readonly List<double>[] _weightSharePerSecond;
    private readonly List<double> _misplacedPerSecond = [];
    private readonly double[] _bitsThisSecond;
    private readonly List<(long Ticks, int Node, bool SetChanged, int SlotMask)> _weightChanges = [];
    private readonly List<(double BucketsPct, double FlowsPct)> _rebalances = [];
    private readonly List<(long Ticks, int Node, int From, int To, bool FromAlive, bool FromInGroup)> _moves = [];
    private readonly List<(long Ticks, int Slot, bool Alive, int Flows)> _transitions = [];
    private readonly List<double> _stretch = [];
    private readonly SortedDictionary<string, long> _liveDrops = new(StringComparer.Ordinal);
    private long _currentSecond = -1;
    private long _deferredMigrations;
    private long _started, _completed, _noRoute;
    private long _policyUpdates;
    private long _tunnelProbes;
    private long _policyStopwatchTicks;
    private double _arrivalsPerSecond;

    public TrafficModel(Simulation sim, TrafficOptions options)
    {
        OptionErrors.ThrowIfAny("traffic options", options.Validate());
        _sim = sim;
        _options = options;
        _random = new SeededRandom(SeedDerivation.Derive(sim.Seed, TrafficPurpose, 0));
        _probeRandom = new SeededRandom(SeedDerivation.Derive(sim.Seed, TrafficPurpose, 1));
        _pathRandom = new SeededRandom(SeedDerivation.Derive(sim.Seed, TrafficPurpose, 2));
        int slots = sim.GatewayIndices.Length;
        if (slots == 0) throw new ArgumentException("the traffic model needs gateways");
        _gateways = new TrafficGateway[slots];
        for (int s = 0; s < slots; s++)
        {
            int node = sim.GatewayIndices[s];
            string name = sim.Nodes[node].Certificate.Name;
            _gateways[s] = new TrafficGateway(s, node, name, options.LinkOf(s), options);
            _slotByName[name] = s;
        }
        _nodes = new TrafficNode?[sim.Nodes.Length];
        var shares = new List<(int Node, double Share)>();
        foreach (var n in sim.Nodes)
            if (n.Role == NodeRole.Member) shares.Add((n.Index, Math.Exp(options.NodeDemandSigma * Normal(_random))));
        double total = shares.Sum(s => s.Share);
        _demandCumulative = new double[shares.Count];
        double running = 0;
        for (int i = 0; i < shares.Count; i++)
        {
            var node = new TrafficNode(shares[i].Node, slots, shares[i].Share / total);
            _nodes[node.Index] = node;
            _members.Add(node);
            running += node.DemandShare;
            _demandCumulative[i] = running;
        }
        _meanFlowBits = 8 * MeanFlowBytes(options);
        _rate = new double[slots];
        _weightScratch = new int[slots];
        _stepTicks = TimeSpan.FromMilliseconds(options.FluidStepMs).Ticks;
        _bitsPerSecond = NewSeries(slots);
        _capacityPerSecond = NewSeries(slots);
        _capacityUpPerSecond = NewSeries(slots);
        _flowsPerSecond = NewSeries(slots);
        _routedPerSecond = NewSeries(slots);
        _weightSharePerSecond = NewSeries(slots);
        _bitsThisSecond = new double[slots];
    }

    public TrafficOptions Options => _options;
    public int Slots => _gateways.Length;
    /// <summary>When the households began offering traffic (ticks); −1 before.</summary>
    public long TrafficStartTicks { get; private set; } = -1;
    public double OfferedBps { get; private set; }
    public string GatewayName(int slot) => _gateways[slot].Name;
    public int GatewayNode(int slot) => _gateways[slot].Node;
    public double CapacityDownBps(int slot) => _gateways[slot].CapacityDownBps;
    public int ActiveFlowsOn(int slot) => _gateways[slot].ActiveFlows;
    public int ActiveFlows => _flows.Count;
    /// <summary>The installed weight of <paramref name="slot"/> at member <paramref name="node"/> (0 if none or not a member).</summary>
    public int WeightAt(int node, int slot) => _nodes[node]?.Weights[slot] ?? 0;
    public IEnumerable<int> MemberNodes => _members.Select(m => m.Index);

    private static List<double>[] NewSeries(int slots) => Enumerable.Range(0, slots).Select(_ => new List<double>()).ToArray();

    // ---- installation ---------------------------------------------------------------------------------------------

    /// <summary>Before the nodes start: gateways publish through their real publishers, nodes plan like the daemon.</summary>
    public void Install()
    {
        foreach (var g in _gateways)
        {
            var gateway = g;
            var host = _sim.GatewayHostOf(g.Node) ?? throw new InvalidOperationException($"node {g.Node} has no gateway host");
            host.ReportSource = () => PollPublisher(gateway);
            var targets = _options.Uplink.Targets;
            long interval = TimeSpan.FromMilliseconds(_options.Uplink.ProbeIntervalMs).Ticks;
            for (int t = 0; t < targets.Count; t++)
            {
                string target = targets[t];
                long phase = (long)(interval * (t + _probeRandom.NextDouble()) / targets.Count);
                _sim.Every(TimeSpan.FromTicks(interval), phase, () => Probe(gateway, target));
            }
            long counterPhase = (long)(_probeRandom.NextDouble() * TimeSpan.TicksPerSecond);
            _sim.Every(TimeSpan.FromMilliseconds(_options.CounterSampleMs), counterPhase, () => SampleCounters(gateway));
        }
        foreach (var n in _members)
        {
            var node = n;
            Request(n, (long)(_random.NextDouble() * _options.PolicyIntervalMs * TimeSpan.TicksPerMillisecond));
            if (_options.TunnelProbeIntervalMs > 0)
            {
                var interval = TimeSpan.FromMilliseconds(_options.TunnelProbeIntervalMs);
                _sim.Every(interval, (long)(_random.NextDouble() * interval.Ticks), () => ProbeTunnels(node));
            }
        }
        _sim.EventTap = OnCoreEvent;
    }

    /// <summary>Households start opening flows at <paramref name="atTicks"/>; the fluid model runs from then on.</summary>
    public void StartTraffic(long atTicks)
    {
        _sim.At(atTicks, () =>
        {
            TrafficStartTicks = _sim.Now;
            OfferedBps = _options.OfferedLoad * _gateways.Sum(g => g.CapacityDownBps);
            _arrivalsPerSecond = OfferedBps / _meanFlowBits;
            _sim.Every(TimeSpan.FromTicks(_stepTicks), _sim.Now, Step);
        });
    }

    /// <summary>The modem of <paramref name="slot"/> resynced at another rate.</summary>
    public void SetCapacity(int slot, double downMbps, double upMbps)
    {
        _gateways[slot].SetCapacity(downMbps * 1e6, upMbps * 1e6);
        _sim.Trace.Note(_sim.Now, _gateways[slot].Node, string.Create(CultureInfo.InvariantCulture, $"capacity {downMbps}/{upMbps} Mbit/s"));
    }

    // ---- the gateway side -----------------------------------------------------------------------------------------

    private bool IsAlive(TrafficGateway g)
    {
        var node = _sim.Nodes[g.Node];
        return node.IsUp && _sim.GatewayHostOf(g.Node)!.Uplink != UplinkState.Down;
    }

    private GatewayHealthReport? PollPublisher(TrafficGateway g)
    {
        var node = _sim.Nodes[g.Node];
        if (node.Core is null) return null;
        long now = node.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var publication = g.EnsurePublisher(node.Starts, now).Poll(now);
        if (publication is null) return null;
        g.Published(publication, _sim.Now);
        return publication.Report;
    }

    /// <summary>One probe through the uplink: answered after the internet RTT if the line works, a miss at the timeout if not.</summary>
    private void Probe(TrafficGateway g, string target)
    {
        var node = _sim.Nodes[g.Node];
        if (node.Core is null) return; // a stopped daemon probes nothing
        int starts = node.Starts;
        var uplink = _sim.GatewayHostOf(g.Node)!.Uplink;
        // The daemon's probe scheduler gives each probe 90 % of the interval.
        double timeoutMs = Math.Min(_options.Uplink.ProbeTimeoutMs, 0.9 * _options.Uplink.ProbeIntervalMs);
        if (uplink == UplinkState.Down)
        {
            _sim.After(TimeSpan.FromMilliseconds(timeoutMs), () => RecordProbe(g, starts, target, ProbeResult.Failed("timeout")));
            return;
        }
        double rtt = uplink == UplinkState.Degraded ? 4 * _options.Uplink.DegradedRttMs : _options.ProbeRttMs * (0.8 + 0.4 * _probeRandom.NextDouble());
        if (rtt >= timeoutMs)
        {
            _sim.After(TimeSpan.FromMilliseconds(timeoutMs), () => RecordProbe(g, starts, target, ProbeResult.Failed("timeout")));
            return;
        }
        var span = TimeSpan.FromMilliseconds(rtt);
        _sim.After(span, () => RecordProbe(g, starts, target, ProbeResult.Ok(span)));
    }

    private void RecordProbe(TrafficGateway g, int starts, string target, ProbeResult result)
    {
        var node = _sim.Nodes[g.Node];
        if (node.Core is null || node.Starts != starts) return;
        long now = node.Time.GetUtcNow().ToUnixTimeMilliseconds();
        g.EnsurePublisher(starts, now).RecordProbe(target, now, result);
        _sim.PublishSummary(g.Node);
    }

    /// <summary>The daemon's once-a-second sample: WAN byte counters, conntrack's flow count, attached members.</summary>
    private void SampleCounters(TrafficGateway g)
    {
        var node = _sim.Nodes[g.Node];
        if (node.Core is null) return;
        long now = node.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var publisher = g.EnsurePublisher(node.Starts, now);
        publisher.RecordCounters(new InterfaceCounterSample(now, (ulong)(g.RxBits / 8), (ulong)(g.TxBits / 8)));
        int alive = 0;
        foreach (var m in node.Core.Snapshot().Members)
            if (m.State == MemberState.Alive) alive++;
        publisher.RecordFlows((uint)g.ActiveFlows, (uint)Math.Max(0, alive - 1));
        _sim.PublishSummary(g.Node);
    }

    // ---- the node side --------------------------------------------------------------------------------------------

    private void OnCoreEvent(int node, GossipEvent e)
    {
        if (_nodes[node] is not { } n) return;
        switch (e)
        {
            case GatewayUsabilityChanged:
                Request(n, _sim.Now); // the daemon's fast path: steer away now
                break;
            case SummaryAccepted or MemberStateChanged or RevocationAccepted:
                Request(n, Math.Max(_sim.Now, n.LastPlanTicks + _options.MinReplanSpacingMs * TimeSpan.TicksPerMillisecond));
                break;
        }
    }

    private void Request(TrafficNode n, long at)
    {
        if (at >= n.PendingAt) return;
        n.PendingAt = at;
        int generation = ++n.PendingGeneration;
        _sim.At(at, () =>
        {
            if (generation != n.PendingGeneration) return;
            n.PendingAt = long.MaxValue;
            Plan(n);
        });
    }

    private void Plan(TrafficNode n)
    {
        var node = _sim.Nodes[n.Index];
        long next = _sim.Now + _options.PolicyIntervalMs * TimeSpan.TicksPerMillisecond;
        if (node.Core is null)
        {
            Request(n, next);
            return;
        }
        if (n.Engine is null || n.EngineStarts != node.Starts)
        {
            n.Engine = new PolicyEngine(_options.Policy, new LocalNode(node.Id, node.Certificate, [ClientPrefix(n.Index)]));
            n.EngineStarts = node.Starts;
        }
        long began = Stopwatch.GetTimestamp();
        var view = node.Core.Snapshot();
        var plan = n.Engine.Update(view, node.Time.GetUtcNow().ToUnixTimeMilliseconds());
        _policyStopwatchTicks += Stopwatch.GetTimestamp() - began;
        _policyUpdates++;
        n.LastPlanTicks = _sim.Now;
        Install(n, plan.Dataplane.DefaultRoute, plan.Weights);
        Request(n, next);
    }

    /// <summary>
    /// The daemon's tunnel prober: an echo to every planned tunnel's gateway address, over the simulated mesh (with its
    /// per-hop loss, latency and jitter, drawn from the model's own random stream), answered if the gateway runs;
    /// the reply or the loss (at the probe timeout, 80 % of the interval) goes to the node's path-quality tracker.
    /// A loss opens a retry train: while the tracker is in doubt about the path it is probed again every
    /// <see cref="PathQualityTracker.NextProbeDelayMs"/> (the retries overlap, each with the same timeout).
    /// </summary>
    private void ProbeTunnels(TrafficNode n)
    {
        var node = _sim.Nodes[n.Index];
        if (node.Core is null || n.Engine?.LastPlan is not { } plan) return;
        foreach (var tunnel in plan.Tunnels)
        {
            if (tunnel.GatewayAddresses is null || !_slotByName.TryGetValue(tunnel.GatewayName, out int slot)) continue;
            ProbeTunnel(n, node.Starts, tunnel.Gateway, slot);
        }
    }

    private void ProbeTunnel(TrafficNode n, int starts, Gossip.Identity.NodeId gateway, int slot)
    {
        long now = _sim.Now;
        long timeout = TimeSpan.FromMilliseconds(_options.TunnelProbeIntervalMs * 0.8).Ticks;
        long sentMs = _sim.Nodes[n.Index].Time.GetUtcNow().ToUnixTimeMilliseconds();
        int to = _gateways[slot].Node;
        long back = -1;
        if (_sim.Network.Transmit(n.Index, to, _options.TunnelProbeBytes, now, _pathRandom, out long there) == Network.DropReason.None
            && _sim.Nodes[to].IsUp
            && _sim.Network.Transmit(to, n.Index, _options.TunnelProbeBytes, there, _pathRandom, out long arrival) == Network.DropReason.None)
            back = arrival;
        _tunnelProbes++;
        if (back >= 0 && back - now < timeout)
        {
            double rttMs = (back - now) / (double)TimeSpan.TicksPerMillisecond;
            _sim.At(back, () => RecordPath(n, starts, gateway, slot, PathSample.Reply(rttMs), sentMs));
        }
        else _sim.At(now + timeout, () => RecordPath(n, starts, gateway, slot, PathSample.Lost, sentMs));
    }

    private void RecordPath(TrafficNode n, int starts, Gossip.Identity.NodeId gateway, int slot, PathSample sample, long sentMs)
    {
        var node = _sim.Nodes[n.Index];
        if (node.Core is null || node.Starts != starts || n.Engine is null) return;
        long nowMs = node.Time.GetUtcNow().ToUnixTimeMilliseconds();
        n.Engine.RecordPathSample(gateway, nowMs, sample, sentMs);
        if (!sample.Delivered && n.Engine.Paths.InDoubt(gateway, nowMs) && n.RetryTrains.Add(gateway))
            ScheduleRetry(n, starts, gateway, slot, nowMs);
    }

    private void ScheduleRetry(TrafficNode n, int starts, Gossip.Identity.NodeId gateway, int slot, long nowMs)
    {
        int delay = n.Engine!.Paths.NextProbeDelayMs(gateway, nowMs, _options.TunnelProbeIntervalMs);
        if (delay >= _options.TunnelProbeIntervalMs)
        {
            n.RetryTrains.Remove(gateway);
            return;
        }
        _sim.After(TimeSpan.FromMilliseconds(delay), () =>
        {
            var node = _sim.Nodes[n.Index];
            long at = node.Time.GetUtcNow().ToUnixTimeMilliseconds();
            if (node.Core is null || node.Starts != starts || n.Engine is null || !n.Engine.Paths.InDoubt(gateway, at))
            {
                n.RetryTrains.Remove(gateway);
                return;
            }
            ProbeTunnel(n, starts, gateway, slot);
            ScheduleRetry(n, starts, gateway, slot, at);
        });
    }

    private static string ClientPrefix(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"100.{64 + index / 256}.{index % 256}.0/24");

    /// <summary>What the dataplane would do with the plan's multipath route: set the resilient group's weights.</summary>
    private void Install(TrafficNode n, MultipathRouteSpec? route, WeightResult? why)
    {
        var weights = _weightScratch;
        Array.Clear(weights);
        if (route is not null)
        {
            foreach (var nh in route.Nexthops)
                if (_slotByName.TryGetValue(nh.GatewayName, out int slot)) weights[slot] = nh.Weight;
            if (n.Table is null || n.Table.Buckets != route.Buckets)
            {
                if (n.Table is not null) throw new InvalidOperationException("the plan changed the bucket count of a resilient group");
                n.Table = new ResilientBucketTable(route.Buckets, Slots, TimeSpan.FromSeconds(route.IdleTimerSeconds));
            }
        }
        if (n.Table is null) return;
        bool changed = false, setChanged = false;
        int mask = 0;
        for (int s = 0; s < weights.Length; s++)
        {
            if (weights[s] == n.Weights[s]) continue;
            changed = true;
            mask |= 1 << Math.Min(s, 30);
            if ((weights[s] > 0) != (n.Weights[s] > 0)) setChanged = true;
            if (weights[s] == 0 && TrafficStartTicks >= 0 && IsAlive(_gateways[s]))
            {
                string reason = why?.Gateways.FirstOrDefault(g => g.Name == _gateways[s].Name)?.Reason ?? "NoRoute";
                _liveDrops[reason] = _liveDrops.GetValueOrDefault(reason) + 1;
            }
        }
        long now = _sim.Now;
        int moved;
        if (changed)
        {
            moved = n.Table.SetWeights(weights, now);
            weights.CopyTo(n.Weights, 0);
            n.WeightChanges++;
            if (TrafficStartTicks >= 0) _weightChanges.Add((now, n.Index, setChanged, mask));
        }
        else
        {
            if (n.Table.Balanced) return;
            moved = n.Table.Upkeep(now);
            if (TrafficStartTicks >= 0) _deferredMigrations += moved;
        }
        int flowsBefore = n.Flows.Count;
        int flowsMoved = Reconcile(n);
        if (changed && !setChanged && TrafficStartTicks >= 0)
            _rebalances.Add((100.0 * moved / n.Table.Buckets, flowsBefore == 0 ? 0 : 100.0 * flowsMoved / flowsBefore));
    }

    /// <summary>
    /// Measures, not assumes: every active flow whose bucket now points elsewhere has changed gateway. Judged by whether
    /// its old gateway was physically alive at that moment (then the flow is broken for nothing) or not (moved by an outage).
    /// </summary>
    private int Reconcile(TrafficNode n)
    {
        var table = n.Table!;
        if (!table.HasRoute) return 0;
        int moved = 0;
        foreach (var f in n.Flows)
        {
            int now = table.GatewayOf(f.Bucket);
            if (now == f.Gateway || now < 0) continue;
            var from = _gateways[f.Gateway];
            _moves.Add((_sim.Now, n.Index, f.Gateway, now, IsAlive(from), n.Weights[f.Gateway] > 0));
            from.ActiveFlows--;
            _gateways[now].ActiveFlows++;
            f.Gateway = now;
            f.Moves++;
            moved++;
        }
        return moved;
    }

    // ---- the fluid model --------------------------------------------------------------------------------------------

    private void Step()
    {
        long now = _sim.Now;
        double dt = _stepTicks / (double)TimeSpan.TicksPerSecond;
        long second = (now - TrafficStartTicks) / TimeSpan.TicksPerSecond;
        if (second != _currentSecond)
        {
            if (_currentSecond >= 0) FlushSecond();
            _currentSecond = second;
        }
        foreach (var g in _gateways)
        {
            bool alive = IsAlive(g);
            if (alive == g.Alive) continue;
            g.Alive = alive;
            _transitions.Add((now, g.Slot, alive, g.ActiveFlows));
        }

        int arrivals = Poisson(_random, _arrivalsPerSecond * dt);
        for (int a = 0; a < arrivals; a++) Arrive(now);

        foreach (var g in _gateways)
        {
            int n = g.ActiveFlows;
            if (!g.Alive || n == 0)
            {
                _rate[g.Slot] = 0;
                continue;
            }
            double rate = Math.Min(_options.FlowCapMbps * 1e6, g.CapacityDownBps / n);
            if (_options.UploadRatio > 0) rate = Math.Min(rate, g.CapacityUpBps / (n * _options.UploadRatio));
            _rate[g.Slot] = rate;
        }
        for (int i = _flows.Count - 1; i >= 0; i--)
        {
            var f = _flows[i];
            double bits = _rate[f.Gateway] * dt;
            if (bits <= 0) continue;
            var g = _gateways[f.Gateway];
            if (bits >= f.RemainingBits)
            {
                Deliver(g, f.RemainingBits);
                Complete(f, now + _stepTicks);
            }
            else
            {
                f.RemainingBits -= bits;
                Deliver(g, bits);
            }
        }
    }

    private void Deliver(TrafficGateway g, double bits)
    {
        g.RxBits += bits;
        g.TxBits += bits * _options.UploadRatio;
        _bitsThisSecond[g.Slot] += bits;
    }

    private void Arrive(long now)
    {
        double u = _random.NextDouble();
        int i = Array.BinarySearch(_demandCumulative, u);
        if (i < 0) i = ~i;
        var n = _members[Math.Min(i, _members.Count - 1)];
        double bits = 8 * FlowBytes(_random, _options);
        int bucket = n.Table is null ? 0 : _random.Next(n.Table.Buckets);
        if (!_sim.Nodes[n.Index].IsUp || n.Table is not { HasRoute: true } table)
        {
            _noRoute++;
            return;
        }
        int gateway = table.GatewayOf(bucket);
        var flow = new Flow(n.Index, bucket, gateway, bits, now) { Position = _flows.Count };
        _flows.Add(flow);
        n.Flows.Add(flow);
        table.FlowStarted(bucket, now);
        _gateways[gateway].ActiveFlows++;
        _started++;
    }

    private void Complete(Flow f, long endTicks)
    {
        int last = _flows.Count - 1;
        var moved = _flows[last];
        _flows[f.Position] = moved;
        moved.Position = f.Position;
        _flows.RemoveAt(last);
        var n = _nodes[f.Node]!;
        n.Flows.Remove(f);
        n.Table!.FlowEnded(f.Bucket, _sim.Now);
        _gateways[f.Gateway].ActiveFlows--;
        _completed++;
        double ideal = f.StartBits / (_options.FlowCapMbps * 1e6);
        if (ideal >= 1) _stretch.Add((endTicks - f.StartTicks) / (double)TimeSpan.TicksPerSecond / ideal);
    }

    private void FlushSecond()
    {
        foreach (var g in _gateways)
        {
            _bitsPerSecond[g.Slot].Add(_bitsThisSecond[g.Slot]);
            _capacityPerSecond[g.Slot].Add(g.CapacityDownBps);
            _capacityUpPerSecond[g.Slot].Add(g.CapacityUpBps);
            _flowsPerSecond[g.Slot].Add(g.ActiveFlows);
            _bitsThisSecond[g.Slot] = 0;
        }
        // Where new flows go right now: each node's demand spread over its buckets' gateways (noise-free: it is what the
        // tables say, not what the random flows did), and how much of it sits in buckets the weights want elsewhere.
        var routed = new double[Slots];
        var weighted = new double[Slots];
        double demand = 0, misplaced = 0;
        foreach (var n in _members)
        {
            if (n.Table is not { HasRoute: true } table || !_sim.Nodes[n.Index].IsUp) continue;
            demand += n.DemandShare;
            double weightTotal = 0;
            foreach (int w in n.Weights) weightTotal += w;
            for (int s = 0; s < Slots && weightTotal > 0; s++) weighted[s] += n.DemandShare * n.Weights[s] / weightTotal;
            int surplus = 0;
            for (int s = 0; s < Slots; s++)
            {
                routed[s] += n.DemandShare * table.CountOf(s) / table.Buckets;
                surplus += Math.Max(0, table.CountOf(s) - table.WantsOf(s));
            }
            misplaced += n.DemandShare * surplus / table.Buckets;
        }
        for (int s = 0; s < Slots; s++)
        {
            _routedPerSecond[s].Add(demand > 0 ? routed[s] / demand : 0);
            _weightSharePerSecond[s].Add(demand > 0 ? weighted[s] / demand : 0);
        }
        _misplacedPerSecond.Add(demand > 0 ? misplaced / demand : 0);
    }

    // ---- random draws -----------------------------------------------------------------------------------------------

    private static double Normal(SeededRandom random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static int Poisson(SeededRandom random, double mean)
    {
        int k = 0;
        while (mean > 20)
        {
            k += Poisson(random, 20);
            mean -= 20;
        }
        double limit = Math.Exp(-mean), product = random.NextDouble();
        while (product > limit)
        {
            k++;
            product *= random.NextDouble();
        }
        return k;
    }

    internal static double FlowBytes(SeededRandom random, TrafficOptions o) => o.SizeModel == "lognormal"
        ? Math.Min(o.MaxFlowBytes, o.MedianFlowBytes * Math.Exp(o.LogNormalSigma * Normal(random)))
        : BoundedPareto(random, o.ParetoShape, o.MinFlowBytes, o.MaxFlowBytes);

    /// <summary>The mean of <see cref="FlowBytes"/> (the log-normal's truncation at the maximum is integrated numerically).</summary>
    internal static double MeanFlowBytes(TrafficOptions o)
    {
        if (o.SizeModel != "lognormal") return BoundedParetoMean(o.ParetoShape, o.MinFlowBytes, o.MaxFlowBytes);
        // E[min(X, H)] over the standard normal z in [-8, 8]: fine enough for a rate.
        double sum = 0, step = 1e-3;
        for (double z = -8; z < 8; z += step)
            sum += Math.Min(o.MaxFlowBytes, o.MedianFlowBytes * Math.Exp(o.LogNormalSigma * z)) * Math.Exp(-z * z / 2) * step;
        return sum / Math.Sqrt(2 * Math.PI);
    }

    /// <summary>Inverse CDF of the Pareto distribution truncated to [low, high].</summary>
    internal static double BoundedPareto(SeededRandom random, double shape, double low, double high)
    {
        double u = random.NextDouble();
        double ratio = Math.Pow(low / high, shape);
        return low * Math.Pow(1 - u * (1 - ratio), -1 / shape);
    }

    internal static double BoundedParetoMean(double shape, double low, double high)
    {
        double ratio = Math.Pow(low / high, shape);
        return shape * Math.Pow(low, shape) / ((shape - 1) * (1 - ratio)) * (Math.Pow(low, 1 - shape) - Math.Pow(high, 1 - shape));
    }

    // ---- results --------------------------------------------------------------------------------------------------

    /// <summary>Everything measured, judged over the scenario's windows.</summary>
    public TrafficResult Finish(TrafficAnalysisPlan plan)
    {
        var series = new TrafficSeries(
            _bitsPerSecond.Select(l => l.ToArray()).ToArray(),
            _capacityPerSecond.Select(l => l.ToArray()).ToArray(),
            _capacityUpPerSecond.Select(l => l.ToArray()).ToArray(),
            _flowsPerSecond.Select(l => l.ToArray()).ToArray(),
            _routedPerSecond.Select(l => l.ToArray()).ToArray(),
            _weightSharePerSecond.Select(l => l.ToArray()).ToArray(),
            [.. _misplacedPerSecond],
            _options.UploadRatio);
        return TrafficAnalysis.Analyse(this, series, plan, new TrafficLog(
            _weightChanges.Select(w => new WeightChangeRecord(Seconds(w.Ticks), w.Node, w.SetChanged, w.SlotMask)).ToList(),
            _rebalances, _moves.Select(m => new FlowMoveRecord(Seconds(m.Ticks), m.Node, m.From, m.To, m.FromAlive, m.FromInGroup)).ToList(),
            _transitions.Select(t => new AliveTransition(Seconds(t.Ticks), t.Slot, t.Alive, t.Flows)).ToList(),
            _stretch, _liveDrops, _tunnelProbes, _deferredMigrations, _started, _completed, _noRoute, _flows.Count, _policyUpdates,
            _policyStopwatchTicks / (double)Stopwatch.Frequency, _members.Count,
            _gateways.Select(g => (g.Publications, g.UrgentPublications, g.UrgentLog.Select(u => (Seconds(u.Ticks), u.Uplink)).ToList())).ToList()));
    }

    private double Seconds(long ticks) => (ticks - TrafficStartTicks) / (double)TimeSpan.TicksPerSecond;
}
