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
/// The community authorities this node trusts and the revocations it has accepted. Mutable (revocations only grow:
/// merging two stores is the union of their revocations); owned by one node's event loop.
/// A revocation is keyed by (node, serial); serial 0 voids every certificate of the node.
/// </summary>
public sealed class TrustStore
{
    private readonly HashSet<NodeId> _authorities;
    private readonly Dictionary<(NodeId Node, ulong Serial), Revocation> _revocations = new();
    private Revocation[]? _snapshot;

    public TrustStore(IEnumerable<NodeId> authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        _authorities = new HashSet<NodeId>(authorities);
    }

    public IReadOnlyCollection<NodeId> Authorities => _authorities;

    /// <summary>Accepted revocations in the order they were accepted; a snapshot, safe to hold while adding more.</summary>
    public IReadOnlyCollection<Revocation> Revocations => _snapshot ??= [.. _revocations.Values];

    public bool IsTrustedAuthority(NodeId authority) => _authorities.Contains(authority);

    /// <summary>
    /// Checks authority, signature, revocation and the validity window at <paramref name="nowUnixSeconds"/>, in that
    /// order: the first failure is the result.
    /// </summary>
    public AdmissionResult Check(MembershipCertificate certificate, long nowUnixSeconds, ISignatureVerifier verifier) =>
        Check(certificate, nowUnixSeconds, verifier, signatureVerified: false);

    /// <summary>
    /// As above; <paramref name="signatureVerified"/>: this very certificate object already verified against the
    /// authority key it names (<see cref="Wire.ItemInterner.IsCertificateVerified"/>), so only trust, revocation and
    /// validity are checked.
    /// </summary>
    public AdmissionResult Check(MembershipCertificate certificate, long nowUnixSeconds, ISignatureVerifier verifier, bool signatureVerified)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(verifier);
        if (!_authorities.Contains(certificate.Authority)) return AdmissionResult.UnknownAuthority;
        if (!signatureVerified && !Signing.VerifyCertificate(certificate, verifier)) return AdmissionResult.BadSignature;
        if (IsRevoked(certificate.Node, certificate.Serial)) return AdmissionResult.Revoked;
        if (nowUnixSeconds < certificate.NotBeforeUnixSeconds) return AdmissionResult.NotYetValid;
        if (nowUnixSeconds >= certificate.NotAfterUnixSeconds) return AdmissionResult.Expired;
        return AdmissionResult.Valid;
    }

    /// <summary>
    /// Verifies and stores; true if new. False for a duplicate (same node and serial already revoked; the first one
    /// stays, <paramref name="result"/> is Valid) or a refusal (<paramref name="result"/> tells why: UnknownAuthority
    /// or BadSignature).
    /// </summary>
    public bool TryAddRevocation(Revocation revocation, ISignatureVerifier verifier, out AdmissionResult result)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        ArgumentNullException.ThrowIfNull(verifier);
        if (!_authorities.Contains(revocation.Authority))
        {
            result = AdmissionResult.UnknownAuthority;
            return false;
        }
        if (_revocations.ContainsKey((revocation.Node, revocation.Serial)))
        {
            // Already have one for this key; skip the signature check, the stored one was verified.
            result = AdmissionResult.Valid;
            return false;
        }
        if (!Signing.VerifyRevocation(revocation, verifier))
        {
            result = AdmissionResult.BadSignature;
            return false;
        }
        _revocations.Add((revocation.Node, revocation.Serial), revocation);
        _snapshot = null;
        result = AdmissionResult.Valid;
        return true;
    }

    /// <summary>Whether the exact key (node, serial) is already stored (a cheap pre-check before verifying).</summary>
    public bool Contains(NodeId node, ulong serial) => _revocations.ContainsKey((node, serial));

    /// <summary>True if certificate <paramref name="serial"/> of <paramref name="node"/> is revoked, or every certificate of the node is (serial 0).</summary>
    public bool IsRevoked(NodeId node, ulong serial) =>
        _revocations.Count != 0 && (_revocations.ContainsKey((node, serial)) || _revocations.ContainsKey((node, 0)));
}
