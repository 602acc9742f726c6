namespace Evernet.Control.Dtos;

/// <summary>Answer to "status": this node, membership counts and every gateway as this node sees it.</summary>
public sealed record StatusData(
    NodeStatus Node,
    MembershipCounts Membership,
    IReadOnlyList<GatewayStatus> Gateways)
{
    /// <summary>How many gateways this node may send traffic through right now. Zero means degraded service (evernetctl exits 1).</summary>
    public int UsableGateways => Gateways.Count(g => g.Usable);
}

/// <summary>
/// This node. <see cref="Roles"/> holds "node" and/or "gateway". <see cref="NodeId"/> is the 64-hex-digit Ed25519 public key,
/// <see cref="Fingerprint"/> its first 16 hex digits. <see cref="AtUnixMs"/> is when the daemon took the snapshot:
/// every age in the answer is relative to it.
/// </summary>
public sealed record NodeStatus(
    string Name,
    IReadOnlyList<string> Roles,
    string NodeId,
    string Fingerprint,
    double UptimeSeconds,
    string Version,
    uint Incarnation,
    bool Draining,
    long AtUnixMs);

public sealed record MembershipCounts(int Alive, int Suspect, int Dead, int Left);

/// <summary>
/// One gateway as this node sees it. Fields that need a gateway summary are null until one arrived.
/// Uplink fields come from the gateway's own signed summary: <see cref="Uplink"/> is "up", "degraded" or "down",
/// <see cref="UplinkLossPercent"/>/<see cref="UplinkRttMs"/> average its internet probe targets.
/// Path fields are this node's own SWIM probes to the gateway.
/// <see cref="LoadPercent"/> is the busier direction's load over capacity.
/// <see cref="Weight"/> is this node's route weight for the gateway as the policy computed it, <see cref="SharePercent"/> its share of the total.
/// <see cref="TunnelState"/> is "up", "down", "missing", or null when the daemon has no tunnel to it.
/// <see cref="Reason"/> is "usable", "no-summary-yet", "unreachable", "uplink-down", "dead", "left" or "revoked".
/// </summary>
public sealed record GatewayStatus(
    string Name,
    string NodeId,
    string Fingerprint,
    string? Uplink,
    double? UplinkLossPercent,
    double? UplinkRttMs,
    double? PathLossPercent,
    double? PathRttMs,
    ulong? CapacityDownBps,
    ulong? CapacityUpBps,
    ulong? LoadDownBps,
    ulong? LoadUpBps,
    double? LoadPercent,
    uint? ActiveFlows,
    bool Draining,
    int Weight,
    double SharePercent,
    string? TunnelInterface,
    string? TunnelState,
    double? LastHandshakeAgeSeconds,
    ulong? SummaryVersion,
    double? SummaryAgeSeconds,
    IReadOnlyList<ProbeTargetStatus> Targets,
    bool Usable,
    string Reason,
    double UsabilitySinceSeconds);

/// <summary>One internet probe target of a gateway's uplink monitor, from its summary.</summary>
public sealed record ProbeTargetStatus(string Target, double LossPercent, double RttMs, double JitterMs);
