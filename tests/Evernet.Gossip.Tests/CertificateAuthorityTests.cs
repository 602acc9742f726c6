using Evernet.Gossip.Identity;
using static Evernet.Gossip.Tests.TestIdentities;

namespace Evernet.Gossip.Tests;

public sealed class CertificateAuthorityTests
{
    [Fact]
    public void Issued_certificates_carry_what_was_asked_and_are_admitted()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var ca = new CertificateAuthority(authority);
        var wg = WireGuardKey(4);
        var certificate = ca.Issue(node.Id, wg, "gw-süd", NodeRoles.Node | NodeRoles.Gateway, 12, Now, Now.AddDays(90));
        Assert.Equal(node.Id, certificate.Node);
        Assert.Equal(wg, certificate.WireGuardPublicKey.ToArray());
        Assert.Equal("gw-süd", certificate.Name);
        Assert.True(certificate.IsGateway);
        Assert.Equal(12UL, certificate.Serial);
        Assert.Equal(Now.ToUnixTimeSeconds(), certificate.NotBeforeUnixSeconds);
        Assert.Equal(Now.AddDays(90).ToUnixTimeSeconds(), certificate.NotAfterUnixSeconds);
        Assert.Equal(ca.Id, certificate.Authority);
        Assert.Equal(AdmissionResult.Valid, new TrustStore([ca.Id]).Check(certificate, Now.ToUnixTimeSeconds(), new Ed25519Verifier()));
    }

    [Fact]
    public void Requests_that_could_not_travel_are_refused_with_a_reason()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var ca = new CertificateAuthority(authority);
        var wg = WireGuardKey(4);
        Assert.Throws<ArgumentException>(() => ca.Issue(default, wg, "n", NodeRoles.Node, 1, Now, Now.AddDays(1)));
        Assert.Throws<ArgumentException>(() => ca.Issue(node.Id, wg.AsSpan(0, 31), "n", NodeRoles.Node, 1, Now, Now.AddDays(1)));
        Assert.Throws<ArgumentException>(() => ca.Issue(node.Id, wg, new string('x', 65), NodeRoles.Node, 1, Now, Now.AddDays(1)));
        Assert.Throws<ArgumentException>(() => ca.Issue(node.Id, wg, "n", NodeRoles.None, 1, Now, Now.AddDays(1)));
        Assert.Throws<ArgumentException>(() => ca.Issue(node.Id, wg, "n", (NodeRoles)8, 1, Now, Now.AddDays(1)));
        Assert.Throws<ArgumentException>(() => ca.Issue(node.Id, wg, "n", NodeRoles.Node, 0, Now, Now.AddDays(1)));
        Assert.Throws<ArgumentException>(() => ca.Issue(node.Id, wg, "n", NodeRoles.Node, 1, Now, Now));
        Assert.Throws<ArgumentException>(() => ca.Revoke(node.Id, 0, Now, new string('ü', 33)));
        Assert.Throws<ArgumentNullException>(() => ca.Revoke(node.Id, 0, Now, null!));
    }
}
