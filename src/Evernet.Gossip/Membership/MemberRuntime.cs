using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;

namespace Evernet.Gossip.Membership;

/// <summary>What one node keeps locally about a member besides the merged signed state: timers, probes, what it reported.</summary>
internal sealed class MemberRuntime
{
    public PeerAddress Address;
    public MemberState ReportedState = MemberState.Alive;
    public long StateSinceTicks;
    public long DownSinceTicks;
    public Suspicion? Suspicion;
    public GatewayProbe? Gateway;
    public bool Usable;
    public UsabilityReason Reason = UsabilityReason.NoSummaryYet;
    public long UsabilitySinceTicks;
    public long SummaryReceivedTicks;
    public bool Revoked;
    public long LastToldDownTicks = long.MinValue / 2;
    public long LastToldAliveTicks = long.MinValue / 2;
}
