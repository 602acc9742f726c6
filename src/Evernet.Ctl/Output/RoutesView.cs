using System.Globalization;
using Evernet.Control.Dtos;

namespace Evernet.Ctl.Output;

/// <summary>`evernetctl routes`: each managed table, its next hops, installed vs wanted weights.</summary>
internal static class RoutesView
{
    public static IEnumerable<string> Render(RoutesData routes, Terminal terminal)
    {
        if (routes.Tables.Count == 0)
        {
            yield return "no routes installed";
            yield break;
        }
        bool first = true;
        foreach (var t in routes.Tables)
        {
            if (!first) yield return "";
            first = false;
            string sync = t.InSync ? terminal.Green("in sync") : terminal.Yellow("not in sync");
            yield return $"{terminal.Bold(t.Name)}  table {t.Table}  {t.Mode}  {sync}";
            if (t.SourcePrefixes.Count > 0) yield return "  from " + string.Join(" ", t.SourcePrefixes);
            var table = new Table(terminal,
                new Column("  GATEWAY", 16),
                new Column("INTERFACE", 15),
                new Column("INSTALLED", 9, RightAligned: true),
                new Column("WANTED", 6, RightAligned: true));
            yield return table.Header();
            foreach (var n in t.Nexthops)
            {
                bool differs = n.InstalledWeight != n.DesiredWeight;
                yield return table.Row(
                    ("  " + n.Gateway, null),
                    (n.Interface, null),
                    (Weight(n.InstalledWeight), differs ? terminal.Yellow : null),
                    (Weight(n.DesiredWeight), null));
            }
        }
    }

    private static string Weight(int? weight) => weight is { } w ? w.ToString(CultureInfo.InvariantCulture) : Format.None;
}
