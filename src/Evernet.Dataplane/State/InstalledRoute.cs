using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Evernet.Dataplane.State;

/// <summary>
/// A route from <c>ip -N -j route show table all</c>. <see cref="Type"/> is the rtnetlink type name ("unicast",
/// "unreachable", ...). <see cref="Hops"/> lists where it leads: one entry for a plain route, several for a multipath one
/// (for a <see cref="NexthopId"/> route, the group's current members).
/// </summary>
internal sealed record InstalledRoute(
    AddressFamily Family,
    int Table,
    string Destination,
    string Type,
    uint? NexthopId,
    string? Device,
    IPAddress? Gateway,
    int? Metric,
    int? Protocol)
{
    public ImmutableArray<RouteHop> Hops { get; init; } = [];
}

internal readonly record struct RouteHop(string Device, IPAddress? Gateway, int Weight);
