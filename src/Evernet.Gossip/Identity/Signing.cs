using System.Buffers;
using Evernet.Gossip.Records;
using Evernet.Gossip.Wire;

namespace Evernet.Gossip.Identity;

/// <summary>
/// Canonical, domain-separated bytes for every signed type and the sign/verify pairs over them.
/// The signed bytes are one MessagePack array in canonical (shortest) form: a domain tag such as
/// <c>"evernet/cert/v1"</c>, then every field of the type in declaration order except the signature
/// (docs/protocol.md, "Signing"). The tag keeps a signature over one type from ever verifying as another.
/// Signing stamps the signer's id into the signer field (Authority, Origin or Accuser) before it signs.
/// Verification never throws: a signature of the wrong length, a malformed key or an incomplete record gives false.
/// </summary>
public static class Signing
{
    private const int StackLimit = 1024;

    private delegate void CanonicalWriter<T>(ref MsgPackWriter writer, T value);

    public static MembershipCertificate SignCertificate(MembershipCertificate unsigned, NodeKeyPair authority)
    {
        ArgumentNullException.ThrowIfNull(unsigned);
        ArgumentNullException.ThrowIfNull(authority);
        var stamped = unsigned with { Authority = authority.Id };
        return stamped with { Signature = Sign(stamped, ItemFormat.MeasureCertificate(stamped, canonical: true), WriteCertificate, authority) };
    }

    public static bool VerifyCertificate(MembershipCertificate certificate, ISignatureVerifier verifier)
    {
        if (certificate is null || verifier is null) return false;
        return Verify(certificate, ItemFormat.MeasureCertificate(certificate, canonical: true), WriteCertificate,
            certificate.Authority, certificate.Signature.Span, verifier);
    }

    public static Revocation SignRevocation(Revocation unsigned, NodeKeyPair authority)
    {
        ArgumentNullException.ThrowIfNull(unsigned);
        ArgumentNullException.ThrowIfNull(authority);
        var stamped = unsigned with { Authority = authority.Id };
        return stamped with { Signature = SignItem(stamped, authority) };
    }

    public static bool VerifyRevocation(Revocation revocation, ISignatureVerifier verifier) =>
        revocation is not null && VerifyItem(revocation, revocation.Authority, revocation.Signature.Span, verifier);

    /// <summary>Signs the record, embedded certificate included (as its full bytes with its own signature).</summary>
    public static NodeRecord SignNodeRecord(NodeRecord unsigned, NodeKeyPair origin)
    {
        ArgumentNullException.ThrowIfNull(unsigned);
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(unsigned.Certificate);
        var stamped = unsigned with { Origin = origin.Id };
        return stamped with { Signature = SignItem(stamped, origin) };
    }

    /// <summary>
    /// Verifies the record's own signature by its origin (not the embedded certificate: see TrustStore.Check).
    /// Also false when the embedded certificate is not the origin's: a record only speaks for the node it certifies.
    /// </summary>
    public static bool VerifyNodeRecord(NodeRecord record, ISignatureVerifier verifier) =>
        record is not null
        && record.Certificate is not null
        && record.Certificate.Node == record.Origin
        && VerifyItem(record, record.Origin, record.Signature.Span, verifier);

    public static GatewaySummary SignGatewaySummary(GatewaySummary unsigned, NodeKeyPair origin)
    {
        ArgumentNullException.ThrowIfNull(unsigned);
        ArgumentNullException.ThrowIfNull(origin);
        var stamped = unsigned with { Origin = origin.Id };
        return stamped with { Signature = SignItem(stamped, origin) };
    }

    public static bool VerifyGatewaySummary(GatewaySummary summary, ISignatureVerifier verifier) =>
        summary is not null && VerifyItem(summary, summary.Origin, summary.Signature.Span, verifier);

    public static Accusation SignAccusation(Accusation unsigned, NodeKeyPair accuser)
    {
        ArgumentNullException.ThrowIfNull(unsigned);
        ArgumentNullException.ThrowIfNull(accuser);
        var stamped = unsigned with { Accuser = accuser.Id };
        return stamped with { Signature = SignItem(stamped, accuser) };
    }

    public static bool VerifyAccusation(Accusation accusation, ISignatureVerifier verifier) =>
        accusation is not null && VerifyItem(accusation, accusation.Accuser, accusation.Signature.Span, verifier);

    /// <summary>Verifies any signed gossip item by its signer (origin, accuser or authority).</summary>
    public static bool VerifyItem(IGossipItem item, ISignatureVerifier verifier) => item switch
    {
        NodeRecord r => VerifyNodeRecord(r, verifier),
        GatewaySummary s => VerifyGatewaySummary(s, verifier),
        Accusation a => VerifyAccusation(a, verifier),
        Revocation v => VerifyRevocation(v, verifier),
        _ => false,
    };

    /// <summary>The exact bytes a certificate's signature covers (for tests, tooling and docs).</summary>
    public static byte[] CanonicalBytes(MembershipCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var bytes = new byte[ItemFormat.MeasureCertificate(certificate, canonical: true)];
        var writer = new MsgPackWriter(bytes);
        ItemFormat.WriteCertificate(ref writer, certificate, canonical: true);
        return bytes;
    }

    /// <summary>The exact bytes an item's signature covers (for tests, tooling and docs).</summary>
    public static byte[] CanonicalBytes(IGossipItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!ItemFormat.IsComplete(item)) throw new ArgumentException("the item has a null where a value is required", nameof(item));
        var bytes = new byte[ItemFormat.Measure(item, canonical: true)];
        var writer = new MsgPackWriter(bytes);
        ItemFormat.Write(ref writer, item, canonical: true);
        return bytes;
    }

    private static void WriteCertificate(ref MsgPackWriter writer, MembershipCertificate certificate) =>
        ItemFormat.WriteCertificate(ref writer, certificate, canonical: true);

    private static void WriteItem(ref MsgPackWriter writer, IGossipItem item) =>
        ItemFormat.Write(ref writer, item, canonical: true);

    private static byte[] SignItem(IGossipItem item, NodeKeyPair key)
    {
        if (!ItemFormat.IsComplete(item)) throw new ArgumentException("the item has a null where a value is required", nameof(item));
        return Sign(item, ItemFormat.Measure(item, canonical: true), WriteItem, key);
    }

    private static bool VerifyItem(IGossipItem item, NodeId signer, ReadOnlySpan<byte> signature, ISignatureVerifier verifier) =>
        verifier is not null
        && ItemFormat.IsComplete(item)
        && Verify(item, ItemFormat.Measure(item, canonical: true), WriteItem, signer, signature, verifier);

    private static byte[] Sign<T>(T value, int size, CanonicalWriter<T> write, NodeKeyPair key)
    {
        byte[]? rented = null;
        Span<byte> buffer = size <= StackLimit ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var writer = new MsgPackWriter(buffer);
            write(ref writer, value);
            return key.Sign(buffer[..writer.Written]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool Verify<T>(T value, int size, CanonicalWriter<T> write, NodeId signer, ReadOnlySpan<byte> signature, ISignatureVerifier verifier)
    {
        if (signature.Length != WireLimits.SignatureSize) return false;
        byte[]? rented = null;
        Span<byte> buffer = size <= StackLimit ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var writer = new MsgPackWriter(buffer);
            write(ref writer, value);
            return verifier.Verify(signer, buffer[..writer.Written], signature);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
