using Evernet.Gossip;
using Evernet.Sim.Network;
using Evernet.Sim.Running;

namespace Evernet.Sim.Tests;

/// <summary>Small runs of the real core for tests: a few dozen nodes, short windows.</summary>
internal static class SimRun
{
    public static RunConfig Config(string scenario, int nodes = 25, double loss = 0.02, TimeSpan? duration = null,
        int seeds = 1, ulong seed = 1, TopologyKind topology = TopologyKind.Evernet, Action<GossipOptions>? tune = null) =>
        new(scenario, new TopologyOptions(topology, nodes, 3, loss), () =>
        {
            var o = new GossipOptions();
            tune?.Invoke(o);
            return o;
        }, seed, seeds, duration, MaxWarmup: TimeSpan.FromSeconds(90), Parallelism: Math.Min(seeds, 2));

    public static SeedResult One(string scenario, int nodes = 25, double loss = 0.02, TimeSpan? duration = null, ulong seed = 1,
        TopologyKind topology = TopologyKind.Evernet) =>
        ScenarioRunner.RunSeed(Config(scenario, nodes, loss, duration, 1, seed, topology), seed);

    public static string Describe(SeedResult r) =>
        $"seed {r.Seed}: converged={r.Converged} ({r.ConvergenceDetail}); failover=[{string.Join(",", r.FailoverMs)}] undetected={r.FailoverUndetected}; " +
        $"false dead/suspect/unusable={r.FalseDead}/{r.FalseSuspect}/{r.FalseUnusable}; extras: {string.Join(", ", r.Extras.Select(kv => $"{kv.Key}={kv.Value}"))}; " +
        string.Join(" | ", r.Examples);
}
