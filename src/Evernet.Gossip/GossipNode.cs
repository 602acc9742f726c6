using System.Collections.Immutable;
using Evernet.Gossip.Dissemination;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Membership;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;

namespace Evernet.Gossip;

/// <summary>
/// One member of the mesh, sans-IO: the host feeds it datagrams and timeouts, and polls datagrams to send and events.
/// Time comes from the injected <see cref="TimeProvider"/>, randomness from the injected <see cref="IRandomSource"/>.
/// Not thread-safe: one event loop owns it. The concepts live in partial files: probing (SWIM), gateway watch,
/// receive path, anti-entropy, sending.
/// </summary>
public sealed partial class GossipNode
{
    private const int VersionReservation = 1024;
    private const int MaxEventsQueued = 4096;

    private readonly GossipOptions _options;
    private readonly TimeProvider _time;
    private readonly IRandomSource _random;
    private readonly NodeKeyPair _key;
    private readonly TrustStore _trust;
    private readonly IVersionStore _versions;
    private readonly ISignatureVerifier _verifier;
    private readonly Wire.ItemInterner? _interner;
    private readonly ImmutableArray<PeerAddress> _seeds;
    private readonly List<PeerAddress> _candidates = new();

    private readonly MeshState _state = new();
    private readonly Dictionary<ulong, MemberRuntime> _runtime = new();
    private readonly Dictionary<NodeId, long> _reaped = new();
    private readonly ProbeRing _ring;
    private readonly BroadcastQueue _broadcasts = new();
    private readonly TimerQueue _timers = new();
    private readonly LocalHealth _health;
    private readonly Queue<Transmit> _transmits = new();
    private readonly Queue<GossipEvent> _events = new();
    private readonly GossipCounters _counters = new();

    private MembershipCertificate _certificate;
    private ImmutableArray<string> _addresses;
    private ImmutableArray<string> _clientPrefixes;
    private NodeRecord? _selfRecord;
    private GatewaySummary? _selfSummary;
    private uint _incarnation;
    private ulong _version;
    private ulong _versionCeiling;
    private bool _started;
    private bool _stopped;
    private long _startTicks;

    public GossipNode(GossipNodeSetup setup, GossipOptions options, TimeProvider time, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        if (setup.Certificate.Node != setup.Key.Id)
            throw new ArgumentException("the certificate is for another key", nameof(setup));
        _options = options;
        _time = time;
        _random = random;
        _key = setup.Key;
        _certificate = setup.Certificate;
        _trust = setup.Trust;
        _versions = setup.Versions;
        _verifier = setup.Verifier;
        _interner = setup.Interner;
        _addresses = setup.Addresses.IsDefault ? [] : setup.Addresses;
        _clientPrefixes = setup.ClientPrefixes.IsDefault ? [] : setup.ClientPrefixes;
        _seeds = setup.Seeds.IsDefault ? [] : setup.Seeds;
        _ring = new ProbeRing(random);
        _health = new LocalHealth(options.MaxAwareness);
        _versionCeiling = _versions.LoadCeiling();
        _version = _versionCeiling;
        if (!setup.WarmState.IsDefault) _warmState = setup.WarmState;
    }

    private readonly ImmutableArray<IGossipItem> _warmState = [];

    public NodeId Id => _key.Id;
    public GossipCounters Counters => _counters;
    public bool IsGateway => _certificate.IsGateway;
    public uint Incarnation => _incarnation;
    /// <summary>The highest record version this node has signed; never goes backwards, across restarts either.</summary>
    public ulong CurrentVersion => _version;

