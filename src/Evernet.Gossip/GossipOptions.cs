namespace Evernet.Gossip;

/// <summary>Protocol timing and fan-out. Defaults are tuned for a 100-node community mesh with lossy radio hops.</summary>
public sealed class GossipOptions
{
    /// <summary>SWIM protocol period: one round-robin probe per period.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a direct probe may take before indirect probes go out.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(400);
    /// <summary>k: members asked to probe indirectly.</summary>
    public int IndirectChecks { get; set; } = 3;
    /// <summary>
    /// Lifeguard: suspicion timeout min = SuspicionMultiplier * log10(N) * ProbeInterval. 6, memberlist's WAN value: a
    /// refutation may have to cross a long lossy radio path (at 5 % loss per hop over 20 simulated hours, 4 gave 2 false
    /// deaths, 6 none). Gateways are steered away from by the routing signal, not by a death verdict, so this does not
    /// slow failover.
    /// </summary>
    public double SuspicionMultiplier { get; set; } = 6;
    /// <summary>Lifeguard: suspicion timeout max = SuspicionMaxMultiplier * min.</summary>
    public double SuspicionMaxMultiplier { get; set; } = 6;
    /// <summary>λ: each update is retransmitted about λ·log(N+1) times.</summary>
    public double RetransmitMultiplier { get; set; } = 4;
    /// <summary>memberlist's gossip tick: while updates wait in the broadcast queue, push them to GossipFanout random members at this interval.</summary>
    public TimeSpan GossipInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    public int GossipFanout { get; set; } = 3;
    /// <summary>Urgent items (uplink state changes) are pushed at once to this many members by every node that learns them.</summary>
    public int UrgentFanout { get; set; } = 4;
    /// <summary>Anti-entropy: a digest exchange with one random member per interval.</summary>
    public TimeSpan PushPullInterval { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// After the first three exchanges, start push-pull with range hashes (PushPullSummary) instead of the whole digest.
    /// Off by default: at 1,000 nodes it cut gossip bytes by a third but the runs with it had false suspicions that the
    /// same runs without it did not, which is not understood yet (docs/performance.md).
    /// </summary>
    public bool PushPullSummaries { get; set; }
    /// <summary>Every node probes every gateway directly at this interval.</summary>
    public TimeSpan GatewayProbeInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Direct gateway probe timeout before indirect gateway probes go out.</summary>
    public TimeSpan GatewayProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(100);
    /// <summary>A gateway probe round (direct, then indirect) fails after this long without an ack.</summary>
    public TimeSpan GatewayRoundTimeout { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Consecutive failed gateway rounds before the gateway is unusable for this node. After a failed round the next starts at once.</summary>
    public int GatewayFailedRoundsToUnusable { get; set; } = 3;
    /// <summary>Members asked to relay an indirect gateway probe.</summary>
    public int GatewayIndirectChecks { get; set; } = 3;
    /// <summary>A dead or left member is kept as a tombstone this long, then reaped.</summary>
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Records stamped further than this in the future are rejected.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Lifeguard local health: the awareness score ranges 0..this; probe interval and timeout scale by (score+1).</summary>
    public int MaxAwareness { get; set; } = 8;
    /// <summary>The node record is re-signed with a fresh timestamp at this interval so peers can age it.</summary>
    public TimeSpan RecordRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Every problem, as "Key: why". Empty when valid. Explicit rather than attribute-driven: trimming/AOT-safe.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string why) { if (!ok) errors.Add($"{key}: {why}"); }
        Check(ProbeInterval > TimeSpan.Zero, nameof(ProbeInterval), "must be positive");
        Check(ProbeTimeout > TimeSpan.Zero && ProbeTimeout < ProbeInterval, nameof(ProbeTimeout), "must be positive and shorter than ProbeInterval");
        Check(IndirectChecks is >= 1 and <= 16, nameof(IndirectChecks), "must be 1..16");
        Check(SuspicionMultiplier is >= 1 and <= 100, nameof(SuspicionMultiplier), "must be 1..100");
        Check(SuspicionMaxMultiplier is >= 1 and <= 100, nameof(SuspicionMaxMultiplier), "must be 1..100");
        Check(RetransmitMultiplier is >= 1 and <= 100, nameof(RetransmitMultiplier), "must be 1..100");
        Check(UrgentFanout is >= 1 and <= 32, nameof(UrgentFanout), "must be 1..32");
        Check(GossipInterval > TimeSpan.Zero, nameof(GossipInterval), "must be positive");
        Check(GossipFanout is >= 1 and <= 16, nameof(GossipFanout), "must be 1..16");
        Check(PushPullInterval > TimeSpan.Zero, nameof(PushPullInterval), "must be positive");
        Check(GatewayProbeInterval > TimeSpan.Zero, nameof(GatewayProbeInterval), "must be positive");
        Check(GatewayProbeTimeout > TimeSpan.Zero && GatewayProbeTimeout < GatewayRoundTimeout, nameof(GatewayProbeTimeout), "must be positive and shorter than GatewayRoundTimeout");
        Check(GatewayFailedRoundsToUnusable is >= 1 and <= 20, nameof(GatewayFailedRoundsToUnusable), "must be 1..20");
        Check(GatewayIndirectChecks is >= 0 and <= 16, nameof(GatewayIndirectChecks), "must be 0..16");
        Check(TombstoneRetention > TimeSpan.Zero, nameof(TombstoneRetention), "must be positive");
        Check(MaxClockSkew > TimeSpan.Zero, nameof(MaxClockSkew), "must be positive");
        Check(MaxAwareness is >= 0 and <= 16, nameof(MaxAwareness), "must be 0..16");
        Check(RecordRefreshInterval > TimeSpan.Zero, nameof(RecordRefreshInterval), "must be positive");
        return errors;
    }

    /// <summary>Throws with every invalid key named.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid gossip options: " + string.Join("; ", errors));
    }
}
