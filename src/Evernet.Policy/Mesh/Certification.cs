using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.View;

namespace Evernet.Policy;

/// <summary>
/// An extra revocation check from the host, e.g. <c>TrustStore.IsRevoked</c>: (node, certificate serial) → revoked.
/// The mesh view's own revocation list is always checked as well.
/// </summary>
public delegate bool RevocationCheck(NodeId node, ulong serial);

public enum CertificateStatus : byte
{
    Certified = 0,
    NotAMember,
    Revoked,
    NotValidNow,
    BadWireGuardKey,
    MissingRole,
}

/// <summary>
/// Whether a member may appear in a WireGuard configuration: it is in the mesh view (the core verified its certificate),
/// no revocation voids its certificate, the certificate is valid now, it carries a 32-byte WireGuard key and the role.
/// Every check is repeated here on purpose: a key in a peer list is a door into the network, so the policy engine does
/// not rely on the core having reaped revoked or expired members yet.
/// </summary>
public static class Certification
{
    public static bool IsRevoked(MembershipCertificate certificate, ImmutableArray<Revocation> revocations, RevocationCheck? extraCheck = null)
    {
        if (extraCheck is not null && extraCheck(certificate.Node, certificate.Serial)) return true;
        if (revocations.IsDefaultOrEmpty) return false;
        foreach (var r in revocations)
            if (r.Node == certificate.Node && (r.Serial == 0 || r.Serial == certificate.Serial)) return true;
        return false;
    }

    public static CertificateStatus Check(MeshView view, MemberView? member, NodeRoles requiredRole, long nowUnixMs, RevocationCheck? extraCheck = null)
    {
        if (member is null) return CertificateStatus.NotAMember;
        return Check(member.Record.Certificate, member.Id, view.Revocations, requiredRole, nowUnixMs, extraCheck);
    }

    public static CertificateStatus Check(MembershipCertificate certificate, NodeId expectedNode, ImmutableArray<Revocation> revocations, NodeRoles requiredRole, long nowUnixMs, RevocationCheck? extraCheck = null)
    {
        if (certificate.Node != expectedNode) return CertificateStatus.NotAMember;
        if (IsRevoked(certificate, revocations, extraCheck)) return CertificateStatus.Revoked;
        if (!certificate.IsValidAt(Math.DivRem(nowUnixMs, 1000L).Quotient)) return CertificateStatus.NotValidNow;
        if (certificate.WireGuardPublicKey.Length != 32) return CertificateStatus.BadWireGuardKey;
        if (requiredRole != NodeRoles.None && (certificate.Roles & requiredRole) != requiredRole) return CertificateStatus.MissingRole;
        return CertificateStatus.Certified;
    }

    /// <summary>The member for <paramref name="id"/>, or null.</summary>
    public static MemberView? FindMember(MeshView view, NodeId id)
    {
        if (view.Members.IsDefaultOrEmpty) return null;
        foreach (var m in view.Members)
            if (m.Id == id) return m;
        return null;
    }
}
