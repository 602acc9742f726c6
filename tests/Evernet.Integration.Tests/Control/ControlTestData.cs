using System.Collections.Immutable;
using Evernet.Control.Mapping;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Integration.Tests.Control;

/// <summary>Mesh views as the core would hand them to the daemon: plain records, no signing needed to show them.</summary>
internal static class ControlTestData
{
    public const long Now = 1_760_000_000_000;

    public static NodeId Id(byte seed)
    {
        var bytes = new byte[NodeId.Size];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(seed * 31 + i);
        return NodeId.FromBytes(bytes);
    }

    public static MembershipCertificate Certificate(NodeId node, string name, NodeRoles roles) =>
        new(node, new byte[32], name, roles, 7, Now / 1000 - 86_400, Now / 1000 + 86_400 * 365, Id(200), new byte[64]);

    public static MemberView Member(byte seed, string name, NodeRoles roles, MemberState state, params string[] addresses)
    {
        var id = Id(seed);
        var record = new NodeRecord(id, 3, Now - 5_000, 4, state == MemberState.Left, [.. addresses], [], Certificate(id, name, roles), new byte[64]);
        return new MemberView(id, name, roles, state, 4, Now - 90_000, record);
    }

    public static GatewaySummary Summary(NodeId gateway, UplinkState uplink, long ageMs, ushort lossPermille = 5, uint rttMicros = 12_000, bool draining = false) =>
        new(gateway, 42, Now - ageMs, uplink,
            [new ProbeTargetStats("9.9.9.9", lossPermille, rttMicros, 400), new ProbeTargetStats("1.1.1.1", lossPermille, rttMicros + 2_000, 600)],
            100_000_000, 40_000_000, 43_000_000, 2_000_000, 120, 30, draining, new byte[64]);

    public static GatewayView Gateway(byte seed, string name, GatewaySummary? summary, bool usable, UsabilityReason reason) =>
        new(Id(seed), name, new byte[32], ["192.0.2.1:7946"], summary, Now - 800, usable, reason, Now - 192_000, Now - 300, 3.25, 0.01);

    /// <summary>A node in a mesh of 5 members and 3 gateways, 2 of them usable unless <paramref name="noneUsable"/>.</summary>
    public static MeshView View(bool noneUsable = false, string longNames = "")
    {
        var north = Id(1);
        var south = Id(2);
        var east = Id(3);
        var members = ImmutableArray.Create(
            Member(1, "gw-north" + longNames, NodeRoles.Node | NodeRoles.Gateway, MemberState.Alive, "192.0.2.1:7946", "[2001:db8::1]:7946"),
            Member(2, "gw-south" + longNames, NodeRoles.Node | NodeRoles.Gateway, MemberState.Alive, "192.0.2.2:7946"),
            Member(3, "gw-east" + longNames, NodeRoles.Node | NodeRoles.Gateway, MemberState.Suspect, "192.0.2.3:7946"),
            Member(10, "r17", NodeRoles.Node, MemberState.Alive, "192.0.2.17:7946"),
            Member(11, "r18", NodeRoles.Node, MemberState.Dead, "192.0.2.18:7946"),
            Member(12, "r19", NodeRoles.Node, MemberState.Left));
        var gateways = ImmutableArray.Create(
            Gateway(1, "gw-north" + longNames, Summary(north, UplinkState.Up, 800), !noneUsable, noneUsable ? UsabilityReason.Unreachable : UsabilityReason.Usable),
            Gateway(2, "gw-south" + longNames, Summary(south, UplinkState.Degraded, 1_200, lossPermille: 40, rttMicros: 38_000), !noneUsable,
                noneUsable ? UsabilityReason.Unreachable : UsabilityReason.Usable),
            Gateway(3, "gw-east" + longNames, Summary(east, UplinkState.Down, 12_000), false, UsabilityReason.UplinkDown),
            Gateway(4, "gw-west" + longNames, null, false, UsabilityReason.NoSummaryYet));
        return new MeshView(Now, Id(10), 4, 0, members, gateways, []);
    }

    public static IReadOnlyList<GatewayWeightInput> Weights(bool noneUsable = false) =>
        noneUsable ? [] : [new GatewayWeightInput(Id(1), 60), new GatewayWeightInput(Id(2), 40)];

    public static IReadOnlyList<TunnelInput> Tunnels() =>
    [
        new TunnelInput(Id(1), "wg-gw-north", TunnelState.Up, Now - 14_000),
        new TunnelInput(Id(2), "wg-gw-south", TunnelState.Up, Now - 62_000),
        new TunnelInput(Id(3), "wg-gw-east", TunnelState.Down, null),
    ];

    public static LocalNodeInput Local() => new("r17", NodeRoles.Node, "0.1.0-test", Now - 273_120_000, false);

    public static IReadOnlyList<RouteTableInput> Routes() =>
    [
        new RouteTableInput("default", 100, RouteMode.Resilient, ["10.17.0.0/24"],
            [new NexthopWeightInput("gw-north", "wg-gw-north", 60), new NexthopWeightInput("gw-south", "wg-gw-south", 40)],
            [new NexthopWeightInput("gw-north", "wg-gw-north", 60), new NexthopWeightInput("gw-south", "wg-gw-south", 40)]),
        new RouteTableInput("voip", 101, RouteMode.CtMark, [],
            [new NexthopWeightInput("gw-north", "wg-gw-north", 1)],
            [new NexthopWeightInput("gw-south", "wg-gw-south", 1)]),
    ];
}
