using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Policy.Tests;

/// <summary>
/// Builds mesh views directly, as the core would hand them over after verification. Signatures are dummy bytes: the
/// policy engine never verifies (the core already has); it re-checks certificate validity, roles and revocations.
/// </summary>
internal static class Mesh
{
    public static readonly NodeId Authority = Id("authority");
    public const long Now = 1_750_000_000_000;
    private static readonly ReadOnlyMemory<byte> DummySignature = new byte[64];

    public static NodeId Id(string seed) => NodeId.FromBytes(SHA256.HashData(Encoding.UTF8.GetBytes("id:" + seed)));
    public static byte[] WgKey(string seed) => SHA256.HashData(Encoding.UTF8.GetBytes("wg:" + seed));

    public static MembershipCertificate Cert(string name, NodeRoles roles, ulong serial = 1, long notBefore = 0, long notAfter = long.MaxValue / 2, byte[]? wgKey = null) =>
        new(Id(name), wgKey ?? WgKey(name), name, roles, serial, notBefore, notAfter, Authority, DummySignature);

    public static LocalNode Local(string name, NodeRoles roles, params string[] clientPrefixes) =>
        new(Id(name), Cert(name, roles), [.. clientPrefixes]);

    public static MemberView Member(
        string name, NodeRoles roles, string[]? addresses = null, string[]? prefixes = null,
        MemberState state = MemberState.Alive, long stateSince = Now - 3_600_000, MembershipCertificate? cert = null)
    {
        cert ??= Cert(name, roles);
        var record = new NodeRecord(cert.Node, 1, Now - 1000, 1, state == MemberState.Left, [.. addresses ?? ["192.0.2.1:7946"]], [.. prefixes ?? []], cert, DummySignature);
        return new MemberView(cert.Node, name, roles, state, 1, stateSince, record);
    }

    public static GatewaySummary Summary(
        string name, UplinkState uplink = UplinkState.Up, double capacityMbps = 100, double loadMbps = 0, bool draining = false,
        long? at = null, double capacityUpMbps = 40, double loadUpMbps = 0, ImmutableArray<ProbeTargetStats> targets = default) =>
        new(Id(name), 1, at ?? Now - 1000, uplink, targets.IsDefault ? [] : targets,
            (ulong)(capacityMbps * 1e6), (ulong)(capacityUpMbps * 1e6), (ulong)(loadMbps * 1e6), (ulong)(loadUpMbps * 1e6),
            0, 0, draining, DummySignature);

    public static GatewayView Gateway(
        string name, GatewaySummary? summary, bool usable = true, UsabilityReason reason = UsabilityReason.Usable,
        long usableSince = Now - 3_600_000, double rttMs = 5, double loss = 0, string[]? addresses = null) =>
        new(Id(name), name, WgKey(name), [.. addresses ?? ["192.0.2.1:7946"]], summary, Now - 1000, usable, reason, usableSince, Now - 100, rttMs, loss);

    public static MeshView View(long at, NodeId self, IEnumerable<MemberView> members, IEnumerable<GatewayView> gateways, IEnumerable<Revocation>? revocations = null) =>
        new(at, self, 1, 0, [.. members], [.. gateways], [.. revocations ?? []]);

    public static Revocation Revoke(string name, ulong serial = 0) => new(Id(name), serial, Now / 1000 - 10, "test", Authority, DummySignature);

    /// <summary>A simple healthy mesh: the given gateways (name, capacity Mbps, load Mbps) plus a few nodes.</summary>
    public static MeshView Healthy(long at, string self, params (string Name, double Cap, double Load)[] gateways)
    {
        var members = gateways.Select((g, i) => Member(g.Name, NodeRoles.Gateway, [$"10.0.0.{i + 1}:7946"])).ToList();
        members.Add(Member(self, NodeRoles.Node, ["10.0.1.1:7946"], ["192.168.1.0/24"]));
        var views = gateways.Select((g, i) => Gateway(g.Name, Summary(g.Name, capacityMbps: g.Cap, loadMbps: g.Load, at: at - 1000), addresses: [$"10.0.0.{i + 1}:7946"]));
        return View(at, Id(self), members, views);
    }
}
