using Evernet.Gossip.View;
using Evernet.Sim.Metrics;
using Evernet.Sim.Network;
using Evernet.Sim.Running;

namespace Evernet.Sim.Reporting;

public sealed record Stat(int Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static Stat From(Distribution d) => new(d.Count, Round(d.P50), Round(d.P90), Round(d.P99), Round(d.Max), Round(d.Mean));
    private static double Round(double v) => Math.Round(v, 3);
}

public sealed record FailoverStat(int Count, int Undetected, double P50, double P90, double P99, double Max, double Mean);

public sealed record DisseminationStat(int Count, double P50, double P90, double P99, double Max, double Mean, double Coverage);

public sealed record BytesStat(double Mean, double Max);

public sealed record SeedSummary(ulong Seed, string TraceHash, long TraceRecords, bool Converged, string ConvergenceDetail,
    double WarmupMs, bool WarmupConverged, long Events, double WallS, long FalseDead, long FalseSuspect, long FalseUnusable,
    double FailoverMaxMs);

/// <summary>The merged result of all seeds: what the CLI prints and writes as JSON (snake_case).</summary>
public sealed record SimReport(
    string Scenario,
    string Topology,
    int Nodes,
    int Gateways,
    double Loss,
    List<ulong> Seeds,
    double DurationS,
    string GossipOptions,
    FailoverStat FailoverMs,
    Stat NodeDetectionMs,
    Stat RecoveryMs,
    DisseminationStat DisseminationMs,
    long FalseDead,
    long FalseSuspect,
    long FalseUnusable,
    long SuspectEvents,
    long DeadEvents,
    long UnusableEvents,
    BytesStat BytesPerNodePerS,
    bool Converged,
    int ConvergedSeeds,
    double WallS,
    double EventsPerS,
    SortedDictionary<string, long> Rejections,
    SortedDictionary<string, long> NetworkDrops,
    SortedDictionary<string, Stat> Extras,
    double AverageHops,
    double AverageHopsToGateway,
    string TraceHash,
    List<SeedSummary> PerSeed,
    List<string> Examples)
{
    /// <summary>Traffic scenarios: the load-balancing and flow figures of every seed, and their worst cases.</summary>
    public Evernet.Sim.Traffic.TrafficReport? Traffic { get; init; }

    public static SimReport Merge(RunConfig config, string optionsText, SeedResult[] results, double wallSeconds)
    {
        var failovers = results.SelectMany(r => r.FailoverMs).ToList();
        var f = Distribution.Of(failovers);
        var dissemination = results.SelectMany(r => r.DisseminationMs).ToList();
        var d = Distribution.Of(dissemination);
        long expected = results.Sum(r => r.DisseminationExpected);
        var bytes = results.SelectMany(r => r.BytesPerNodePerS).ToList();
        var rejections = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<RejectReason>())
        {
            long count = results.Sum(r => r.Rejections.Length > (int)reason ? r.Rejections[(int)reason] : 0);
            if (count > 0) rejections[reason.ToString()] = count;
        }
        var drops = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            if (reason == DropReason.None) continue;
            long count = results.Sum(r => r.Drops.Length > (int)reason ? r.Drops[(int)reason] : 0);
            if (count > 0) drops[reason.ToString()] = count;
        }
        var extras = new SortedDictionary<string, Stat>(StringComparer.Ordinal);
        foreach (var key in results.SelectMany(r => r.Extras.Keys).Distinct().Order(StringComparer.Ordinal))
            extras[key] = Stat.From(Distribution.Of(results.Where(r => r.Extras.ContainsKey(key)).Select(r => r.Extras[key]).ToList()));
        long events = results.Sum(r => r.EventsProcessed);
        string combinedHash = results.Length == 1 ? results[0].TraceHash
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(string.Join(",", results.Select(r => r.TraceHash)))));
        return new SimReport(
            config.Scenario,
            config.Topology.Kind.ToString().ToLowerInvariant(),
            config.Topology.Nodes,
            config.Topology.Gateways,
            config.Topology.MeshLoss,
            results.Select(r => r.Seed).ToList(),
            Math.Round(results.Length == 0 ? 0 : results[0].MeasuredSeconds, 3),
            optionsText,
            new FailoverStat(f.Count, results.Sum(r => r.FailoverUndetected), f.P50, f.P90, f.P99, f.Max, Math.Round(f.Mean, 3)),
            Stat.From(Distribution.Of(results.SelectMany(r => r.ObserverDetectionMs).ToList())),
            Stat.From(Distribution.Of(results.SelectMany(r => r.RecoveryMs).ToList())),
            new DisseminationStat(d.Count, d.P50, d.P90, d.P99, d.Max, Math.Round(d.Mean, 3), expected == 0 ? 0 : Math.Round(dissemination.Count / (double)expected, 4)),
            results.Sum(r => r.FalseDead),
            results.Sum(r => r.FalseSuspect),
            results.Sum(r => r.FalseUnusable),
            results.Sum(r => r.SuspectEvents),
            results.Sum(r => r.DeadEvents),
            results.Sum(r => r.UnusableEvents),
            new BytesStat(bytes.Count == 0 ? 0 : Math.Round(bytes.Average(), 1), bytes.Count == 0 ? 0 : Math.Round(bytes.Max(), 1)),
            results.All(r => r.Converged),
            results.Count(r => r.Converged),
            Math.Round(wallSeconds, 3),
            wallSeconds > 0 ? Math.Round(events / wallSeconds) : 0,
            rejections,
            drops,
            extras,
            Math.Round(results.Length == 0 ? 0 : results.Average(r => r.Topology?.AverageHops ?? 0), 2),
            Math.Round(results.Length == 0 ? 0 : results.Average(r => r.Topology?.AverageHopsToNearestGateway ?? 0), 2),
            combinedHash,
            results.Select(r => new SeedSummary(r.Seed, r.TraceHash, r.TraceRecords, r.Converged, r.ConvergenceDetail, r.WarmupMs,
                r.WarmupConverged, r.EventsProcessed, Math.Round(r.WallSeconds, 3), r.FalseDead, r.FalseSuspect, r.FalseUnusable,
                r.FailoverMs.Count == 0 ? 0 : r.FailoverMs.Max())).ToList(),
            results.SelectMany(r => r.Examples).Take(30).ToList())
        {
            Traffic = Evernet.Sim.Traffic.TrafficReport.Merge(results),
        };
    }
}
