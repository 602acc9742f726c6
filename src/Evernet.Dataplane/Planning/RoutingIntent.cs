using System.Collections.Immutable;
using System.Net;
using Evernet.Policy;

namespace Evernet.Dataplane.Planning;

/// <summary>One next hop: out of a device, optionally via a gateway address.</summary>
internal readonly record struct HopKey(string Device, IPAddress? Via)
{
    public string? ViaText => Via?.ToString();
}

/// <summary>A next hop with its weight after merging duplicates and reducing by the common divisor.</summary>
internal sealed record WeightedHop(HopKey Key, int Weight);

/// <summary>A multipath table: the default route's table or a traffic class's table.</summary>
internal sealed record TableIntent(int Table, ImmutableArray<WeightedHop> Hops, int Buckets, int IdleTimerSeconds);

internal sealed record ClassIntent(string Name, uint Mark, int Priority, TrafficMatch Match, TableIntent Table);

/// <summary>
/// The routing half of a <see cref="DesiredDataplane"/>, validated and normalised: prefixes masked, weights merged and
/// reduced, families decided. Classes whose next hops are all unusable are dropped here (their traffic uses the default route).
/// </summary>
internal sealed record RoutingIntent(
    ImmutableArray<IpFamily> Families,
    ImmutableArray<IpPrefix> ClientPrefixes,
    TableIntent? Default,
    int DefaultPriority,
    ImmutableArray<ClassIntent> Classes)
{
    public static RoutingIntent None { get; } = new([IpFamily.V4], [], null, 0, []);

    public bool IsEmpty => Default is null && Classes.IsEmpty;

    public IEnumerable<TableIntent> Tables =>
        Default is null ? Classes.Select(static c => c.Table) : Classes.Select(static c => c.Table).Prepend(Default);

    /// <summary>Every distinct hop used by any table, in a stable order.</summary>
    public ImmutableArray<HopKey> AllHops =>
        [.. Tables.SelectMany(static t => t.Hops).Select(static h => h.Key).Distinct().OrderBy(static k => k.Device, StringComparer.Ordinal).ThenBy(static k => k.ViaText, StringComparer.Ordinal)];

    /// <summary>Drops hops whose device does not exist (yet); returns the names of the missing devices.</summary>
    public RoutingIntent WithoutMissingDevices(IReadOnlySet<string> existingDevices, out ImmutableArray<string> missing)
    {
        var missingNames = AllHops.Select(static h => h.Device).Where(d => !existingDevices.Contains(d)).Distinct().ToImmutableArray();
        missing = missingNames;
        if (missingNames.IsEmpty)
        {
            return this;
        }

        TableIntent Filter(TableIntent table) => table with
        {
            Hops = [.. table.Hops.Where(h => existingDevices.Contains(h.Key.Device))],
        };

        return this with
        {
            Default = Default is null ? null : Filter(Default),
            Classes = [.. Classes.Select(c => c with { Table = Filter(c.Table) }).Where(static c => !c.Table.Hops.IsEmpty)],
        };
    }
}
