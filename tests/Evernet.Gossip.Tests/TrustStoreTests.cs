using Evernet.Gossip.Identity;
using static Evernet.Gossip.Tests.TestIdentities;

namespace Evernet.Gossip.Tests;

public sealed class TrustStoreTests
{
    private static readonly ISignatureVerifier Verifier = new Ed25519Verifier();
    private static long NowSeconds => Now.ToUnixTimeSeconds();

    [Fact]
    public void A_certificate_from_a_trusted_authority_inside_its_window_is_valid()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var store = new TrustStore([authority.Id]);
        Assert.Equal(AdmissionResult.Valid, store.Check(Certificate(authority, node.Id), NowSeconds, Verifier));
        Assert.Contains(authority.Id, store.Authorities);
    }

    [Fact]
    public void Unknown_authority_is_refused_even_with_a_good_signature()
    {
        using var authority = Key(1);
        using var rogue = Key(9);
        using var node = Key(2);
        var store = new TrustStore([authority.Id]);
        Assert.Equal(AdmissionResult.UnknownAuthority, store.Check(Certificate(rogue, node.Id), NowSeconds, Verifier));
    }

    [Fact]
    public void A_certificate_naming_a_trusted_authority_but_signed_by_another_key_is_refused()
    {
        using var authority = Key(1);
        using var rogue = Key(9);
        using var node = Key(2);
        var store = new TrustStore([authority.Id]);
        var forged = Certificate(rogue, node.Id) with { Authority = authority.Id };
        Assert.Equal(AdmissionResult.BadSignature, store.Check(forged, NowSeconds, Verifier));
        var tampered = Certificate(authority, node.Id) with { Roles = NodeRoles.Gateway };
        Assert.Equal(AdmissionResult.BadSignature, store.Check(tampered, NowSeconds, Verifier));
    }

    [Fact]
    public void The_validity_window_is_half_open()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var store = new TrustStore([authority.Id]);
        var certificate = Certificate(authority, node.Id, notBefore: Now, notAfter: Now.AddHours(1));
        Assert.Equal(AdmissionResult.NotYetValid, store.Check(certificate, NowSeconds - 1, Verifier));
        Assert.Equal(AdmissionResult.Valid, store.Check(certificate, NowSeconds, Verifier));
        Assert.Equal(AdmissionResult.Valid, store.Check(certificate, NowSeconds + 3599, Verifier));
        Assert.Equal(AdmissionResult.Expired, store.Check(certificate, NowSeconds + 3600, Verifier));
        Assert.Equal(AdmissionResult.Expired, store.Check(certificate, NowSeconds + 86_400 * 365, Verifier));
    }

    [Fact]
    public void Revocation_by_serial_voids_only_that_certificate()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var ca = new CertificateAuthority(authority);
        var store = new TrustStore([authority.Id]);
        var first = Certificate(authority, node.Id, serial: 1);
        var second = Certificate(authority, node.Id, serial: 2);

        Assert.True(store.TryAddRevocation(ca.Revoke(node.Id, 1, Now, "key rotated"), Verifier, out var result));
        Assert.Equal(AdmissionResult.Valid, result);
        Assert.Equal(AdmissionResult.Revoked, store.Check(first, NowSeconds, Verifier));
        Assert.Equal(AdmissionResult.Valid, store.Check(second, NowSeconds, Verifier));
        Assert.True(store.IsRevoked(node.Id, 1));
        Assert.False(store.IsRevoked(node.Id, 2));
        Assert.False(store.IsRevoked(authority.Id, 1));
    }

    [Fact]
    public void Revocation_with_serial_zero_voids_every_certificate_of_the_node()
    {
        using var authority = Key(1);
        using var node = Key(2);
        using var bystander = Key(3);
        var store = new TrustStore([authority.Id]);
        Assert.True(store.TryAddRevocation(new CertificateAuthority(authority).Revoke(node.Id, 0, Now, "stolen"), Verifier, out _));
        foreach (ulong serial in new ulong[] { 1, 2, 77, ulong.MaxValue })
        {
            Assert.True(store.IsRevoked(node.Id, serial));
            Assert.Equal(AdmissionResult.Revoked, store.Check(Certificate(authority, node.Id, serial: serial), NowSeconds, Verifier));
        }
        Assert.Equal(AdmissionResult.Valid, store.Check(Certificate(authority, bystander.Id), NowSeconds, Verifier));
    }

    [Fact]
    public void A_revocation_signed_by_an_untrusted_key_is_refused()
    {
        using var authority = Key(1);
        using var rogue = Key(9);
        using var node = Key(2);
        var store = new TrustStore([authority.Id]);

        var byRogue = new CertificateAuthority(rogue).Revoke(node.Id, 0, Now, "evil");
        Assert.False(store.TryAddRevocation(byRogue, Verifier, out var result));
        Assert.Equal(AdmissionResult.UnknownAuthority, result);

        var claimingAuthority = byRogue with { Authority = authority.Id };
        Assert.False(store.TryAddRevocation(claimingAuthority, Verifier, out result));
        Assert.Equal(AdmissionResult.BadSignature, result);

        Assert.Empty(store.Revocations);
        Assert.False(store.IsRevoked(node.Id, 1));
        Assert.Equal(AdmissionResult.Valid, store.Check(Certificate(authority, node.Id), NowSeconds, Verifier));
    }

    [Fact]
    public void Revocations_only_grow_and_duplicates_are_not_new()
    {
        using var authority = Key(1);
        using var second = Key(5);
        using var node = Key(2);
        var store = new TrustStore([authority.Id, second.Id]);
        var revocation = new CertificateAuthority(authority).Revoke(node.Id, 1, Now, "a");
        Assert.True(store.TryAddRevocation(revocation, Verifier, out _));
        Assert.False(store.TryAddRevocation(revocation, Verifier, out var result));
        Assert.Equal(AdmissionResult.Valid, result);
        // The same key from another trusted authority is a duplicate too: the first stays.
        Assert.False(store.TryAddRevocation(new CertificateAuthority(second).Revoke(node.Id, 1, Now, "b"), Verifier, out result));
        Assert.Equal(AdmissionResult.Valid, result);
        Assert.Single(store.Revocations);
        Assert.Same(revocation, store.Revocations.Single());

        Assert.True(store.TryAddRevocation(new CertificateAuthority(second).Revoke(node.Id, 2, Now, "c"), Verifier, out _));
        Assert.Equal(2, store.Revocations.Count);
        Assert.True(store.Contains(node.Id, 2));
    }

    [Fact]
    public void Merging_two_stores_is_the_union_of_their_revocations()
    {
        using var authority = Key(1);
        var ca = new CertificateAuthority(authority);
        var a = new TrustStore([authority.Id]);
        var b = new TrustStore([authority.Id]);
        using var n1 = Key(11);
        using var n2 = Key(12);
        using var n3 = Key(13);
        a.TryAddRevocation(ca.Revoke(n1.Id, 1, Now, ""), Verifier, out _);
        a.TryAddRevocation(ca.Revoke(n2.Id, 0, Now, ""), Verifier, out _);
        b.TryAddRevocation(ca.Revoke(n2.Id, 0, Now, ""), Verifier, out _);
        b.TryAddRevocation(ca.Revoke(n3.Id, 4, Now, ""), Verifier, out _);
        var held = a.Revocations;
        foreach (var r in b.Revocations) a.TryAddRevocation(r, Verifier, out _);
        Assert.Equal(2, held.Count); // a snapshot: adding does not disturb a reader
        foreach (var r in a.Revocations) b.TryAddRevocation(r, Verifier, out _);
        Assert.Equal(3, a.Revocations.Count);
        Assert.Equal(3, b.Revocations.Count);
        Assert.True(b.IsRevoked(n1.Id, 1) && a.IsRevoked(n3.Id, 4) && a.IsRevoked(n2.Id, 9));
    }
}
