using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;

namespace Evernet.Gossip.View;

public enum MemberState : byte
{
    Alive = 0,
    Suspect = 1,
    Dead = 2,
    Left = 3,
}

/// <summary>Why a gateway is (not) usable for this node's traffic right now.</summary>
public enum UsabilityReason : byte
{
    Usable = 0,
    NoSummaryYet,
    Unreachable,
    UplinkDown,
    Dead,
    Left,
    Revoked,
}

public sealed record MemberView(
    NodeId Id,
    string Name,
    NodeRoles Roles,
    MemberState State,
    uint Incarnation,
    long StateSinceUnixMs,
    NodeRecord Record);

public sealed record GatewayView(
    NodeId Id,
    string Name,
    ReadOnlyMemory<byte> WireGuardPublicKey,
    ImmutableArray<string> Addresses,
    GatewaySummary? Summary,
    long SummaryReceivedUnixMs,
    bool Usable,
    UsabilityReason Reason,
    long UsabilitySinceUnixMs,
    long LastAckUnixMs,
    double SmoothedRttMs,
    double ProbeLossRatio);

/// <summary>An immutable snapshot of what this node believes; what the policy engine, evernetctl and the simulator read.</summary>
public sealed record MeshView(
    long AtUnixMs,
    NodeId Self,
    uint LocalIncarnation,
    int Awareness,
    ImmutableArray<MemberView> Members,
    ImmutableArray<GatewayView> Gateways,
    ImmutableArray<Revocation> Revocations);
