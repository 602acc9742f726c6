using Evernet.Control.Dtos;

namespace Evernet.Ctl.Output;

/// <summary>`evernetctl members`: one line per member.</summary>
internal static class MembersView
{
    public static IEnumerable<string> Render(MembersData members, Terminal terminal)
    {
        var table = new Table(terminal,
            new Column("NAME", 14),
            new Column("FINGERPRINT", 16),
            new Column("ROLES", 12),
            new Column("STATE", 7),
            new Column("INC", 4, RightAligned: true),
            new Column("SINCE", 6),
            new Column("ADDRESSES", 64));
        yield return table.Header().TrimEnd();
        foreach (var m in members.Members)
        {
            Func<string, string>? paint = m.State switch
            {
                "alive" => null,
                "suspect" => terminal.Yellow,
                "dead" => terminal.Red,
                _ => terminal.Dim,
            };
            yield return table.Row(
                (m.Name, null),
                (m.Fingerprint, null),
                (string.Join(",", m.Roles), null),
                (m.State, paint),
                (m.Incarnation.ToString(System.Globalization.CultureInfo.InvariantCulture), null),
                (Format.Age(m.SinceSeconds), null),
                (m.Addresses.Count == 0 ? Format.None : string.Join(" ", m.Addresses), null)).TrimEnd();
        }
        yield return $"{members.Members.Count} members";
    }
}
