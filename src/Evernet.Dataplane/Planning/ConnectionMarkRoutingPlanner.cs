using System.Collections.Immutable;
using Evernet.Dataplane.Commands;
using Evernet.Dataplane.State;

namespace Evernet.Dataplane.Planning;

/// <summary>
/// Diff for the connection-mark fallback (kernels without resilient nexthop groups): every gateway hop gets a slot
/// s (stable, read back from the installed per-gateway tables), a table <c>GatewayTableBase + s</c> with a plain
/// default route out of it, and a rule <c>fwmark (ConnectionMarkBase | s) lookup</c> that table. nftables (see
/// <see cref="ClassifierTableBuilder"/>) assigns the marks per connection. The default table holds a plain weighted
/// multipath route: the first routing decision for locally generated packets happens before nftables marks them
/// (the output hook then re-routes by mark), and it catches client packets that somehow got no mark.
/// </summary>
internal static class ConnectionMarkRoutingPlanner
{
    public static RoutingPlan Plan(RoutingIntent intent, RoutingState state, DataplaneOptions options)
    {
        var protocol = options.RouteProtocol;
        var layout = new NexthopIdLayout(options.NexthopIdBase);
        var slots = AllocateSlots(intent, state, options);
        var commands = new List<Command>();
        var keptRoutes = new HashSet<InstalledRoute>();
        var rules = ImmutableArray.CreateBuilder<RuleIntent>();

        foreach (var family in intent.Families)
        {
            foreach (var (hop, slot) in slots.OrderBy(static s => s.Value))
            {
                var table = options.GatewayTableBase + slot;
                var key = ResilientRoutingPlanner.ForFamily(hop, family);
                var installed = state.Routes.FirstOrDefault(r => r.Family.ToIpFamily() == family && r.Table == table && r.Destination == "default");
                if (installed is { Type: "unicast", NexthopId: null } && installed.Device == key.Device && Equals(installed.Gateway, key.Via))
                {
                    keptRoutes.Add(installed);
                }
                else
                {
                    commands.Add(IpCommands.RouteReplaceDevice(family, table, key, protocol));
                }

                rules.Add(new RuleIntent(family, intent.DefaultPriority, null, options.ConnectionMarkFor(slot), table));
            }

            if (intent.Default is { } defaultTable)
            {
                var installed = state.Routes.FirstOrDefault(r => r.Family.ToIpFamily() == family && r.Table == defaultTable.Table && r.Destination == "default");
                if (defaultTable.Hops.IsEmpty)
                {
                    if (installed is { Type: "unreachable" })
                    {
                        keptRoutes.Add(installed);
                    }
                    else
                    {
                        commands.Add(IpCommands.RouteReplaceUnreachable(family, defaultTable.Table, protocol));
                    }
                }
                else
                {
                    var hops = defaultTable.Hops
                        .GroupBy(h => ResilientRoutingPlanner.ForFamily(h.Key, family))
                        .Select(static g => (Hop: g.Key, Weight: Math.Min(256, g.Sum(static h => h.Weight))))
                        .ToArray();
                    if (family == IpFamily.V6 && hops.Length > 1 && hops.Any(static h => h.Hop.Via is null))
                    {
                        // The kernel refuses device-only IPv6 multipath routes; the marks do the balancing anyway,
                        // this route only serves first lookups, so the heaviest hop will do.
                        hops = [hops.MaxBy(static h => h.Weight)];
                    }

                    if (installed is { Type: "unicast", NexthopId: null } && SameHops(installed.Hops, hops))
                    {
                        keptRoutes.Add(installed);
                    }
                    else
                    {
                        commands.Add(hops.Length == 1
                            ? IpCommands.RouteReplaceDevice(family, defaultTable.Table, hops[0].Hop, protocol)
                            : IpCommands.RouteReplaceMultipath(family, defaultTable.Table, hops, protocol));
                    }
                }
            }
        }

        if (intent.Default is { } route)
        {
            // After the fwmark rules, so marked client traffic never reaches the safety net.
            rules.AddRange(intent.ClientPrefixes.Select(p => new RuleIntent(p.Family.ToIpFamily(), Math.Min(32766, intent.DefaultPriority + 1), p, null, route.Table)));
        }

        commands.AddRange(ResilientRoutingPlanner.RuleDiff(rules.ToImmutable(), state.Rules, protocol));
        commands.AddRange(state.Routes.Where(r => !keptRoutes.Contains(r) && !IsReplaced(r, intent, slots, options)).Select(IpCommands.RouteDelete));
        var owned = state.Nexthops.Where(n => layout.IsOwned(n.Id)).ToArray();
        commands.AddRange(owned.Where(static n => n.IsGroup).OrderBy(static n => n.Id).Select(static n => IpCommands.NexthopDelete(n.Id)));
        commands.AddRange(owned.Where(static n => !n.IsGroup).OrderBy(static n => n.Id).Select(static n => IpCommands.NexthopDelete(n.Id)));
        return new RoutingPlan([.. commands], slots);
    }

