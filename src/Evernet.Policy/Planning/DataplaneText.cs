using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Evernet.Policy;

/// <summary>The canonical text form of a <see cref="DesiredDataplane"/>: one line per object, every field, fixed order, invariant culture.</summary>
internal static class DataplaneText
{
    public static string Render(DesiredDataplane d)
    {
        var sb = new StringBuilder();
        foreach (var i in Items(d.Interfaces))
        {
            sb.Append(CultureInfo.InvariantCulture, $"interface {i.Name} key-file={i.PrivateKeyFile} listen={(i.ListenPort?.ToString(CultureInfo.InvariantCulture) ?? "-")} mtu={i.Mtu} addresses={List(i.Addresses)}\n");
            foreach (var p in Items(i.Peers))
                sb.Append(CultureInfo.InvariantCulture, $"  peer {p.PublicKey} endpoint={p.Endpoint ?? "-"} allowed-ips={List(p.AllowedIps)} keepalive={p.PersistentKeepaliveSeconds}\n");
        }
        if (d.DefaultRoute is { } r)
        {
            sb.Append(CultureInfo.InvariantCulture, $"default-route table={r.Table} priority={r.RulePriority} buckets={r.Buckets} idle-timer={r.IdleTimerSeconds} from={List(r.SourcePrefixes)}\n");
            foreach (var n in Items(r.Nexthops)) sb.Append(Nexthop(n));
        }
        else sb.Append("default-route none\n");
        foreach (var c in Items(d.ClassRoutes))
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"class {c.Name} strategy={c.Strategy} mark=0x{c.FirewallMark:x} table={c.Table} priority={c.RulePriority} proto={c.Match.Protocol ?? "any"} ports={List(c.Match.DestinationPorts)} dscp={List(c.Match.Dscp)}\n");
            foreach (var n in Items(c.Nexthops)) sb.Append(Nexthop(n));
        }
        return sb.ToString();
    }

    private static string Nexthop(GatewayNexthop n) =>
        string.Create(CultureInfo.InvariantCulture, $"  nexthop {n.GatewayName} dev={n.Interface} via={n.Via ?? "-"} weight={n.Weight}\n");

    private static ImmutableArray<T> Items<T>(ImmutableArray<T> a) => a.IsDefault ? [] : a;

    private static string List<T>(ImmutableArray<T> a) =>
        a.IsDefaultOrEmpty ? "-" : string.Join(",", a.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture)));
}
