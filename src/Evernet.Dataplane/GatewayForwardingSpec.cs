using System.Collections.Immutable;

namespace Evernet.Dataplane;

/// <summary>
/// Gateway side: traffic arriving from the mesh over <see cref="TunnelInterfaces"/> is forwarded to the uplink
/// <see cref="WanInterface"/> and masqueraded behind the uplink's address; replies come back.
/// </summary>
public sealed record GatewayForwardingSpec(string WanInterface, ImmutableArray<string> TunnelInterfaces, bool IPv6 = false);
