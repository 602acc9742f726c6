using Evernet.Gossip.Records;

namespace Evernet.Gossip.Identity;

/// <summary>
/// Canonical, domain-separated bytes for every signed type and the sign/verify pairs over them.
/// STUB (contract): implemented in the wire/crypto work item.
/// </summary>
public static class Signing
{
    public static MembershipCertificate SignCertificate(MembershipCertificate unsigned, NodeKeyPair authority) => throw new NotImplementedException();
    public static bool VerifyCertificate(MembershipCertificate certificate, ISignatureVerifier verifier) => throw new NotImplementedException();
    public static Revocation SignRevocation(Revocation unsigned, NodeKeyPair authority) => throw new NotImplementedException();
    public static bool VerifyRevocation(Revocation revocation, ISignatureVerifier verifier) => throw new NotImplementedException();
    public static NodeRecord SignNodeRecord(NodeRecord unsigned, NodeKeyPair origin) => throw new NotImplementedException();
    /// <summary>Verifies the record's own signature by its origin (not the embedded certificate: see TrustStore.Check).</summary>
    public static bool VerifyNodeRecord(NodeRecord record, ISignatureVerifier verifier) => throw new NotImplementedException();
    public static GatewaySummary SignGatewaySummary(GatewaySummary unsigned, NodeKeyPair origin) => throw new NotImplementedException();
    public static bool VerifyGatewaySummary(GatewaySummary summary, ISignatureVerifier verifier) => throw new NotImplementedException();
    public static Accusation SignAccusation(Accusation unsigned, NodeKeyPair accuser) => throw new NotImplementedException();
    public static bool VerifyAccusation(Accusation accusation, ISignatureVerifier verifier) => throw new NotImplementedException();
}
