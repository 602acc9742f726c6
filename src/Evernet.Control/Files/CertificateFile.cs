namespace Evernet.Control;

/// <summary>
/// The on-disk (and on-the-wire, in "submit-revocation") JSON form of a <see cref="Gossip.Identity.MembershipCertificate"/>.
/// Keys are hex (64 digits), the WireGuard key and signature base64, times Unix seconds. See docs/control-protocol.md.
/// </summary>
public sealed record CertificateFile(
    string Format,
    int Version,
    string NodeId,
    string WireguardPublicKey,
    string Name,
    IReadOnlyList<string> Roles,
    ulong Serial,
    long NotBeforeUnixSeconds,
    long NotAfterUnixSeconds,
    string Authority,
    string Signature);

/// <summary>The JSON form of a <see cref="Gossip.Identity.Revocation"/>. Serial 0 revokes every certificate of the node.</summary>
public sealed record RevocationFile(
    string Format,
    int Version,
    string NodeId,
    ulong Serial,
    long RevokedAtUnixSeconds,
    string Reason,
    string Authority,
    string Signature);
