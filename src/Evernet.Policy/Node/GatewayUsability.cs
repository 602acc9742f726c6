using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Policy;

/// <summary>
/// Whether this node may send new flows to a gateway now. Stricter than <see cref="GatewayView.Usable"/>: the
/// certificate is checked again, and an uplink-down or draining summary, or a dead tunnel path, each rule it out.
/// </summary>
public static class GatewayUsability
{
    public static (bool Usable, string Reason) Evaluate(
        MeshView view, GatewayView gateway, PathQualitySnapshot paths, long nowUnixMs, RevocationCheck? revocationCheck)
    {
        var member = Certification.FindMember(view, gateway.Id);
        var status = Certification.Check(view, member, NodeRoles.Gateway, nowUnixMs, revocationCheck);
        if (status != CertificateStatus.Certified) return (false, status.ToString());
        if (!gateway.Usable) return (false, gateway.Reason.ToString());
        if (gateway.Summary is not { } summary) return (false, nameof(UsabilityReason.NoSummaryYet));
        if (summary.Origin != gateway.Id) return (false, "SummaryOriginMismatch");
        if (summary.Uplink == UplinkState.Down) return (false, nameof(UsabilityReason.UplinkDown));
        // A dead path first: a draining gateway keeps its active flows (DataplanePlanner), but not over a dead path.
        if (paths.For(gateway.Id) is { Dead: true }) return (false, "PathDead");
        if (summary.Draining) return (false, DataplanePlanner.DrainingReason);
        return (true, nameof(UsabilityReason.Usable));
    }
}
