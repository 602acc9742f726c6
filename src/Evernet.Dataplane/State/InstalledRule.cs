using System.Net.Sockets;

namespace Evernet.Dataplane.State;

/// <summary>A policy rule from <c>ip -N -j rule show</c>. <see cref="Source"/> null means "from all"; <see cref="Table"/> null means a non-lookup action.</summary>
internal sealed record InstalledRule(
    AddressFamily Family,
    int Priority,
    IpPrefix? Source,
    uint? FirewallMark,
    uint? FirewallMask,
    int? Table,
    int? Protocol);