    /// <summary>A single-hop route forgets its weight, so weights only count with several hops.</summary>
    private static bool SameHops(ImmutableArray<RouteHop> installed, (HopKey Hop, int Weight)[] desired) =>
        installed.Length == desired.Length
        && (desired.Length == 1
            ? installed[0].Device == desired[0].Hop.Device && Equals(installed[0].Gateway, desired[0].Hop.Via)
            : installed.Select(static h => (h.Device, h.Gateway?.ToString(), h.Weight)).ToHashSet()
                .SetEquals(desired.Select(static d => (d.Hop.Device, d.Hop.Via?.ToString(), d.Weight))));

    private static ImmutableDictionary<HopKey, int> AllocateSlots(RoutingIntent intent, RoutingState state, DataplaneOptions options)
    {
        var installedSlots = state.Routes
            .Where(r => r.Destination == "default" && r.Device is not null
                && r.Table > options.GatewayTableBase && r.Table <= options.GatewayTableBase + DataplaneOptions.MaxGatewaySlots)
            .ToArray();
        var taken = new HashSet<int>(installedSlots.Select(r => r.Table - options.GatewayTableBase));
        var slots = ImmutableDictionary.CreateBuilder<HopKey, int>();
        var assigned = new HashSet<int>();
        var unplaced = new List<HopKey>();
        foreach (var hop in intent.AllHops)
        {
            var match = installedSlots.FirstOrDefault(r =>
                r.Device == hop.Device
                && Equals(r.Gateway, ResilientRoutingPlanner.ForFamily(hop, r.Family.ToIpFamily()).Via)
                && !assigned.Contains(r.Table - options.GatewayTableBase));
            if (match is null)
            {
                unplaced.Add(hop);
            }
            else
            {
                var slot = match.Table - options.GatewayTableBase;
                slots[hop] = slot;
                assigned.Add(slot);
            }
        }

        foreach (var hop in unplaced)
        {
            var slot = Enumerable.Range(1, DataplaneOptions.MaxGatewaySlots).FirstOrDefault(s => !taken.Contains(s) && !assigned.Contains(s));
            if (slot == 0)
            {
                throw new DataplaneConfigurationException($"more than {DataplaneOptions.MaxGatewaySlots} gateway hops in connection-mark mode");
            }

            slots[hop] = slot;
            assigned.Add(slot);
            taken.Add(slot);
        }

        return slots.ToImmutable();
    }

    private static bool IsReplaced(InstalledRoute route, RoutingIntent intent, ImmutableDictionary<HopKey, int> slots, DataplaneOptions options) =>
        route.Destination == "default"
        && intent.Families.Contains(route.Family.ToIpFamily())
        && route.Metric is null or 0 or 1024
        && (intent.Default?.Table == route.Table || slots.Values.Any(s => options.GatewayTableBase + s == route.Table));
}
