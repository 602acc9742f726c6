using System.Collections.Immutable;
using Evernet.Gossip.Identity;

namespace Evernet.Policy;

/// <summary>
/// The controller's memory of one gateway. <see cref="BalanceShare"/> is the integrator (null while not eligible);
/// <see cref="Weight"/> the last published integer weight; <see cref="RecentFailures"/> when it last turned unusable
/// (within the flap window), which sets the hold-down; <see cref="CapacityBps"/> the signed capacity the share was last
/// fitted to, and <see cref="CapacityChangedUnixMs"/> when that capacity last changed (the feed-forward's hold);
/// <see cref="Correction"/> the fast, bounded, leaky correction added to the balance share (a share, may be negative);
/// <see cref="Persistent"/> its persistent (integral) part, also added, bounded, dropped when the error changes sign.
/// </summary>
public sealed record GatewayControlState(
    bool Usable,
    long UsableSinceUnixMs,
    long EligibleAtUnixMs,
    double? BalanceShare,
    int Weight,
    ImmutableArray<long> RecentFailures,
    ulong CapacityBps = 0,
    long CapacityChangedUnixMs = long.MinValue / 2,
    double Correction = 0,
    double Persistent = 0);

/// <summary>Everything the weight controller carries from one update to the next. Start from <see cref="Initial"/>.</summary>
public sealed record WeightState(
    bool IsInitial,
    long UpdatedUnixMs,
    long LastBalanceUnixMs,
    long NextBalanceUnixMs,
    ulong Steps,
    ImmutableSortedDictionary<NodeId, GatewayControlState> Gateways)
{
    public static WeightState Initial { get; } = new(true, 0, 0, 0, 0, ImmutableSortedDictionary<NodeId, GatewayControlState>.Empty);
}

/// <summary>
/// One gateway's outcome, with the factors that produced it (for evernetctl and the simulator). The weight follows
/// (<see cref="BalanceShare"/> + <see cref="Correction"/>, which is the proportional plus the persistent part) · <see cref="QualityFactor"/> · <see cref="RampFactor"/>.
/// </summary>
public sealed record GatewayWeight(
    NodeId Gateway,
    string Name,
    int Weight,
    bool Usable,
    string Reason,
    double BalanceShare,
    double RampFactor,
    double QualityFactor,
    double Correction = 0);

/// <summary>
/// Integer weights per gateway, ordered by gateway id. <see cref="Changed"/>: they differ from the previous update's.
/// </summary>
public sealed record WeightResult(ImmutableArray<GatewayWeight> Gateways, WeightState State, bool Changed, bool Balanced)
{
    public int TotalWeight => Gateways.Sum(g => g.Weight);
    public int WeightOf(NodeId gateway) => Gateways.FirstOrDefault(g => g.Gateway == gateway)?.Weight ?? 0;
}
