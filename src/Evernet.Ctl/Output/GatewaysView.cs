using Evernet.Control.Dtos;

namespace Evernet.Ctl.Output;

/// <summary>`evernetctl gateways`: everything this node knows about each gateway, one block each.</summary>
internal static class GatewaysView
{
    public static IEnumerable<string> Render(IReadOnlyList<GatewayStatus> gateways, Terminal terminal)
    {
        if (gateways.Count == 0)
        {
            yield return "no gateways known";
            yield break;
        }
        bool first = true;
        foreach (var g in gateways)
        {
            if (!first) yield return "";
            first = false;
            string usable = g.Usable ? terminal.Green("usable") : terminal.Red("not usable: " + g.Reason);
            yield return $"{terminal.Bold(g.Name)}  {g.Fingerprint}  {usable} (for {Format.Age(g.UsabilitySinceSeconds)})";
            yield return $"  node id    {g.NodeId}";
            if (g.Uplink is null)
            {
                yield return "  uplink     no summary received yet";
            }
            else
            {
                yield return $"  uplink     {g.Uplink}, loss {Format.Percent(g.UplinkLossPercent)}, rtt {Format.Milliseconds(g.UplinkRttMs)}"
                    + $" (summary v{g.SummaryVersion}, {Format.Age(g.SummaryAgeSeconds)} old)";
                foreach (var t in g.Targets)
                    yield return $"    target   {t.Target}: loss {Format.Percent(t.LossPercent)}, rtt {Format.Milliseconds(t.RttMs)}, jitter {Format.Milliseconds(t.JitterMs)}";
                yield return $"  capacity   down {Format.Rate(g.CapacityDownBps)}bit/s, up {Format.Rate(g.CapacityUpBps)}bit/s";
                yield return $"  load       down {Format.Rate(g.LoadDownBps)}bit/s, up {Format.Rate(g.LoadUpBps)}bit/s ({Format.Percent(g.LoadPercent)}), {g.ActiveFlows} flows";
                if (g.Draining) yield return "  draining   " + terminal.Yellow("yes: new flows go elsewhere");
            }
            yield return $"  path       rtt {Format.Milliseconds(g.PathRttMs)}, loss {Format.Percent(g.PathLossPercent)} (this node's probes)";
            yield return $"  weight     {g.Weight} ({Format.Percent(g.SharePercent)} of this node's traffic)";
            yield return g.TunnelInterface is null
                ? "  tunnel     none"
                : $"  tunnel     {g.TunnelInterface} {g.TunnelState}, last handshake {(g.LastHandshakeAgeSeconds is { } hs ? Format.Age(hs) + " ago" : "never")}";
        }
    }
}