    private long NowTicks => _time.GetUtcNow().UtcTicks;
    private long NowUnixMs => _time.GetUtcNow().ToUnixTimeMilliseconds();
    private long NowUnixSeconds => _time.GetUtcNow().ToUnixTimeSeconds();
    private static long ToUnixMs(long ticks) => (ticks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMillisecond;

    /// <summary>Begins: signs the local record, contacts seeds, arms timers.</summary>
    public void Start()
    {
        if (_started) throw new InvalidOperationException("already started");
        _started = true;
        long now = NowTicks;
        _startTicks = now;
        _gossipTickArmed = true; // armed below, once its phase is drawn
        ResignSelf(broadcast: true);
        foreach (var item in _warmState) ApplyItem(item, fromShort: 0, out _, antiEntropy: true);
        ContactSeeds();
        _timers.Arm(now + Jitter(_options.ProbeInterval), TimerKind.SwimProbe);
        _timers.Arm(now + Jitter(TimeSpan.FromSeconds(1)), TimerKind.PushPull);
        _timers.Arm(now + _options.RecordRefreshInterval.Ticks, TimerKind.Refresh);
        _timers.Arm(now + TimeSpan.FromSeconds(10).Ticks, TimerKind.Reap);
        _timers.Arm(now + JoinRetryInterval.Ticks, TimerKind.JoinRetry);
        _gossipPhaseTicks = now + Jitter(_options.GossipInterval);
        _timers.Arm(_gossipPhaseTicks, TimerKind.GossipTick);
        _timers.Arm(now + ReconnectInterval.Ticks, TimerKind.Reconnect); // no jitter: a no-op until someone is dead
    }

    private static readonly TimeSpan JoinRetryInterval = TimeSpan.FromSeconds(2);

    /// <summary>A random point within the interval, so that nodes started together do not move in lockstep.</summary>
    private long Jitter(TimeSpan interval) => (long)(interval.Ticks * _random.NextDouble());

    /// <summary>
    /// Drops deadlines at the front of the timer queue whose handler would do nothing (the handlers' own guards decide): the indirect step of a probe
    /// round that was already answered (gateways are probed four times a second, and most rounds are answered, so
    /// without this the host woke a node for nothing about twelve times a second). Called after every input; what it
    /// drops stays obsolete (rounds and sequence numbers only grow), so firing them later could not have mattered.
    /// </summary>
    private void DropObsoleteTimers()
    {
        while (_timers.TryPeek(out var timer))
        {
            bool obsolete = timer.Kind switch
            {
                TimerKind.GatewayIndirect => !TryUnansweredGatewayRound(timer.Key, timer.Tag, out _),
                TimerKind.SwimIndirect => !TryUnansweredProbe((uint)timer.Key, out _),
                TimerKind.RelayTimeout => !_probes.TryGetValue((uint)timer.Key, out var relay) || relay.Kind != ProbeKind.Relay,
                _ => false,
            };
            if (!obsolete) return;
            _timers.DropFirst();
        }
    }

    public DateTimeOffset? NextTimeout =>
        _stopped || !_started || _timers.NextDeadline is not { } t ? null : new DateTimeOffset(t, TimeSpan.Zero);

    public void HandleTimeout()
    {
        if (!_started || _stopped) return;
        long now = NowTicks;
        while (_timers.TryTakeDue(now, out var timer))
        {
            switch (timer.Kind)
            {
                case TimerKind.SwimProbe: OnSwimProbeTimer(now); break;
                case TimerKind.SwimIndirect: OnSwimIndirectTimer((uint)timer.Key, now); break;
                case TimerKind.SwimRoundEnd: OnSwimRoundEnd((uint)timer.Key, now); break;
                case TimerKind.GatewayRoundStart: OnGatewayRoundStart(timer.Key, timer.Tag, now); break;
                case TimerKind.GatewayIndirect: OnGatewayIndirect(timer.Key, timer.Tag, now); break;
                case TimerKind.GatewayRoundEnd: OnGatewayRoundEnd(timer.Key, timer.Tag, now); break;
                case TimerKind.Suspicion: OnSuspicionTimer(timer.Key, timer.Tag, now); break;
                case TimerKind.PushPull: OnPushPullTimer(now); break;
                case TimerKind.RelayTimeout: OnRelayTimeout((uint)timer.Key); break;
                case TimerKind.Refresh: OnRefreshTimer(now); break;
                case TimerKind.Reap: OnReapTimer(now); break;
                case TimerKind.JoinRetry: OnJoinRetryTimer(now); break;
                case TimerKind.GossipTick: OnGossipTick(now); break;
                case TimerKind.Reconnect: OnReconnectTimer(now); break;
                case TimerKind.RangeRecheck: OnRangeRecheck((uint)timer.Key); break;
            }
        }
        DropObsoleteTimers();
    }

    public bool TryPollTransmit(out Transmit transmit) => _transmits.TryDequeue(out transmit);

    public bool TryPollEvent(out GossipEvent? gossipEvent) => _events.TryDequeue(out gossipEvent);

    private void Emit(GossipEvent e)
    {
        if (_events.Count < MaxEventsQueued) _events.Enqueue(e);
    }

    /// <summary>Gateway role: sign and disseminate a new summary. A change of uplink state (or drain) is pushed urgently.</summary>
    public void PublishGatewaySummary(GatewayHealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!IsGateway) throw new InvalidOperationException("this node's certificate has no gateway role");
        if (!_started) throw new InvalidOperationException("start the node first");
        if (report.Targets.Length > Wire.WireLimits.MaxProbeTargets)
            throw new ArgumentException($"at most {Wire.WireLimits.MaxProbeTargets} probe targets fit a summary", nameof(report));
        var previous = _selfSummary;
        var unsigned = new GatewaySummary(Id, NextVersion(), NowUnixMs, report.Uplink, report.Targets.IsDefault ? [] : report.Targets,
            report.CapacityDownBps, report.CapacityUpBps, report.LoadDownBps, report.LoadUpBps, report.ActiveFlows,
            report.AttachedClients, report.Draining, ReadOnlyMemory<byte>.Empty);
        var summary = Signing.SignGatewaySummary(unsigned, _key);
        _selfSummary = summary;
        _state.Apply(summary, out _);
        bool urgent = previous is null || previous.Uplink != summary.Uplink || previous.Draining != summary.Draining;
        Emit(new SummaryAccepted(NowUnixMs, Id, summary.Version, summary.Uplink, summary.TimestampUnixMs));
        UpdateUsability(Id.ShortId, NowTicks);
        if (urgent)
        {
            EnqueueBroadcast(summary);
            PushUrgent(summary, exceptShort: 0, originFanout: true);
        }
    }

