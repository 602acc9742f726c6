using System.Collections.Immutable;
using System.Globalization;
using Evernet.Dataplane.Commands;
using Evernet.Dataplane.State;

namespace Evernet.Dataplane.Planning;

/// <summary>Builders for the <c>ip</c> commands the planners emit, so every place spells them the same way.</summary>
internal static class IpCommands
{
    public static Command NexthopReplace(IpFamily family, uint id, HopKey hop, int protocol)
    {
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.AddRange(family.Flag(), "nexthop", "replace", "id", Text(id));
        if (hop.Via is not null)
        {
            arguments.AddRange("via", hop.Via.ToString());
        }

        arguments.AddRange("dev", hop.Device, "proto", Text(protocol));
        return Command.Mutate(DataplaneBinaries.Ip, arguments.ToImmutable());
    }

    /// <summary>Creates the group, or updates its members and weights in place (kernel keeps active buckets).</summary>
    public static Command ResilientGroupReplace(uint id, IEnumerable<NexthopGroupMember> members, int buckets, int idleTimerSeconds, int protocol) =>
        Command.Mutate(
            DataplaneBinaries.Ip,
            "nexthop", "replace", "id", Text(id),
            "group", string.Join('/', members.Select(static m => $"{Text(m.Id)},{Text(m.Weight)}")),
            "type", "resilient", "buckets", Text(buckets), "idle_timer", Text(idleTimerSeconds),
            "proto", Text(protocol));

    public static Command ResilientProbeGroup(uint id, uint memberId, int protocol) =>
        Command.Probe(DataplaneBinaries.Ip, "nexthop", "replace", "id", Text(id), "group", Text(memberId), "type", "resilient", "buckets", "8", "proto", Text(protocol));

    public static Command NexthopDelete(uint id) => Command.Mutate(DataplaneBinaries.Ip, "nexthop", "del", "id", Text(id));

    public static Command RouteReplaceGroup(IpFamily family, int table, uint groupId, int protocol) =>
        Command.Mutate(DataplaneBinaries.Ip, family.Flag(), "route", "replace", "default", "nhid", Text(groupId), "table", Text(table), "proto", Text(protocol));

    public static Command RouteReplaceUnreachable(IpFamily family, int table, int protocol) =>
        Command.Mutate(DataplaneBinaries.Ip, family.Flag(), "route", "replace", "unreachable", "default", "table", Text(table), "proto", Text(protocol));

    /// <summary>A plain (hash-threshold) multipath route: no nexthop objects needed, works on every kernel.</summary>
    public static Command RouteReplaceMultipath(IpFamily family, int table, IEnumerable<(HopKey Hop, int Weight)> hops, int protocol)
    {
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.AddRange(family.Flag(), "route", "replace", "default", "table", Text(table), "proto", Text(protocol));
        foreach (var (hop, weight) in hops)
        {
            arguments.Add("nexthop");
            if (hop.Via is not null)
            {
                arguments.AddRange("via", hop.Via.ToString());
            }

            arguments.AddRange("dev", hop.Device, "weight", Text(weight));
        }

        return Command.Mutate(DataplaneBinaries.Ip, arguments.ToImmutable());
    }

    public static Command RouteReplaceDevice(IpFamily family, int table, HopKey hop, int protocol)
    {
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.AddRange(family.Flag(), "route", "replace", "default");
        if (hop.Via is not null && hop.Via.AddressFamily.ToIpFamily() == family)
        {
            arguments.AddRange("via", hop.Via.ToString());
        }

        arguments.AddRange("dev", hop.Device, "table", Text(table), "proto", Text(protocol));
        return Command.Mutate(DataplaneBinaries.Ip, arguments.ToImmutable());
    }

    public static Command RouteDelete(InstalledRoute route)
    {
        var family = route.Family.ToIpFamily();
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.AddRange(family.Flag(), "route", "del");
        if (route.Type != "unicast")
        {
            arguments.Add(route.Type);
        }

        arguments.AddRange(route.Destination, "table", Text(route.Table));
        if (route.Metric is { } metric)
        {
            arguments.AddRange("metric", Text(metric));
        }

        if (route.Protocol is { } protocol)
        {
            arguments.AddRange("proto", Text(protocol));
        }

        return Command.Mutate(DataplaneBinaries.Ip, arguments.ToImmutable());
    }

    public static Command RuleAdd(RuleIntent rule, int protocol)
    {
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.AddRange(rule.Family.Flag(), "rule", "add", "priority", Text(rule.Priority));
        if (rule.Source is { } source)
        {
            arguments.AddRange("from", source.ToString());
        }

        if (rule.Mark is { } mark)
        {
            arguments.AddRange("fwmark", Hex(mark));
        }

        arguments.AddRange("lookup", Text(rule.Table), "proto", Text(protocol));
        return Command.Mutate(DataplaneBinaries.Ip, arguments.ToImmutable());
    }

    public static Command RuleDelete(InstalledRule rule)
    {
        var family = rule.Family.ToIpFamily();
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.AddRange(family.Flag(), "rule", "del", "priority", Text(rule.Priority));
        if (rule.Source is { } source)
        {
            arguments.AddRange("from", source.ToString());
        }

        if (rule.FirewallMark is { } mark)
        {
            arguments.AddRange("fwmark", rule.FirewallMask is { } mask ? $"{Hex(mark)}/{Hex(mask)}" : Hex(mark));
        }

        if (rule.Table is { } table)
        {
            arguments.AddRange("lookup", Text(table));
        }

        if (rule.Protocol is { } protocol)
        {
            arguments.AddRange("proto", Text(protocol));
        }

        return Command.Mutate(DataplaneBinaries.Ip, arguments.ToImmutable());
    }

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Text(uint value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Hex(uint value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
