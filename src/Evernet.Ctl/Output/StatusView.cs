using Evernet.Control.Dtos;

namespace Evernet.Ctl.Output;

/// <summary>`evernetctl status`: a header about this node and one line per gateway, 80 columns at most.</summary>
internal static class StatusView
{
    public const int MaxWidth = 80;

    public static IEnumerable<string> Render(StatusData status, Terminal terminal)
    {
        var node = status.Node;
        string roles = string.Join(",", node.Roles);
        string header = $"evernetd {node.Version} on {node.Name} ({roles})  {node.Fingerprint}  incarnation {node.Incarnation}  up {Format.Age(node.UptimeSeconds)}";
        yield return terminal.Bold(Format.Fit(header, MaxWidth));
        if (node.Draining) yield return terminal.Yellow("this gateway is draining: nodes move new flows elsewhere");

        var m = status.Membership;
        yield return Format.Fit($"members   {m.Alive} alive, {m.Suspect} suspect, {m.Dead} dead, {m.Left} left", MaxWidth);

        int usable = status.Gateways.Count(g => g.Usable);
        string gateways = $"gateways  {usable} of {status.Gateways.Count} usable";
        yield return usable == 0 ? terminal.Red(gateways + "  (degraded: no gateway usable)") : gateways;
        if (status.Gateways.Count == 0) yield break;

        yield return "";
        var table = new Table(terminal,
            new Column("GATEWAY", 12),
            new Column("UPLINK", 8),
            new Column("LOSS", 5, RightAligned: true),
            new Column("RTT", 6, RightAligned: true),
            new Column("LOAD", 4, RightAligned: true),
            new Column("SHARE", 5, RightAligned: true),
            new Column("TUNNEL", 9),
            new Column("SUMMARY", 7),
            new Column("USABLE", 14));
        yield return table.Header();
        foreach (var g in status.Gateways)
        {
            yield return table.Row(
                (g.Name, null),
                (g.Uplink ?? Format.None, UplinkPaint(g.Uplink, terminal)),
                (Format.Percent(g.UplinkLossPercent), null),
                (Format.Milliseconds(g.UplinkRttMs), null),
                (Format.Percent(g.LoadPercent), null),
                (Format.Percent(g.SharePercent), null),
                (Tunnel(g), g.TunnelState is "up" ? null : terminal.Yellow),
                (Format.Age(g.SummaryAgeSeconds), null),
                (g.Usable ? (g.Draining ? "yes (draining)" : "yes") : g.Reason, g.Usable ? terminal.Green : terminal.Red));
        }
    }

    private static string Tunnel(GatewayStatus g) => g.TunnelState switch
    {
        null => Format.None,
        "up" when g.LastHandshakeAgeSeconds is { } age => "up " + Format.Age(age),
        var state => state,
    };

    private static Func<string, string>? UplinkPaint(string? uplink, Terminal terminal) => uplink switch
    {
        "up" => terminal.Green,
        "degraded" => terminal.Yellow,
        "down" => terminal.Red,
        _ => null,
    };
}