    /// <summary>Change this node's addresses or client prefixes; re-signs and gossips the node record.</summary>
    public void UpdateLocalRecord(ImmutableArray<string> addresses, ImmutableArray<string> clientPrefixes)
    {
        _addresses = addresses.IsDefault ? [] : addresses;
        _clientPrefixes = clientPrefixes.IsDefault ? [] : clientPrefixes;
        if (_started) ResignSelf(broadcast: true);
    }

    /// <summary>Accept a new own certificate (renewal) without a restart.</summary>
    public void ReplaceCertificate(MembershipCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (certificate.Node != Id) throw new ArgumentException("the certificate is for another key", nameof(certificate));
        var result = _trust.Check(certificate, NowUnixSeconds, _verifier);
        if (result != AdmissionResult.Valid) throw new ArgumentException($"certificate refused: {result}", nameof(certificate));
        _certificate = certificate;
        if (_started) ResignSelf(broadcast: true);
    }

    /// <summary>Offer a revocation from the operator (evernetctl); verified, stored and gossiped like a received one.</summary>
    public bool SubmitRevocation(Revocation revocation)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        return ApplyItem(revocation, fromShort: 0, out _) == ItemResult.Accepted;
    }

    /// <summary>Add a discovered neighbour (mDNS) or seed as a candidate to contact; admission still needs its certificate.</summary>
    public void AddCandidate(PeerAddress address)
    {
        if (_candidates.Contains(address) || _candidates.Count >= 64) return;
        _candidates.Add(address);
        if (_started && !_stopped && !AnyAliveOther()) SendJoin(address);
    }

    /// <summary>Announce a graceful leave (signed), then stop probing.</summary>
    public void Leave()
    {
        if (!_started || _stopped) return;
        _incarnation++;
        var record = SignSelfRecord(left: true);
        _state.Apply(record, out _);
        EnqueueBroadcast(record);
        var targets = new List<ulong>();
        _ring.Sample(Math.Max(_options.UrgentFanout, 8), targets, 0);
        foreach (var m in targets) SendGossip(m, urgent: false, record);
        _stopped = true;
        _timers.Clear();
    }

    /// <summary>Everything worth persisting for a warm start (verified items: records, summaries, revocations).</summary>
    public IReadOnlyList<IGossipItem> ExportState()
    {
        var items = new List<IGossipItem>();
        foreach (var o in _state.Origins)
        {
            if (o.Id == Id) continue;
            items.Add(o.Record);
            if (o.Summary is not null) items.Add(o.Summary);
        }
        items.AddRange(_state.Revocations);
        return items;
    }

    private ulong NextVersion()
    {
        _version++;
        if (_version > _versionCeiling)
        {
            _versionCeiling = _version + VersionReservation;
            _versions.StoreCeiling(_versionCeiling);
        }
        return _version;
    }

    private NodeRecord SignSelfRecord(bool left)
    {
        var unsigned = new NodeRecord(Id, NextVersion(), NowUnixMs, _incarnation, left, _addresses, _clientPrefixes,
            _certificate, ReadOnlyMemory<byte>.Empty);
        return Signing.SignNodeRecord(unsigned, _key);
    }

    private void ResignSelf(bool broadcast)
    {
        var record = SignSelfRecord(left: false);
        _selfRecord = record;
        _state.Apply(record, out var origin);
        origin.Liveness = MergeRules.LivenessOf(record); // our own word about ourselves is final
        if (!_runtime.ContainsKey(Id.ShortId))
            _runtime[Id.ShortId] = new MemberRuntime { Address = _addresses.Length > 0 ? new PeerAddress(_addresses[0]) : default, StateSinceTicks = NowTicks, Usable = false };
        if (broadcast) EnqueueBroadcast(record);
    }

    private bool AnyAliveOther()
    {
        foreach (var o in _state.Origins)
            if (o.Id != Id && !o.Liveness.IsDown) return true;
        return false;
    }

    private int KnownMembers => Math.Max(1, _state.Count);
}
