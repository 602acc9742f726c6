using System.Globalization;
using System.Text;

namespace Evernet.Sim.Reporting;

/// <summary>The human-readable report.</summary>
public static class ReportPrinter
{
    public static string Render(SimReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Line(string s) => sb.AppendLine(s);
        Line(string.Create(inv, $"scenario {r.Scenario}: {r.Topology} topology, {r.Nodes} nodes, {r.Gateways} gateways, loss {r.Loss:P1}/hop, {r.Seeds.Count} seed(s) {r.Seeds[0]}..{r.Seeds[^1]}, measured {r.DurationS:0.#} s each"));
        Line(string.Create(inv, $"  paths: {r.AverageHops:0.##} hops on average, {r.AverageHopsToGateway:0.##} to the nearest gateway"));
        Line($"  options: {r.GossipOptions}");
        if (r.FailoverMs.Count + r.FailoverMs.Undetected > 0)
            Line(string.Create(inv, $"  failover_ms      n={r.FailoverMs.Count} p50={r.FailoverMs.P50:0.#} p90={r.FailoverMs.P90:0.#} p99={r.FailoverMs.P99:0.#} max={r.FailoverMs.Max:0.#} undetected={r.FailoverMs.Undetected}"));
        if (r.NodeDetectionMs.Count > 0)
            Line(string.Create(inv, $"  per-node detect  n={r.NodeDetectionMs.Count} p50={r.NodeDetectionMs.P50:0.#} p99={r.NodeDetectionMs.P99:0.#} max={r.NodeDetectionMs.Max:0.#}"));
        if (r.RecoveryMs.Count > 0)
            Line(string.Create(inv, $"  recovery_ms      n={r.RecoveryMs.Count} p50={r.RecoveryMs.P50:0.#} p99={r.RecoveryMs.P99:0.#} max={r.RecoveryMs.Max:0.#}"));
        Line(string.Create(inv, $"  dissemination_ms n={r.DisseminationMs.Count} p50={r.DisseminationMs.P50:0.#} p99={r.DisseminationMs.P99:0.#} max={r.DisseminationMs.Max:0.#} coverage={r.DisseminationMs.Coverage:P1}"));
        Line($"  false_dead={r.FalseDead} false_suspect={r.FalseSuspect} false_unusable={r.FalseUnusable}   (all events: dead={r.DeadEvents} suspect={r.SuspectEvents} unusable={r.UnusableEvents})");
        Line(string.Create(inv, $"  bytes_per_node_per_s mean={r.BytesPerNodePerS.Mean:0.#} max={r.BytesPerNodePerS.Max:0.#}"));
        Line($"  converged={r.Converged} ({r.ConvergedSeeds}/{r.Seeds.Count} seeds)");
        if (r.Rejections.Count > 0) Line("  rejections: " + string.Join(", ", r.Rejections.Select(kv => $"{kv.Key}={kv.Value}")));
        if (r.NetworkDrops.Count > 0) Line("  network drops: " + string.Join(", ", r.NetworkDrops.Select(kv => $"{kv.Key}={kv.Value}")));
        foreach (var (key, stat) in r.Extras)
            Line(stat.Count == 1
                ? string.Create(inv, $"  {key} = {stat.Max:0.###}")
                : string.Create(inv, $"  {key}: mean={stat.Mean:0.###} max={stat.Max:0.###}"));
        if (r.Traffic is not null) sb.Append(Traffic.TrafficReportPrinter.Render(r.Traffic));
        foreach (var s in r.PerSeed.Where(s => !s.Converged || !s.WarmupConverged))
            Line($"  seed {s.Seed}: {(s.WarmupConverged ? "" : "warm-up did not converge; ")}{s.ConvergenceDetail}");
        foreach (var e in r.Examples) Line("  ! " + e);
        Line(string.Create(inv, $"  wall {r.WallS:0.##} s, {r.EventsPerS:0} events/s"));
        Line($"  trace hash {r.TraceHash}");
        return sb.ToString();
    }
}
