using System.Diagnostics;
using System.Globalization;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Evernet.Sim.Engine;
using Evernet.Sim.Metrics;
using Evernet.Sim.Network;
using Evernet.Sim.Scenarios;

namespace Evernet.Sim.Running;

/// <summary>Runs a scenario: build the topology, start every node, warm up until converged, apply the faults, observe, measure.</summary>
public static class ScenarioRunner
{
    public static readonly TimeSpan DefaultSummaryInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultMaxWarmup = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan MinWarmup = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StartSpread = TimeSpan.FromSeconds(2);
    /// <summary>After the observation window, how long the mesh may take to agree before it is called not converged.</summary>
    public static readonly TimeSpan SettleWindow = TimeSpan.FromSeconds(15);

    /// <summary>All seeds, in parallel up to <see cref="RunConfig.Parallelism"/>; results in seed order.</summary>
    public static SeedResult[] RunAll(RunConfig config, Action<string>? progress = null)
    {
        var results = new SeedResult[config.Seeds];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, config.Parallelism) };
        Parallel.For(0, config.Seeds, options, i =>
        {
            ulong seed = config.Seed + (ulong)i;
            TextWriter? trace = null;
            if (config.TracePath is not null)
            {
                string path = config.Seeds == 1 ? config.TracePath : $"{config.TracePath}.seed{seed}";
                trace = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 16);
            }
            results[i] = RunSeed(config, seed, trace, progress);
        });
        return results;
    }

    public static SeedResult RunSeed(RunConfig config, ulong seed, TextWriter? trace = null, Action<string>? progress = null)
    {
        var wall = Stopwatch.StartNew();
        var scenario = ScenarioCatalog.Create(config.Scenario) ?? throw new ArgumentException($"unknown scenario '{config.Scenario}'");
        var topology = TopologyGenerator.Generate(config.Topology, SeedDerivation.Derive(seed, SeedDerivation.Topology));
        var roles = scenario.AssignRoles(topology, new SeededRandom(SeedDerivation.Derive(seed, SeedDerivation.Scenario, 1)));
        var options = config.Options();
        options.ThrowIfInvalid();
        var summaryInterval = config.SummaryInterval ?? DefaultSummaryInterval;
        var duration = config.Duration ?? scenario.DefaultDuration(topology.Gateways.Length);
        int lanes = scenario.NeedsOneLane ? 1 : config.LanesFor(topology.NodeCount);
        using var sim = new Simulation(new SimulationSetup(topology, options, seed, roles, summaryInterval, trace, config.WarmRestart, lanes));
        if (progress is not null)
        {
            long totalTicks = duration.Ticks;
            sim.Progress = s => progress(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: virtual {s.Now / (double)TimeSpan.TicksPerSecond:0.0}s (measure {(s.Metrics.Measuring ? (s.Now - s.Metrics.MeasureStartTicks) * 100.0 / totalTicks : 0):0}%), {s.EventsProcessed / 1e6:0.0}M events, wall {s.WallSeconds:0.0}s"));
        }
        scenario.Prepare(sim);

        // Gateways first, the others spread over the first two seconds, like routers powering up after an outage.
        foreach (var g in topology.Gateways) sim.At(0, () => sim.StartNode(g));
        for (int i = 0; i < sim.Nodes.Length; i++)
        {
            if (roles[i] == NodeRole.Gateway) continue;
            int node = i;
            sim.At((long)(sim.ScenarioRandom.NextDouble() * StartSpread.Ticks), () => sim.StartNode(node));
        }
        sim.At(0, () => sim.StartPeriodicSummaries(summaryInterval));

        var result = new SeedResult { Seed = seed };
        long maxWarmup = (config.MaxWarmup ?? DefaultMaxWarmup).Ticks;
        sim.RunUntil(Math.Min(MinWarmup.Ticks, maxWarmup));
        result.WarmupConverged = sim.RunUntil(maxWarmup, TimeSpan.FromMilliseconds(250), sim.Metrics.LooksConverged);
        result.WarmupMs = sim.Now / (double)TimeSpan.TicksPerMillisecond;
        result.Extras["warmup_wall_s"] = Math.Round(wall.Elapsed.TotalSeconds, 3);
        sim.Trace.Note(sim.Now, -1, result.WarmupConverged ? "warm-up converged" : "warm-up did not converge: " + sim.Metrics.ConvergenceGap());
        if (!result.WarmupConverged) result.Examples.Add($"seed {seed}: warm-up did not converge: {sim.Metrics.ConvergenceGap()}");

        sim.Metrics.BeginMeasurement();
        var bytesByTypeAtStart = (long[])sim.BytesByMessageType.Clone();
        long start = sim.Now;
        scenario.Schedule(sim, start, duration);
        sim.RunUntil(start + duration.Ticks);

        // Measure at the end of the observation window, then let the mesh settle to judge convergence.
        Collect(sim, result, start);
        ShareByMessageType(sim, bytesByTypeAtStart, result);
        scenario.Finish(sim, result.Extras);
        result.Traffic = (scenario as Traffic.ITrafficScenario)?.TrafficResult;
        (result.Converged, double settleMs, result.ConvergenceDetail) = ConvergenceCheck.Settle(sim, config.Settle ?? SettleWindow);
        result.Extras["settle_ms"] = settleMs;
        result.TraceHash = sim.Trace.Finish();
        result.TraceRecords = sim.Trace.Records;
        result.WallSeconds = wall.Elapsed.TotalSeconds;
        result.Extras["core_wall_s"] = Math.Round(sim.CoreWallSeconds, 3);
        result.Extras["lanes"] = sim.Plan.Lanes;
        result.Extras["timeout_events"] = sim.TimeoutsProcessed;
        result.Extras["events"] = sim.EventsProcessed;
        if (sim.Plan.Lanes > 1)
        {
            result.Extras["lookahead_ms"] = sim.Plan.LookaheadTicks / (double)TimeSpan.TicksPerMillisecond;
            result.Extras["lane_segments"] = sim.LaneSync.Segments;
            result.Extras["lane_wait_s"] = Math.Round(sim.LaneSync.WaitSeconds, 3);
            result.Extras["lane_segments_s"] = Math.Round(sim.LaneSync.InSegmentSeconds, 3);
            var busy = sim.LaneBusySeconds;
            var blocked = sim.LaneBlockedSeconds;
            for (int l = 0; l < busy.Length; l++)
            {
                result.Extras[$"lane{l}_busy_s"] = Math.Round(busy[l], 3);
                result.Extras[$"lane{l}_blocked_s"] = Math.Round(blocked[l], 3);
            }
        }
        result.Extras["warmup_s"] = result.WarmupMs / 1000;
        // Process-wide: exact with --parallel 1, shared between seeds otherwise.
        result.Extras["gc_pause_s"] = Math.Round(GC.GetTotalPauseDuration().TotalSeconds, 3);
        result.Extras["gc_gen0"] = GC.CollectionCount(0);
        result.Extras["gc_gen1"] = GC.CollectionCount(1);
        result.Extras["gc_gen2"] = GC.CollectionCount(2);
        result.Extras["allocated_mb"] = Math.Round(GC.GetTotalAllocatedBytes() / 1048576.0, 1);
        result.Topology = TopologyStats.Measure(topology, seed);
        return result;
    }

    /// <summary>Which messages the measured bytes were: share of each type, in percent.</summary>
    private static void ShareByMessageType(Simulation sim, long[] atStart, SeedResult result)
    {
        long total = 0;
        for (int t = 0; t < atStart.Length; t++) total += sim.BytesByMessageType[t] - atStart[t];
        if (total <= 0) return;
        for (int t = 1; t < atStart.Length; t++)
        {
            long bytes = sim.BytesByMessageType[t] - atStart[t];
            if (bytes > 0) result.Extras["bytes_pct." + (Evernet.Gossip.Wire.MessageType)t] = Math.Round(bytes * 100.0 / total, 1);
        }
    }

    private static void Collect(Simulation sim, SeedResult result, long start)
    {
        var m = sim.Metrics;
        foreach (var p in m.Probes)
        {
            switch (p.Kind)
            {
                case "uplink-outage" or "gateway-crash":
                    if (p.FailoverMs is { } ms) result.FailoverMs.Add(ms);
                    else result.FailoverUndetected++;
                    result.ObserverDetectionMs.AddRange(p.ObserverDelaysMs());
                    break;
                case "recovery":
                    if (p.FailoverMs is { } rec) result.RecoveryMs.Add(rec);
                    else result.Extras["recovery_incomplete"] = result.Extras.GetValueOrDefault("recovery_incomplete") + 1;
                    break;
            }
        }
        result.DisseminationMs = m.Dissemination.ConvertAll(x => x);
        result.DisseminationExpected = m.DisseminationExpected;
        result.FalseDead = m.FalseDead;
        result.FalseSuspect = m.FalseSuspect;
        result.Extras["false_dead_events"] = m.FalseDeadEvents;
        result.Extras["false_suspect_events"] = m.FalseSuspectEvents;
        result.FalseUnusable = m.FalseUnusable;
        result.SuspectEvents = m.SuspectEvents;
        result.DeadEvents = m.DeadEvents;
        result.UnusableEvents = m.UnusableEvents;
        result.Examples.AddRange(m.Examples);
        result.Rejections = (long[])m.RejectedByReason.Clone();
        double measured = (sim.Now - start) / (double)TimeSpan.TicksPerSecond;
        result.MeasuredSeconds = measured;
        result.VirtualSeconds = sim.Now / (double)TimeSpan.TicksPerSecond;
        var bytes = new List<double>();
        foreach (var n in sim.Nodes)
            if (n.IsHonest && measured > 0) bytes.Add((n.BytesSent - n.BytesSentAtMeasureStart) / measured);
        result.BytesPerNodePerS = bytes.ToArray();
        result.DatagramsSent = sim.Network.Sent;
        result.DatagramsDelivered = sim.Network.Delivered;
        result.Drops = (long[])sim.Network.DroppedByReason.Clone();
        result.EventsProcessed = sim.EventsProcessed;
        result.TimeoutSpins = sim.TimeoutSpins;
        if (sim.TimeoutSpins > 0) result.Examples.Add($"seed {sim.Seed}: core asked for an already-passed timeout right after HandleTimeout {sim.TimeoutSpins} times");
    }
}
