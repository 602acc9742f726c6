namespace Evernet.Gossip.Identity;

public enum AdmissionResult : byte
{
    Valid = 0,
    UnknownAuthority,
    BadSignature,
    Expired,
    NotYetValid,
    Revoked,
}

/// <summary>
/// The community authorities this node trusts and the revocations it has accepted. Mutable (revocations only grow);
/// owned by one node's event loop.
/// STUB (contract): implemented in the wire/crypto work item.
/// </summary>
public sealed class TrustStore
{
    public TrustStore(IEnumerable<NodeId> authorities) => throw new NotImplementedException();
    public IReadOnlyCollection<NodeId> Authorities => throw new NotImplementedException();
    public IReadOnlyCollection<Revocation> Revocations => throw new NotImplementedException();
    /// <summary>Checks authority, signature, validity window at <paramref name="nowUnixSeconds"/> and revocation.</summary>
    public AdmissionResult Check(MembershipCertificate certificate, long nowUnixSeconds, ISignatureVerifier verifier) => throw new NotImplementedException();
    /// <summary>Verifies and stores; true if new. False for a duplicate; <paramref name="result"/> tells why it was refused.</summary>
    public bool TryAddRevocation(Revocation revocation, ISignatureVerifier verifier, out AdmissionResult result) => throw new NotImplementedException();
    public bool IsRevoked(NodeId node, ulong serial) => throw new NotImplementedException();
}
