using Evernet.Gossip.Identity;

namespace Evernet.Control.Mapping;

/// <summary>What the daemon knows about itself that the mesh view does not carry.</summary>
public sealed record LocalNodeInput(string Name, NodeRoles Roles, string Version, long StartedAtUnixMs, bool Draining);

/// <summary>This node's route weight for one gateway, as the policy computed it.</summary>
public sealed record GatewayWeightInput(NodeId Gateway, int Weight);

public enum TunnelState : byte
{
    Up = 0,
    Down = 1,
    /// <summary>The policy wants a tunnel but the interface does not exist.</summary>
    Missing = 2,
}

/// <summary>The tunnel this node has to a gateway. <see cref="LastHandshakeUnixMs"/> null: no handshake yet.</summary>
public sealed record TunnelInput(NodeId Gateway, string Interface, TunnelState State, long? LastHandshakeUnixMs);

public enum RouteMode : byte
{
    /// <summary>A resilient nexthop group: a weight change moves no active flow.</summary>
    Resilient = 0,
    /// <summary>Conntrack marks pin flows to a gateway (kernels without resilient groups).</summary>
    CtMark = 1,
}

/// <summary>A weighted next hop through a gateway's tunnel.</summary>
public sealed record NexthopWeightInput(string Gateway, string Interface, int Weight);

/// <summary>One routing table evernetd manages: what the policy wants and what the kernel has (null: never read back).</summary>
public sealed record RouteTableInput(
    string Name,
    int Table,
    RouteMode Mode,
    IReadOnlyList<string> SourcePrefixes,
    IReadOnlyList<NexthopWeightInput> Desired,
    IReadOnlyList<NexthopWeightInput>? Installed);
