using System.Collections.Immutable;
using Evernet.Gossip.Identity;

namespace Evernet.Gossip.Records;

public enum UplinkState : byte
{
    Up = 0,
    Degraded = 1,
    Down = 2,
}

/// <summary>What a gateway's uplink monitor saw of one internet probe target over its window.</summary>
public sealed record ProbeTargetStats(string Target, ushort LossPermille, uint RttMicros, uint JitterMicros);

/// <summary>
/// A gateway's signed statement of its uplink health and load. Rates are bits per second.
/// <see cref="Draining"/>: the gateway asks every node to move new flows elsewhere (admin action).
/// </summary>
public sealed record GatewaySummary(
    NodeId Origin,
    ulong Version,
    long TimestampUnixMs,
    UplinkState Uplink,
    ImmutableArray<ProbeTargetStats> Targets,
    ulong CapacityDownBps,
    ulong CapacityUpBps,
    ulong LoadDownBps,
    ulong LoadUpBps,
    uint ActiveFlows,
    uint AttachedClients,
    bool Draining,
    ReadOnlyMemory<byte> Signature) : IGossipItem
{
    public GossipItemKind Kind => GossipItemKind.GatewaySummary;
}

/// <summary>The unsigned content a gateway host hands to the core; the core stamps version and time and signs.</summary>
public sealed record GatewayHealthReport(
    UplinkState Uplink,
    ImmutableArray<ProbeTargetStats> Targets,
    ulong CapacityDownBps,
    ulong CapacityUpBps,
    ulong LoadDownBps,
    ulong LoadUpBps,
    uint ActiveFlows,
    uint AttachedClients,
    bool Draining);
