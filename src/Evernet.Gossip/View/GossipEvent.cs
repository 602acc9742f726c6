using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;

namespace Evernet.Gossip.View;

/// <summary>Something the host may log, show in `evernetctl events`, count, or (in the simulator) measure.</summary>
public abstract record GossipEvent(long AtUnixMs);

public sealed record MemberStateChanged(long AtUnixMs, NodeId Member, string Name, MemberState? Previous, MemberState Current, uint Incarnation) : GossipEvent(AtUnixMs);

public sealed record GatewayUsabilityChanged(long AtUnixMs, NodeId Gateway, string Name, bool Usable, UsabilityReason Reason) : GossipEvent(AtUnixMs);

/// <summary>A newer gateway summary was verified and stored.</summary>
public sealed record SummaryAccepted(long AtUnixMs, NodeId Gateway, ulong Version, UplinkState Uplink, long SignedAtUnixMs) : GossipEvent(AtUnixMs);

public sealed record RevocationAccepted(long AtUnixMs, NodeId Node, ulong Serial) : GossipEvent(AtUnixMs);

/// <summary>Something arrived and was refused; the counters hold the totals, this carries the detail.</summary>
public sealed record Rejected(long AtUnixMs, RejectReason Reason, string Detail) : GossipEvent(AtUnixMs);
