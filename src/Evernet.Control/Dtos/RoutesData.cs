namespace Evernet.Control.Dtos;

/// <summary>Answer to "routes": each routing table evernetd manages (the default multipath route and one per traffic class).</summary>
public sealed record RoutesData(IReadOnlyList<RouteTableStatus> Tables);

/// <summary>
/// <see cref="Mode"/> is "resilient" (a resilient nexthop group: weight changes move no active flow) or
/// "ctmark" (conntrack marks pin flows; used where the kernel lacks resilient groups).
/// <see cref="InSync"/> is true when every installed weight equals the one the policy wanted.
/// </summary>
public sealed record RouteTableStatus(
    string Name,
    int Table,
    string Mode,
    IReadOnlyList<string> SourcePrefixes,
    IReadOnlyList<RouteNexthopStatus> Nexthops,
    bool InSync);

/// <summary>
/// One gateway next hop. <see cref="InstalledWeight"/> is what the kernel has (null: not installed),
/// <see cref="DesiredWeight"/> what the policy wants (null: the policy wants it gone).
/// </summary>
public sealed record RouteNexthopStatus(string Gateway, string Interface, int? InstalledWeight, int? DesiredWeight);
