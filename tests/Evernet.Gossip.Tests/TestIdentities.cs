using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;

namespace Evernet.Gossip.Tests;

/// <summary>Deterministic keys and signed fixtures for identity and wire tests.</summary>
internal static class TestIdentities
{
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    public static NodeKeyPair Key(byte tag)
    {
        var seed = new byte[32];
        seed[0] = tag;
        seed[31] = 0x5a;
        return NodeKeyPair.FromPrivateSeed(seed);
    }

    public static byte[] WireGuardKey(byte tag)
    {
        var seed = new byte[32];
        seed[0] = tag;
        using var wg = WireGuardKeyPair.FromSeed(seed);
        return wg.PublicKey.ToArray();
    }

    public static MembershipCertificate Certificate(NodeKeyPair authority, NodeId node, ulong serial = 1, NodeRoles roles = NodeRoles.Node,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string name = "router-1") =>
        new CertificateAuthority(authority).Issue(node, WireGuardKey(1), name, roles, serial,
            notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(30));

    public static NodeRecord Record(NodeKeyPair origin, MembershipCertificate certificate) =>
        Signing.SignNodeRecord(new NodeRecord(origin.Id, 7, Now.ToUnixTimeMilliseconds(), 3, false,
            ["192.0.2.10:7946", "[fd00::10]:7946"], ["10.23.4.0/24"], certificate, ReadOnlyMemory<byte>.Empty), origin);

    public static GatewaySummary Summary(NodeKeyPair origin) =>
        Signing.SignGatewaySummary(new GatewaySummary(origin.Id, 42, Now.ToUnixTimeMilliseconds(), UplinkState.Up,
            [new ProbeTargetStats("9.9.9.9", 5, 12_500, 800), new ProbeTargetStats("1.1.1.1", 0, 11_000, 400)],
            100_000_000, 40_000_000, 23_000_000, 4_000_000, 812, 57, false, ReadOnlyMemory<byte>.Empty), origin);

    public static Accusation Accusation(NodeKeyPair accuser, NodeId target) =>
        Signing.SignAccusation(new Accusation(target, 3, Verdict.Suspect, accuser.Id, Now.ToUnixTimeMilliseconds(), ReadOnlyMemory<byte>.Empty), accuser);

    public static ImmutableArray<IGossipItem> Empty => ImmutableArray<IGossipItem>.Empty;
}
