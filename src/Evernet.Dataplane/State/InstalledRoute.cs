using System.Net;
using System.Net.Sockets;

namespace Evernet.Dataplane.State;

/// <summary>A route from <c>ip -N -j route show table all</c>. <see cref="Type"/> is the rtnetlink type name ("unicast", "unreachable", ...).</summary>
internal sealed record InstalledRoute(
    AddressFamily Family,
    int Table,
    string Destination,
    string Type,
    uint? NexthopId,
    string? Device,
    IPAddress? Gateway,
    int? Metric,
    int? Protocol);
