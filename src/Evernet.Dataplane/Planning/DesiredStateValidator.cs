using System.Collections.Immutable;
using System.Net;
using Evernet.Policy;

namespace Evernet.Dataplane.Planning;

/// <summary>WireGuard interface with addresses parsed and peers validated.</summary>
internal sealed record InterfaceIntent(WireGuardInterfaceSpec Spec, ImmutableArray<IpPrefix> Addresses, ImmutableArray<PeerIntent> Peers)
{
    public string Name => Spec.Name;
}

/// <summary>A peer with allowed-ips masked the way wg stores them.</summary>
internal sealed record PeerIntent(string PublicKey, string? Endpoint, ImmutableArray<IpPrefix> AllowedIps, int PersistentKeepaliveSeconds);

/// <summary>
/// Checks a <see cref="DesiredDataplane"/> before anything is touched and turns it into planner input. Everything that
/// ends up on a command line is validated here (names cannot start with '-', keys are base64, prefixes parse), so bad
/// input gives a <see cref="DataplaneConfigurationException"/> and never an odd command.
/// </summary>
internal static class DesiredStateValidator
{
    private const int MaxWeightInGroup = 256;
    private static readonly ImmutableHashSet<int> ReservedTables = [0, 253, 254, 255];

    public static ImmutableArray<InterfaceIntent> ValidateInterfaces(DesiredDataplane desired)
    {
        var interfaces = desired.Interfaces.IsDefault ? [] : desired.Interfaces;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<InterfaceIntent>();
        foreach (var spec in interfaces)
        {
            RequireInterfaceName(spec.Name, "WireGuard interface");
            if (!names.Add(spec.Name))
            {
                throw new DataplaneConfigurationException($"WireGuard interface {spec.Name} is listed twice");
            }

            if (string.IsNullOrEmpty(spec.PrivateKeyFile) || !Path.IsPathRooted(spec.PrivateKeyFile) || spec.PrivateKeyFile.Any(char.IsControl))
            {
                throw new DataplaneConfigurationException($"{spec.Name}: private key file must be an absolute path");
            }

            if (spec.ListenPort is < 0 or > 65535)
            {
                throw new DataplaneConfigurationException($"{spec.Name}: listen port {spec.ListenPort} out of range");
            }

            if (spec.Mtu != 0 && spec.Mtu is < 576 or > 65535)
            {
                throw new DataplaneConfigurationException($"{spec.Name}: MTU {spec.Mtu} out of range (576..65535, or 0 to leave alone)");
            }

            var addresses = (spec.Addresses.IsDefault ? [] : spec.Addresses)
                .Select(a => IpPrefix.TryParse(a, out var p) ? p : throw new DataplaneConfigurationException($"{spec.Name}: address '{a}' is not addr/len"))
                .Distinct()
                .ToImmutableArray();

            var peerKeys = new HashSet<string>(StringComparer.Ordinal);
            var peers = ImmutableArray.CreateBuilder<PeerIntent>();
            foreach (var peer in spec.Peers.IsDefault ? [] : spec.Peers)
            {
                RequirePublicKey(peer.PublicKey, spec.Name);
                if (!peerKeys.Add(peer.PublicKey))
                {
                    throw new DataplaneConfigurationException($"{spec.Name}: peer {peer.PublicKey} is listed twice");
                }

                if (peer.Endpoint is not null && (!EndpointText.TrySplit(peer.Endpoint, out var host, out _) || !IsValidHost(host)))
                {
                    throw new DataplaneConfigurationException($"{spec.Name}: peer endpoint '{peer.Endpoint}' is not host:port");
                }

                if (peer.PersistentKeepaliveSeconds is < 0 or > 65535)
                {
                    throw new DataplaneConfigurationException($"{spec.Name}: persistent keepalive {peer.PersistentKeepaliveSeconds} out of range");
                }

                var allowed = (peer.AllowedIps.IsDefault ? [] : peer.AllowedIps)
                    .Select(a => IpPrefix.TryParse(a, out var p) ? p.Masked() : throw new DataplaneConfigurationException($"{spec.Name}: allowed-ip '{a}' is not a prefix"))
                    .Distinct()
                    .ToImmutableArray();
                peers.Add(new PeerIntent(peer.PublicKey, peer.Endpoint, allowed, peer.PersistentKeepaliveSeconds));
            }

            result.Add(new InterfaceIntent(spec, addresses, peers.ToImmutable()));
        }

        return result.ToImmutable();
    }

