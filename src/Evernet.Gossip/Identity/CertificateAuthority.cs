using System.Text;
using Evernet.Gossip.Wire;

namespace Evernet.Gossip.Identity;

/// <summary>
/// Offline operations of a community authority (used by <c>evernetctl</c> and the simulator): issue membership
/// certificates and revocations. Everything it issues fits the wire limits, so a certificate that could not travel is
/// refused here with a clear reason rather than dropped later by every receiver.
/// Does not own the key: the caller disposes it.
/// </summary>
public sealed class CertificateAuthority
{
    private readonly NodeKeyPair _key;

    public CertificateAuthority(NodeKeyPair key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    /// <summary>The authority's id, the value nodes list as trusted.</summary>
    public NodeId Id => _key.Id;

    /// <summary>
    /// Issues a certificate for <paramref name="node"/>. <paramref name="serial"/> must be non-zero (serial 0 in a
    /// revocation means "every certificate"), the window non-empty, the WireGuard key 32 bytes and the name at most
    /// <see cref="WireLimits.MaxStringBytes"/> UTF-8 bytes.
    /// </summary>
    public MembershipCertificate Issue(
        NodeId node,
        ReadOnlySpan<byte> wireGuardPublicKey,
        string name,
        NodeRoles roles,
        ulong serial,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        if (node.IsEmpty) throw new ArgumentException("the node id is empty", nameof(node));
        if (wireGuardPublicKey.Length != WireLimits.WireGuardKeySize)
            throw new ArgumentException($"a WireGuard public key is {WireLimits.WireGuardKeySize} bytes, got {wireGuardPublicKey.Length}", nameof(wireGuardPublicKey));
        CheckText(name, nameof(name));
        if (roles == NodeRoles.None || !ItemFormat.RolesInRange(roles))
            throw new ArgumentException($"roles must be a non-empty combination of {NodeRoles.Node} and {NodeRoles.Gateway}, got {roles}", nameof(roles));
        if (serial == 0) throw new ArgumentException("serial 0 is reserved (a revocation with serial 0 voids every certificate of a node)", nameof(serial));
        long from = notBefore.ToUnixTimeSeconds();
        long until = notAfter.ToUnixTimeSeconds();
        if (until <= from) throw new ArgumentException($"the validity window is empty: not-after {notAfter:O} is not after not-before {notBefore:O}", nameof(notAfter));

        var unsigned = new MembershipCertificate(node, wireGuardPublicKey.ToArray(), name, roles, serial, from, until, _key.Id, ReadOnlyMemory<byte>.Empty);
        return Signing.SignCertificate(unsigned, _key);
    }

    /// <summary>Revokes certificate <paramref name="serial"/> of <paramref name="node"/>, or every certificate of it with serial 0.</summary>
    public Revocation Revoke(NodeId node, ulong serial, DateTimeOffset revokedAt, string reason)
    {
        if (node.IsEmpty) throw new ArgumentException("the node id is empty", nameof(node));
        CheckText(reason, nameof(reason));
        var unsigned = new Revocation(node, serial, revokedAt.ToUnixTimeSeconds(), reason, _key.Id, ReadOnlyMemory<byte>.Empty);
        return Signing.SignRevocation(unsigned, _key);
    }

    private static void CheckText(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        int bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > WireLimits.MaxStringBytes)
            throw new ArgumentException($"at most {WireLimits.MaxStringBytes} UTF-8 bytes, got {bytes}", parameter);
    }
}
