namespace Evernet.Gossip.View;

/// <summary>Every way the receive path refuses input. Each is counted in <see cref="GossipCounters"/>.</summary>
public enum RejectReason : byte
{
    Malformed = 0,
    UnknownSender,
    UnknownOrigin,
    UnknownAuthority,
    BadCertificateSignature,
    CertificateExpired,
    CertificateNotYetValid,
    Revoked,
    BadSignature,
    Stale,
    FutureTimestamp,
    NotAGateway,
    Equivocation,
    SelfImpersonation,
}
