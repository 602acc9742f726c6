using System.Collections.Immutable;
using Evernet.Dataplane.State;

namespace Evernet.Dataplane.Planning;

/// <summary>Installed routing objects relevant to evernet: all nexthops, and the routes and rules carrying evernet's protocol.</summary>
internal sealed record RoutingState(ImmutableArray<InstalledNexthop> Nexthops, ImmutableArray<InstalledRoute> Routes, ImmutableArray<InstalledRule> Rules)
{
    public static RoutingState Empty { get; } = new([], [], []);
}