    public static RoutingIntent ValidateRouting(DesiredDataplane desired, DataplaneOptions options)
    {
        var classes = desired.ClassRoutes.IsDefault ? [] : desired.ClassRoutes;
        var route = desired.DefaultRoute;
        if (route is null && classes.IsEmpty)
        {
            return RoutingIntent.None;
        }

        var tables = new HashSet<int>();
        TableIntent? defaultTable = null;
        var clientPrefixes = ImmutableArray<IpPrefix>.Empty;
        if (route is not null)
        {
            RequireTable(route.Table, "default route", options);
            RequirePriority(route.RulePriority, "default route");
            tables.Add(route.Table);
            if (route.Buckets is < 1 or > 65535)
            {
                throw new DataplaneConfigurationException($"default route: {route.Buckets} buckets out of range (1..65535)");
            }

            if (route.IdleTimerSeconds is < 0 or > 86400)
            {
                throw new DataplaneConfigurationException($"default route: idle timer {route.IdleTimerSeconds} s out of range (0..86400)");
            }

            clientPrefixes = [.. (route.SourcePrefixes.IsDefault ? [] : route.SourcePrefixes)
                .Select(p => IpPrefix.TryParse(p, out var prefix) ? prefix.Masked() : throw new DataplaneConfigurationException($"default route: source prefix '{p}' is not a prefix"))
                .Distinct()];
            defaultTable = new TableIntent(route.Table, Hops(route.Nexthops, "default route"), route.Buckets, route.IdleTimerSeconds);
        }

        var marks = new HashSet<uint>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var classIntents = ImmutableArray.CreateBuilder<ClassIntent>();
        foreach (var spec in classes)
        {
            if (string.IsNullOrEmpty(spec.Name) || !names.Add(spec.Name))
            {
                throw new DataplaneConfigurationException($"traffic class '{spec.Name}' has no name or is listed twice");
            }

            RequireTable(spec.Table, $"class {spec.Name}", options);
            RequirePriority(spec.RulePriority, $"class {spec.Name}");
            if (!tables.Add(spec.Table))
            {
                throw new DataplaneConfigurationException($"class {spec.Name}: table {spec.Table} is already used by another route");
            }

            if (spec.FirewallMark == 0 || !marks.Add(spec.FirewallMark)
                || (spec.FirewallMark & DataplaneOptions.ConnectionMarkMask) == (options.ConnectionMarkBase & DataplaneOptions.ConnectionMarkMask))
            {
                throw new DataplaneConfigurationException(
                    $"class {spec.Name}: firewall mark 0x{spec.FirewallMark:x} is zero, duplicated, or inside evernet's connection-mark range");
            }

            ValidateMatch(spec.Match, spec.Name);
            var hops = Hops(spec.Nexthops, $"class {spec.Name}");
            if (hops.IsEmpty)
            {
                continue;
            }

            var table = new TableIntent(
                spec.Table,
                hops,
                defaultTable?.Buckets ?? options.ClassBuckets,
                defaultTable?.IdleTimerSeconds ?? options.ClassIdleTimerSeconds);
            classIntents.Add(new ClassIntent(spec.Name, spec.FirewallMark, spec.RulePriority, spec.Match, table));
        }

        ImmutableArray<IpFamily> families = clientPrefixes.IsEmpty
            ? [IpFamily.V4, IpFamily.V6]
            : [.. clientPrefixes.Select(static p => p.Family.ToIpFamily()).Distinct().Order()];
        var priority = route?.RulePriority ?? classes.Min(static c => c.RulePriority);
        return new RoutingIntent(families, clientPrefixes, defaultTable, priority, classIntents.ToImmutable());
    }

