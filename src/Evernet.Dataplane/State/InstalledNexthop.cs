using System.Collections.Immutable;
using System.Net;

namespace Evernet.Dataplane.State;

/// <summary>A nexthop object (<c>ip -N -j nexthop show</c>): a single hop (device, gateway) or a group of other nexthops.</summary>
internal sealed record InstalledNexthop(
    uint Id,
    string? Device,
    IPAddress? Gateway,
    bool IsBlackhole,
    int? Protocol,
    ImmutableArray<NexthopGroupMember> Members,
    bool IsResilient,
    int? Buckets,
    int? IdleTimerSeconds)
{
    public bool IsGroup => !Members.IsDefaultOrEmpty;
}

/// <summary>One member of a nexthop group; the kernel omits weight 1 in JSON, the parser fills it in.</summary>
internal readonly record struct NexthopGroupMember(uint Id, int Weight);
