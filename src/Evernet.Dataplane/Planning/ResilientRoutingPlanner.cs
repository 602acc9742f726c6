using System.Collections.Immutable;
using Evernet.Dataplane.Commands;
using Evernet.Dataplane.State;

namespace Evernet.Dataplane.Planning;

/// <summary>
/// Diff for resilient-nexthop-group mode: one member nexthop per (family, device, via), one resilient group per
/// (family, table), <c>default nhid GROUP</c> in each table, and the policy rules. Weight changes replace the group in
/// place, which the kernel applies by migrating only idle buckets; a bucket-count change needs delete and re-create.
/// </summary>
internal static class ResilientRoutingPlanner
{
    public static RoutingPlan Plan(RoutingIntent intent, RoutingState state, DataplaneOptions options)
    {
        var layout = new NexthopIdLayout(options.NexthopIdBase);
        var protocol = options.RouteProtocol;
        var owned = state.Nexthops.Where(n => layout.IsOwned(n.Id)).ToDictionary(static n => n.Id);
        var taken = new HashSet<uint>(owned.Keys);
        var wanted = new HashSet<uint>();
        var commands = new List<Command>();

        var memberIds = new Dictionary<(IpFamily, HopKey), uint>();
        foreach (var family in intent.Families)
        {
            var existing = owned.Values
                .Where(n => layout.IsMember(n.Id, family) && !n.IsGroup && n.Device is not null)
                .GroupBy(static n => new HopKey(n.Device!, n.Gateway))
                .ToDictionary(static g => g.Key, static g => g.Min(static n => n.Id));
            foreach (var hop in intent.AllHops)
            {
                var key = ForFamily(hop, family);
                if (memberIds.ContainsKey((family, key)))
                {
                    continue;
                }

                var id = existing.TryGetValue(key, out var reused) ? reused : NexthopIdLayout.Allocate(layout.FirstMember(family), taken);
                memberIds[(family, key)] = id;
                wanted.Add(id);
                var installed = owned.GetValueOrDefault(id);
                if (installed is { IsGroup: true })
                {
                    commands.Add(IpCommands.NexthopDelete(id));
                    installed = null;
                }

                if (installed is null || installed.Device != key.Device || !Equals(installed.Gateway, key.Via) || installed.Protocol != protocol)
                {
                    commands.Add(IpCommands.NexthopReplace(family, id, key, protocol));
                }
            }
        }

        var routeCommands = new List<Command>();
        var keptRoutes = new HashSet<InstalledRoute>();
        foreach (var family in intent.Families)
        {
            foreach (var table in intent.Tables)
            {
                var installedRoute = state.Routes.FirstOrDefault(r =>
                    r.Family.ToIpFamily() == family && r.Table == table.Table && r.Destination == "default");
                if (table.Hops.IsEmpty)
                {
                    // No usable gateway: refuse client traffic rather than let it leak out of the main table.
                    if (installedRoute is { Type: "unreachable" })
                    {
                        keptRoutes.Add(installedRoute);
                    }
                    else
                    {
                        routeCommands.Add(IpCommands.RouteReplaceUnreachable(family, table.Table, protocol));
                    }

                    continue;
                }

                var members = table.Hops
                    .GroupBy(h => memberIds[(family, ForFamily(h.Key, family))])
                    .Select(static g => new NexthopGroupMember(g.Key, Math.Min(256, g.Sum(static h => h.Weight))))
                    .OrderBy(static m => m.Id)
                    .ToImmutableArray();

                var groupId = installedRoute?.NexthopId is { } routed && layout.IsGroup(routed, family) && !wanted.Contains(routed)
                    ? routed
                    : OrphanedGroup(owned.Values, family, members, layout, state.Routes, wanted)
                        ?? NexthopIdLayout.Allocate(layout.FirstGroup(family), taken);
                taken.Add(groupId);
                wanted.Add(groupId);

                var group = owned.GetValueOrDefault(groupId);
                var recreated = false;
                if (group is not null && (!group.IsGroup || !group.IsResilient || group.Buckets != table.Buckets))
                {
                    // The kernel cannot change a resilient group's bucket count or type in place.
                    commands.Add(IpCommands.NexthopDelete(groupId));
                    group = null;
                    recreated = true;
                }

                if (group is null
                    || !group.Members.OrderBy(static m => m.Id).SequenceEqual(members)
                    || group.IdleTimerSeconds != table.IdleTimerSeconds
                    || group.Protocol != protocol)
                {
                    commands.Add(IpCommands.ResilientGroupReplace(groupId, members, table.Buckets, table.IdleTimerSeconds, protocol));
                }

                if (!recreated && installedRoute is { Type: "unicast" } && installedRoute.NexthopId == groupId)
                {
                    keptRoutes.Add(installedRoute);
                }
                else
                {
                    routeCommands.Add(IpCommands.RouteReplaceGroup(family, table.Table, groupId, protocol));
                }
            }
        }

        commands.AddRange(routeCommands);
        commands.AddRange(RuleDiff(DesiredRules(intent), state.Rules, protocol));
        commands.AddRange(state.Routes.Where(r => !keptRoutes.Contains(r) && !IsReplaced(r, intent)).Select(IpCommands.RouteDelete));
        commands.AddRange(owned.Values.Where(n => n.IsGroup && !wanted.Contains(n.Id)).OrderBy(static n => n.Id).Select(static n => IpCommands.NexthopDelete(n.Id)));
        commands.AddRange(owned.Values.Where(n => !n.IsGroup && !wanted.Contains(n.Id)).OrderBy(static n => n.Id).Select(static n => IpCommands.NexthopDelete(n.Id)));
        return new RoutingPlan([.. commands], ImmutableDictionary<HopKey, int>.Empty);
    }

