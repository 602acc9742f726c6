using System.Collections.Immutable;

namespace Evernet.Dataplane.State;

/// <summary>A network interface as <c>ip -d -j addr show</c> reports it. <see cref="Kind"/> is "wireguard" (kernel), "tun" (wireguard-go), "veth", ...</summary>
internal sealed record InstalledLink(string Name, string? Kind, int Mtu, bool IsUp, string? Alias, ImmutableArray<IpPrefix> Addresses);
