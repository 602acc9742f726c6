namespace Evernet.Gossip.Identity;

/// <summary>
/// Signed by a community authority: admits <see cref="Node"/> to the mesh with the given roles for a validity window.
/// The WireGuard key is an X25519 public key (32 bytes), the one the node's tunnels use.
/// </summary>
public sealed record MembershipCertificate(
    NodeId Node,
    ReadOnlyMemory<byte> WireGuardPublicKey,
    string Name,
    NodeRoles Roles,
    ulong Serial,
    long NotBeforeUnixSeconds,
    long NotAfterUnixSeconds,
    NodeId Authority,
    ReadOnlyMemory<byte> Signature)
{
    public bool IsGateway => (Roles & NodeRoles.Gateway) != 0;
    public bool IsValidAt(long unixSeconds) => unixSeconds >= NotBeforeUnixSeconds && unixSeconds < NotAfterUnixSeconds;
}

/// <summary>Signed by a community authority: the certificate <see cref="Serial"/> of <see cref="Node"/> (or every certificate of it when Serial is 0) is void from now on.</summary>
public sealed record Revocation(
    NodeId Node,
    ulong Serial,
    long RevokedAtUnixSeconds,
    string Reason,
    NodeId Authority,
    ReadOnlyMemory<byte> Signature) : Records.IGossipItem
{
    public Records.GossipItemKind Kind => Records.GossipItemKind.Revocation;
}
