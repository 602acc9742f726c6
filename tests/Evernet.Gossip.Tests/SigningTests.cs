using System.Collections.Immutable;
using System.Text;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using static Evernet.Gossip.Tests.TestIdentities;

namespace Evernet.Gossip.Tests;

public sealed class SigningTests
{
    private static readonly ISignatureVerifier Verifier = new Ed25519Verifier();

    [Fact]
    public void Signed_items_verify_and_carry_the_signer_id()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var certificate = Certificate(authority, node.Id);
        Assert.Equal(authority.Id, certificate.Authority);
        Assert.Equal(64, certificate.Signature.Length);
        Assert.True(Signing.VerifyCertificate(certificate, Verifier));

        var record = Record(node, certificate);
        Assert.Equal(node.Id, record.Origin);
        Assert.True(Signing.VerifyNodeRecord(record, Verifier));

        var summary = Summary(node);
        Assert.True(Signing.VerifyGatewaySummary(summary, Verifier));

        var accusation = Accusation(node, authority.Id);
        Assert.True(Signing.VerifyAccusation(accusation, Verifier));

        var revocation = new CertificateAuthority(authority).Revoke(node.Id, 1, Now, "stolen router");
        Assert.True(Signing.VerifyRevocation(revocation, Verifier));

        foreach (IGossipItem item in new IGossipItem[] { record, summary, accusation, revocation })
            Assert.True(Signing.VerifyItem(item, Verifier));
    }

    [Fact]
    public void Signing_stamps_the_signer_over_whatever_id_the_draft_had()
    {
        using var origin = Key(2);
        using var other = Key(3);
        var draft = new Accusation(other.Id, 1, Verdict.Dead, other.Id, 0, ReadOnlyMemory<byte>.Empty);
        var signed = Signing.SignAccusation(draft, origin);
        Assert.Equal(origin.Id, signed.Accuser);
        Assert.True(Signing.VerifyAccusation(signed, Verifier));
    }

    [Fact]
    public void Canonical_bytes_start_with_the_domain_tag_and_omit_the_signature()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var certificate = Certificate(authority, node.Id);
        var bytes = Signing.CanonicalBytes(certificate);
        Assert.Equal(0x99, bytes[0]); // fixarray of 9: tag + 8 fields
        Assert.Equal("evernet/cert/v1", Encoding.UTF8.GetString(bytes, 2, bytes[1] & 0x1f));
        Assert.False(bytes.AsSpan().IndexOf(certificate.Signature.Span) >= 0);

        string Tag(IGossipItem item)
        {
            var b = Signing.CanonicalBytes(item);
            return Encoding.UTF8.GetString(b, 2, b[1] & 0x1f);
        }
        Assert.Equal("evernet/node-record/v1", Tag(Record(node, certificate)));
        Assert.Equal("evernet/gateway-summary/v1", Tag(Summary(node)));
        Assert.Equal("evernet/accusation/v1", Tag(Accusation(node, authority.Id)));
        Assert.Equal("evernet/revocation/v1", Tag(new CertificateAuthority(authority).Revoke(node.Id, 0, Now, "x")));
    }

    [Fact]
    public void Record_signature_covers_the_embedded_certificate_including_its_signature()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var certificate = Certificate(authority, node.Id);
        var record = Record(node, certificate);
        var resigned = Certificate(authority, node.Id, serial: 2);
        Assert.False(Signing.VerifyNodeRecord(record with { Certificate = resigned }, Verifier));

        var otherSignature = certificate.Signature.ToArray();
        otherSignature[5] ^= 1;
        Assert.False(Signing.VerifyNodeRecord(record with { Certificate = certificate with { Signature = otherSignature } }, Verifier));
    }

    [Fact]
    public void A_record_carrying_someone_elses_certificate_does_not_verify()
    {
        using var authority = Key(1);
        using var node = Key(2);
        using var victim = Key(3);
        var victimCertificate = Certificate(authority, victim.Id);
        var record = Record(node, victimCertificate);
        Assert.False(Signing.VerifyNodeRecord(record, Verifier));
    }

    public static TheoryData<string> ItemNames => new() { "certificate", "record", "summary", "accusation", "revocation" };

    /// <summary>Every field of every signed type is covered: changing any one of them breaks the signature.</summary>
    [Theory]
    [MemberData(nameof(ItemNames))]
    public void Changing_any_field_breaks_the_signature(string which)
    {
        using var authority = Key(1);
        using var node = Key(2);
        using var other = Key(3);
        var certificate = Certificate(authority, node.Id);
        var variants = new List<(string Field, Func<bool> Verifies)>();
        switch (which)
        {
            case "certificate":
                var c = certificate;
                bool V(MembershipCertificate x) => Signing.VerifyCertificate(x, Verifier);
                variants.Add(("original", () => V(c)));
                variants.Add(("Node", () => !V(c with { Node = other.Id })));
                variants.Add(("WireGuardPublicKey", () => !V(c with { WireGuardPublicKey = WireGuardKey(9) })));
                variants.Add(("Name", () => !V(c with { Name = c.Name + "x" })));
                variants.Add(("Roles", () => !V(c with { Roles = NodeRoles.Node | NodeRoles.Gateway })));
                variants.Add(("Serial", () => !V(c with { Serial = c.Serial + 1 })));
                variants.Add(("NotBefore", () => !V(c with { NotBeforeUnixSeconds = c.NotBeforeUnixSeconds - 1 })));
                variants.Add(("NotAfter", () => !V(c with { NotAfterUnixSeconds = c.NotAfterUnixSeconds + 1 })));
                variants.Add(("Authority", () => !V(c with { Authority = other.Id })));
                break;
            case "record":
                var r = Record(node, certificate);
                bool R(NodeRecord x) => Signing.VerifyNodeRecord(x, Verifier);
                variants.Add(("original", () => R(r)));
                variants.Add(("Origin", () => !R(r with { Origin = other.Id })));
                variants.Add(("Version", () => !R(r with { Version = r.Version + 1 })));
                variants.Add(("Timestamp", () => !R(r with { TimestampUnixMs = r.TimestampUnixMs + 1 })));
                variants.Add(("Incarnation", () => !R(r with { Incarnation = r.Incarnation + 1 })));
                variants.Add(("Left", () => !R(r with { Left = true })));
                variants.Add(("Addresses", () => !R(r with { Addresses = r.Addresses.RemoveAt(1) })));
                variants.Add(("Addresses order", () => !R(r with { Addresses = [r.Addresses[1], r.Addresses[0]] })));
                variants.Add(("ClientPrefixes", () => !R(r with { ClientPrefixes = ["10.23.5.0/24"] })));
                variants.Add(("Certificate", () => !R(r with { Certificate = certificate with { Name = "other" } })));
                break;
            case "summary":
                var s = Summary(node);
                bool S(GatewaySummary x) => Signing.VerifyGatewaySummary(x, Verifier);
                variants.Add(("original", () => S(s)));
                variants.Add(("Origin", () => !S(s with { Origin = other.Id })));
                variants.Add(("Version", () => !S(s with { Version = s.Version + 1 })));
                variants.Add(("Timestamp", () => !S(s with { TimestampUnixMs = s.TimestampUnixMs - 1 })));
                variants.Add(("Uplink", () => !S(s with { Uplink = UplinkState.Down })));
                variants.Add(("Targets", () => !S(s with { Targets = s.Targets.SetItem(0, s.Targets[0] with { LossPermille = 6 }) })));
                variants.Add(("Target name", () => !S(s with { Targets = s.Targets.SetItem(1, s.Targets[1] with { Target = "1.0.0.1" }) })));
                variants.Add(("Rtt", () => !S(s with { Targets = s.Targets.SetItem(1, s.Targets[1] with { RttMicros = 1 }) })));
                variants.Add(("Jitter", () => !S(s with { Targets = s.Targets.SetItem(1, s.Targets[1] with { JitterMicros = 1 }) })));
                variants.Add(("CapacityDown", () => !S(s with { CapacityDownBps = 1 })));
                variants.Add(("CapacityUp", () => !S(s with { CapacityUpBps = 1 })));
                variants.Add(("LoadDown", () => !S(s with { LoadDownBps = 1 })));
                variants.Add(("LoadUp", () => !S(s with { LoadUpBps = 1 })));
                variants.Add(("ActiveFlows", () => !S(s with { ActiveFlows = 1 })));
                variants.Add(("AttachedClients", () => !S(s with { AttachedClients = 1 })));
                variants.Add(("Draining", () => !S(s with { Draining = true })));
                break;
            case "accusation":
                var a = Accusation(node, other.Id);
                bool A(Accusation x) => Signing.VerifyAccusation(x, Verifier);
                variants.Add(("original", () => A(a)));
                variants.Add(("Target", () => !A(a with { Target = authority.Id })));
                variants.Add(("Incarnation", () => !A(a with { Incarnation = a.Incarnation + 1 })));
                variants.Add(("Verdict", () => !A(a with { Verdict = Verdict.Dead })));
                variants.Add(("Accuser", () => !A(a with { Accuser = other.Id })));
                variants.Add(("Timestamp", () => !A(a with { TimestampUnixMs = a.TimestampUnixMs + 1 })));
                break;
            case "revocation":
                var v = new CertificateAuthority(authority).Revoke(node.Id, 1, Now, "stolen");
                bool Rv(Revocation x) => Signing.VerifyRevocation(x, Verifier);
                variants.Add(("original", () => Rv(v)));
                variants.Add(("Node", () => !Rv(v with { Node = other.Id })));
                variants.Add(("Serial", () => !Rv(v with { Serial = 0 })));
                variants.Add(("RevokedAt", () => !Rv(v with { RevokedAtUnixSeconds = v.RevokedAtUnixSeconds + 1 })));
                variants.Add(("Reason", () => !Rv(v with { Reason = "Stolen" })));
                variants.Add(("Authority", () => !Rv(v with { Authority = other.Id })));
                break;
        }
        foreach (var (field, holds) in variants)
            Assert.True(holds(), $"{which}.{field}");
    }

    [Fact]
    public void Every_single_bit_flip_of_a_signature_fails()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var record = Record(node, Certificate(authority, node.Id));
        var signature = record.Signature.ToArray();
        for (int bit = 0; bit < signature.Length * 8; bit++)
        {
            var flipped = (byte[])signature.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Signing.VerifyNodeRecord(record with { Signature = flipped }, Verifier), $"bit {bit}");
        }
    }

    [Fact]
    public void Garbage_never_throws_and_never_verifies()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var certificate = Certificate(authority, node.Id);
        foreach (var length in new[] { 0, 1, 63, 65, 128 })
        {
            Assert.False(Signing.VerifyCertificate(certificate with { Signature = new byte[length] }, Verifier));
            Assert.False(Signing.VerifyAccusation(Accusation(node, authority.Id) with { Signature = new byte[length] }, Verifier));
        }
        Assert.False(Signing.VerifyCertificate(certificate with { Signature = new byte[64] }, Verifier));
        Assert.False(Signing.VerifyCertificate(certificate with { Authority = default }, Verifier));
        Assert.False(Signing.VerifyCertificate(certificate with { Authority = NodeId.FromBytes(Enumerable.Repeat((byte)0xff, 32).ToArray()) }, Verifier));
        Assert.False(Signing.VerifyNodeRecord(Record(node, certificate) with { Certificate = null! }, Verifier));
        Assert.False(Signing.VerifyGatewaySummary(Summary(node) with { Targets = ImmutableArray.Create(new ProbeTargetStats[] { null! }) }, Verifier));
        Assert.False(Signing.VerifyCertificate(null!, Verifier));
        Assert.False(Signing.VerifyItem(null!, Verifier));
    }

    [Fact]
    public void Large_records_beyond_the_stack_buffer_sign_and_verify()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var addresses = Enumerable.Range(0, 40).Select(i => $"[fd00:1234:5678:9abc:def0:1234:5678:{i:x4}]:7946").ToImmutableArray();
        var draft = Record(node, Certificate(authority, node.Id)) with { Addresses = addresses };
        var signed = Signing.SignNodeRecord(draft, node);
        Assert.True(Signing.CanonicalBytes(signed).Length > 1024);
        Assert.True(Signing.VerifyNodeRecord(signed, Verifier));
        Assert.False(Signing.VerifyNodeRecord(signed with { Addresses = addresses.RemoveAt(39) }, Verifier));
    }
}