    public static void RequireInterfaceName(string? name, string what)
    {
        // IFNAMSIZ is 16 with the terminator; a leading '-' would read as an option.
        if (string.IsNullOrEmpty(name) || name.Length > 15 || !char.IsAsciiLetterOrDigit(name[0])
            || !name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new DataplaneConfigurationException($"{what} name '{name}' is not a valid interface name (1-15 of [A-Za-z0-9_.-], starting alphanumeric)");
        }
    }

    private static ImmutableArray<WeightedHop> Hops(ImmutableArray<GatewayNexthop> nexthops, string what)
    {
        var merged = new Dictionary<HopKey, long>();
        var order = new List<HopKey>();
        foreach (var hop in nexthops.IsDefault ? [] : nexthops)
        {
            RequireInterfaceName(hop.Interface, $"{what}: gateway {hop.GatewayName} nexthop device");
            IPAddress? via = null;
            if (hop.Via is not null && (!IPAddress.TryParse(hop.Via, out via) || hop.Via.Contains('%')))
            {
                throw new DataplaneConfigurationException($"{what}: gateway {hop.GatewayName} via '{hop.Via}' is not an address");
            }

            if (hop.Weight <= 0)
            {
                // Weight 0 is how the policy says "do not use now"; it is not an error.
                continue;
            }

            var key = new HopKey(hop.Interface, via);
            if (merged.TryAdd(key, hop.Weight))
            {
                order.Add(key);
            }
            else
            {
                merged[key] += hop.Weight;
            }
        }

        if (order.Count == 0)
        {
            return [];
        }

        var divisor = merged.Values.Aggregate(0L, static (g, w) => Gcd(g, w));
        var reduced = order.ToDictionary(static k => k, k => merged[k] / divisor);
        var max = reduced.Values.Max();
        return [.. order.Select(k => new WeightedHop(
            k,
            max <= MaxWeightInGroup ? (int)reduced[k] : (int)Math.Max(1, Math.Round(reduced[k] * (double)MaxWeightInGroup / max))))];
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static void RequireTable(int table, string what, DataplaneOptions options)
    {
        if (table <= 0 || ReservedTables.Contains(table))
        {
            throw new DataplaneConfigurationException($"{what}: table {table} is reserved or not positive");
        }

        if (table > options.GatewayTableBase && table <= options.GatewayTableBase + DataplaneOptions.MaxGatewaySlots)
        {
            throw new DataplaneConfigurationException($"{what}: table {table} is inside evernet's per-gateway table range");
        }
    }

    private static void RequirePriority(int priority, string what)
    {
        if (priority is < 1 or > 32765)
        {
            throw new DataplaneConfigurationException($"{what}: rule priority {priority} out of range (1..32765)");
        }
    }

    private static void RequirePublicKey(string? key, string interfaceName)
    {
        Span<byte> buffer = stackalloc byte[33];
        if (string.IsNullOrEmpty(key) || key.Length != 44 || !Convert.TryFromBase64String(key, buffer, out var written) || written != 32)
        {
            throw new DataplaneConfigurationException($"{interfaceName}: peer public key '{key}' is not a base64 WireGuard key");
        }
    }

    private static bool IsValidHost(string host) =>
        IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns;

    private static void ValidateMatch(TrafficMatch? match, string name)
    {
        if (match is null)
        {
            throw new DataplaneConfigurationException($"class {name}: no traffic match");
        }

        if (match.Protocol is not null && (match.Protocol.Length == 0 || !match.Protocol.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            throw new DataplaneConfigurationException($"class {name}: protocol '{match.Protocol}' is not a protocol name");
        }

        var ports = match.DestinationPorts.IsDefault ? [] : match.DestinationPorts;
        if (ports.Any(static p => p is < 1 or > 65535))
        {
            throw new DataplaneConfigurationException($"class {name}: destination port out of range");
        }

        if (!ports.IsEmpty && match.Protocol is not (null or "tcp" or "udp"))
        {
            throw new DataplaneConfigurationException($"class {name}: ports need protocol tcp, udp or any");
        }

        if ((match.Dscp.IsDefault ? [] : match.Dscp).Any(static d => d is < 0 or > 63))
        {
            throw new DataplaneConfigurationException($"class {name}: DSCP value out of range (0..63)");
        }
    }
}