    /// <summary>
    /// A group of ours that no route uses any more (someone deleted the route): reusing it, best one with the same
    /// members, keeps its buckets and so the flows on them.
    /// </summary>
    private static uint? OrphanedGroup(
        IEnumerable<InstalledNexthop> owned,
        IpFamily family,
        ImmutableArray<NexthopGroupMember> members,
        NexthopIdLayout layout,
        ImmutableArray<InstalledRoute> routes,
        HashSet<uint> wanted)
    {
        var referenced = routes.Where(static r => r.NexthopId is not null).Select(static r => r.NexthopId!.Value).ToHashSet();
        var orphans = owned
            .Where(n => n.IsGroup && layout.IsGroup(n.Id, family) && !referenced.Contains(n.Id) && !wanted.Contains(n.Id))
            .OrderBy(static n => n.Id)
            .ToArray();
        var memberIds = members.Select(static m => m.Id).ToHashSet();
        return (orphans.FirstOrDefault(n => n.Members.OrderBy(static m => m.Id).SequenceEqual(members))
            ?? orphans.FirstOrDefault(n => n.Members.Select(static m => m.Id).ToHashSet().SetEquals(memberIds))
            ?? orphans.FirstOrDefault())?.Id;
    }

    /// <summary>The hop as a member of the given family: a via of the other family does not apply (dev-only nexthop then).</summary>
    internal static HopKey ForFamily(HopKey hop, IpFamily family) =>
        hop.Via is not null && hop.Via.AddressFamily.ToIpFamily() != family ? hop with { Via = null } : hop;

    internal static ImmutableArray<RuleIntent> DesiredRules(RoutingIntent intent)
    {
        var rules = ImmutableArray.CreateBuilder<RuleIntent>();
        if (intent.Default is { } defaultTable)
        {
            rules.AddRange(intent.ClientPrefixes.Select(p => new RuleIntent(p.Family.ToIpFamily(), intent.DefaultPriority, p, null, defaultTable.Table)));
        }

        foreach (var traffic in intent.Classes)
        {
            rules.AddRange(intent.Families.Select(f => new RuleIntent(f, traffic.Priority, null, traffic.Mark, traffic.Table.Table)));
        }

        return rules.ToImmutable();
    }

    /// <summary>Adds for missing rules, deletes for evernet rules nobody wants any more.</summary>
    internal static IEnumerable<Command> RuleDiff(ImmutableArray<RuleIntent> desired, ImmutableArray<InstalledRule> installed, int protocol)
    {
        foreach (var rule in desired.Distinct())
        {
            if (!installed.Any(rule.Matches))
            {
                yield return IpCommands.RuleAdd(rule, protocol);
            }
        }

        foreach (var rule in installed)
        {
            if (!desired.Any(d => d.Matches(rule)))
            {
                yield return IpCommands.RuleDelete(rule);
            }
        }
    }

    /// <summary>A default route the plan replaces in place needs no separate delete.</summary>
    private static bool IsReplaced(InstalledRoute route, RoutingIntent intent) =>
        route.Destination == "default"
        && intent.Families.Contains(route.Family.ToIpFamily())
        && intent.Tables.Any(t => t.Table == route.Table)
        && route.Metric is null or 0 or 1024;
}
