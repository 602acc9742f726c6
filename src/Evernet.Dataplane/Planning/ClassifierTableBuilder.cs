using System.Collections.Immutable;
using System.Globalization;
using Evernet.Policy;

namespace Evernet.Dataplane.Planning;

/// <summary>
/// Builds the <c>inet evernet</c> table. Only traffic from the client prefixes is classified (transit mesh traffic,
/// including other routers' WireGuard packets, must never be steered into a tunnel).
/// Resilient mode: traffic classes get their firewall mark (routed by <c>ip rule fwmark</c> to the class table).
/// Connection-mark mode: each new connection gets a gateway chosen by weighted random draw, stored in the conntrack mark;
/// every later packet restores it, so a flow stays on its gateway when weights change (as mwan3 does).
/// </summary>
internal static class ClassifierTableBuilder
{
    private const string ClassifyChain = "classify";
    private const string PreroutingDefinition = "type filter hook prerouting priority mangle; policy accept;";
    private const string OutputDefinition = "type route hook output priority mangle; policy accept;";

    public static NftTableSpec? Build(RoutingIntent intent, MultipathMode mode, IReadOnlyDictionary<HopKey, int> gatewaySlots, DataplaneOptions options)
    {
        var rules = mode == MultipathMode.ConnectionMark
            ? ConnectionMarkRules(intent, gatewaySlots, options)
            : ResilientRules(intent);
        if (rules.IsEmpty)
        {
            return null;
        }

        return new NftTableSpec("inet", options.NftTableName,
        [
            new NftChainSpec(ClassifyChain, null, rules),
            new NftChainSpec("prerouting", PreroutingDefinition, ["jump " + ClassifyChain]),
            new NftChainSpec("output", OutputDefinition, ["jump " + ClassifyChain]),
        ]);
    }

    private static ImmutableArray<string> ResilientRules(RoutingIntent intent)
    {
        var rules = ImmutableArray.CreateBuilder<string>();
        foreach (var traffic in intent.Classes)
        {
            foreach (var family in intent.Families)
            {
                if (ClientMatch(intent, family) is { } client)
                {
                    rules.Add(Join(client, ClassMatch(traffic.Match, family), $"meta mark set {Hex(traffic.Mark)} return"));
                }
            }
        }

        return rules.ToImmutable();
    }

    private static ImmutableArray<string> ConnectionMarkRules(RoutingIntent intent, IReadOnlyDictionary<HopKey, int> slots, DataplaneOptions options)
    {
        if (slots.Count == 0)
        {
            return [];
        }

        var rules = ImmutableArray.CreateBuilder<string>();
        var marks = slots.Values.Order().Select(s => Hex(options.ConnectionMarkFor(s)));
        rules.Add($"ct mark {{ {string.Join(", ", marks)} }} meta mark set ct mark return");
        foreach (var traffic in intent.Classes)
        {
            foreach (var family in intent.Families)
            {
                if (ClientMatch(intent, family) is { } client)
                {
                    rules.Add(Join(client, ClassMatch(traffic.Match, family), Draw(traffic.Table, slots, options)));
                }
            }
        }

        if (intent.Default is { Hops.IsEmpty: false } defaultTable)
        {
            foreach (var family in intent.Families)
            {
                if (ClientMatch(intent, family) is { } client)
                {
                    rules.Add(Join(client, Draw(defaultTable, slots, options)));
                }
            }
        }

        return rules.ToImmutable();
    }

    /// <summary>Weighted draw: <c>numgen random mod TOTAL</c> mapped by ranges sized by weight onto gateway marks.</summary>
    private static string Draw(TableIntent table, IReadOnlyDictionary<HopKey, int> slots, DataplaneOptions options)
    {
        var total = table.Hops.Sum(static h => h.Weight);
        var start = 0;
        var entries = new List<string>();
        foreach (var hop in table.Hops)
        {
            var end = start + hop.Weight - 1;
            var range = end == start ? Text(start) : $"{Text(start)}-{Text(end)}";
            entries.Add($"{range} : {Hex(options.ConnectionMarkFor(slots[hop.Key]))}");
            start = end + 1;
        }

        return $"ct mark set numgen random mod {Text(total)} map {{ {string.Join(", ", entries)} }} meta mark set ct mark return";
    }

    /// <summary>Source restriction for one family; null when the client prefixes have none of this family.</summary>
    private static string? ClientMatch(RoutingIntent intent, IpFamily family)
    {
        if (intent.ClientPrefixes.IsEmpty)
        {
            return family == IpFamily.V6 ? "meta nfproto ipv6" : "meta nfproto ipv4";
        }

        var prefixes = intent.ClientPrefixes.Where(p => p.Family.ToIpFamily() == family).Select(static p => p.ToString()).ToArray();
        if (prefixes.Length == 0)
        {
            return null;
        }

        return $"{(family == IpFamily.V6 ? "ip6" : "ip")} saddr {{ {string.Join(", ", prefixes)} }}";
    }

    private static string ClassMatch(TrafficMatch match, IpFamily family)
    {
        var parts = new List<string>();
        var ports = match.DestinationPorts.IsDefault ? [] : match.DestinationPorts;
        var portSet = $"{{ {string.Join(", ", ports.Distinct().Order().Select(Text))} }}";
        switch (match.Protocol, ports.IsEmpty)
        {
            case ("tcp" or "udp", false):
                parts.Add($"{match.Protocol} dport {portSet}");
                break;
            case (null, false):
                parts.Add($"meta l4proto {{ tcp, udp }} th dport {portSet}");
                break;
            case ({ } protocol, true):
                parts.Add($"meta l4proto {protocol}");
                break;
        }

        var dscp = match.Dscp.IsDefault ? [] : match.Dscp;
        if (!dscp.IsEmpty)
        {
            parts.Add($"{(family == IpFamily.V6 ? "ip6" : "ip")} dscp {{ {string.Join(", ", dscp.Distinct().Order().Select(Text))} }}");
        }

        return string.Join(' ', parts);
    }

    private static string Join(params string[] parts) => string.Join(' ', parts.Where(static p => p.Length > 0));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hex(uint value) => "0x" + value.ToString("x8", CultureInfo.InvariantCulture);
}
