using System.Collections.Immutable;
using Evernet.Dataplane.Commands;

namespace Evernet.Dataplane.Planning;

/// <summary>
/// Ordered commands that take the installed routing state to the desired one (empty when already there), plus the
/// gateway slots used for connection marks in that mode.
/// </summary>
internal sealed record RoutingPlan(ImmutableArray<Command> Commands, ImmutableDictionary<HopKey, int> GatewaySlots);
