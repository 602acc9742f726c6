using System.Runtime.Versioning;
using System.Text;
using Evernet.Daemon.State;
using Evernet.Gossip.Identity;

namespace Evernet.Integration.Tests.State;

[UnsupportedOSPlatform("windows")]
public sealed class CertificateFileTests
{
    private static MembershipCertificate Sample()
    {
        using var node = NodeKeyPair.FromPrivateSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        using var authority = NodeKeyPair.FromPrivateSeed(Enumerable.Repeat((byte)2, 32).ToArray());
        return new MembershipCertificate(node.Id, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), "router-17",
            NodeRoles.Node | NodeRoles.Gateway, 7, 1_735_689_600, 1_767_225_600, authority.Id, Enumerable.Repeat((byte)9, 64).ToArray());
    }

    private static void AssertSame(MembershipCertificate expected, MembershipCertificate actual)
    {
        Assert.Equal(expected.Node, actual.Node);
        Assert.Equal(expected.WireGuardPublicKey.ToArray(), actual.WireGuardPublicKey.ToArray());
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Roles, actual.Roles);
        Assert.Equal(expected.Serial, actual.Serial);
        Assert.Equal(expected.NotBeforeUnixSeconds, actual.NotBeforeUnixSeconds);
        Assert.Equal(expected.NotAfterUnixSeconds, actual.NotAfterUnixSeconds);
        Assert.Equal(expected.Authority, actual.Authority);
        Assert.Equal(expected.Signature.ToArray(), actual.Signature.ToArray());
    }

    [Fact]
    public void Round_trips_through_a_public_file()
    {
        using var temp = new TempDirectory();
        var path = temp.File("node.cert");
        var cert = Sample();
        CertificateFile.Write(path, cert);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        AssertSame(cert, CertificateFile.Read(path));
        var json = File.ReadAllText(path);
        Assert.Contains("\"format\": \"evernet-certificate\"", json);
        Assert.Contains("\"not_before_unix_seconds\": 1735689600", json);
        Assert.Contains("\"roles\": [", json);
    }

    [Fact]
    public void Reads_the_documented_format_as_written_by_hand_or_by_evernetctl()
    {
        var cert = Sample();
        var json = $$"""
            {
              "format": "evernet-certificate",
              "version": 1,
              "node_id": "{{cert.Node.ToHex()}}",
              "wireguard_public_key": "{{Convert.ToBase64String(cert.WireGuardPublicKey.Span)}}",
              "name": "router-17",
              "roles": ["gateway", "node"],
              "serial": 7,
              "not_before_unix_seconds": 1735689600,
              "not_after_unix_seconds": 1767225600,
              "authority": "{{cert.Authority.ToHex()}}",
              "signature": "{{Convert.ToBase64String(cert.Signature.Span)}}"
            }
            """;
        AssertSame(cert, CertificateFile.Parse(Encoding.UTF8.GetBytes(json), "inline"));
    }

    [Theory]
    [InlineData("not json", "not a certificate file")]
    [InlineData("null", "null")]
    [InlineData("{\"format\":\"evernet-revocation\",\"version\":1}", "format is \"evernet-revocation\"")]
    [InlineData("{\"format\":\"evernet-certificate\",\"version\":2}", "version 2 is not supported")]
    [InlineData("{\"format\":\"evernet-certificate\",\"version\":1,\"node_id\":\"abc\"}", "node_id must be 64 hex digits")]
    public void Malformed_files_name_the_file_and_the_field(string json, string expected)
    {
        var error = Assert.Throws<StateFileException>(() => CertificateFile.Parse(Encoding.UTF8.GetBytes(json), "/etc/evernet/node.cert"));
        Assert.StartsWith("/etc/evernet/node.cert: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("signature", "AAAA", "signature must be 64 bytes")]
    [InlineData("wireguard_public_key", "AAAA", "wireguard_public_key must be 32 bytes")]
    [InlineData("name", "two words", "name must be")]
    [InlineData("not_after_unix_seconds", 100, "not_after_unix_seconds must be after")]
    public void Each_field_is_checked(string field, object value, string expected)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(CertificateFile.Serialize(Sample()))!;
        node[field] = value is string s ? s : System.Text.Json.Nodes.JsonValue.Create((int)value);
        var error = Assert.Throws<StateFileException>(() => CertificateFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), "c"));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Unknown_roles_are_refused()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(CertificateFile.Serialize(Sample()))!;
        node["roles"] = new System.Text.Json.Nodes.JsonArray("node", "superuser");
        Assert.Contains("unknown role 'superuser'", Assert.Throws<StateFileException>(() => CertificateFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), "c")).Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        Assert.Contains("/nonexistent/node.cert", Assert.Throws<StateFileException>(() => CertificateFile.Read("/nonexistent/node.cert")).Message);
    }
}
