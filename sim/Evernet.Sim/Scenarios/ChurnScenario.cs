using Evernet.Gossip.View;
using Evernet.Sim.Engine;

namespace Evernet.Sim.Scenarios;

/// <summary>Household routers crash or leave and come back; ~1 % of the members churn every 10 s.</summary>
public sealed class ChurnScenario : Scenario
{
    private const double QuietTail = 90;
    private int _crashes, _leaves, _restarts;
    /// <summary>Per restarted member: when it restarted and which live observers have not yet seen it alive again.</summary>
    private readonly Dictionary<int, (long RestartedAt, HashSet<int> Waiting)> _rejoining = new();
    private readonly List<double> _rejoinMs = new();

    public override string Name => "churn";
    public override string Description => "members crash (70 %) or leave gracefully (30 %) and return 5-30 s later; ends with 90 s of calm";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromMinutes(5);

    public override void Schedule(Simulation sim, long startTicks, TimeSpan duration)
    {
        int members = sim.Nodes.Count(n => n.Role == NodeRole.Member);
        var interval = TimeSpan.FromSeconds(10.0 / Math.Max(1, members / 100.0));
        long stopAt = startTicks + duration.Ticks - Seconds(QuietTail);
        var random = sim.ScenarioRandom;
        sim.Metrics.MemberStateObserved = (observer, member, state) =>
        {
            if (state != MemberState.Alive || !_rejoining.TryGetValue(member, out var r)) return;
            if (r.Waiting.Remove(observer) && r.Waiting.Count == 0)
            {
                _rejoinMs.Add((sim.Now - r.RestartedAt) / (double)TimeSpan.TicksPerMillisecond);
                _rejoining.Remove(member);
            }
        };
        sim.Every(interval, startTicks + Seconds(5), () =>
        {
            var up = UpMembers(sim);
            if (up.Count < 2) return;
            int victim = up[random.Next(up.Count)];
            bool leave = random.NextDouble() < 0.3;
            var back = TimeSpan.FromSeconds(5 + 25 * random.NextDouble());
            int starts = sim.Nodes[victim].Starts;
            if (leave)
            {
                _leaves++;
                sim.LeaveNode(victim, TimeSpan.FromSeconds(1));
            }
            else
            {
                _crashes++;
                sim.CrashNode(victim);
            }
            sim.After(back, () =>
            {
                if (sim.Nodes[victim].Starts != starts || sim.Nodes[victim].IsUp) return;
                _restarts++;
                sim.StartNode(victim);
                var waiting = new HashSet<int>();
                foreach (var n in sim.Nodes)
                    if (n.IsUp && n.IsHonest && n.Index != victim) waiting.Add(n.Index);
                _rejoining[victim] = (sim.Now, waiting);
            });
        }, () => sim.Now < stopAt);
    }

    public override void Finish(Simulation sim, IDictionary<string, double> extras)
    {
        extras["churn_crashes"] = _crashes;
        extras["churn_leaves"] = _leaves;
        extras["churn_restarts"] = _restarts;
        extras["rejoined"] = _rejoinMs.Count;
        // Only members still up, waiting on observers still up, are really missing.
        extras["rejoin_incomplete"] = _rejoining.Count(kv => sim.Nodes[kv.Key].IsUp && kv.Value.Waiting.Any(o => sim.Nodes[o].IsUp));
        if (_rejoinMs.Count > 0)
        {
            _rejoinMs.Sort();
            extras["rejoin_ms_p50"] = _rejoinMs[(_rejoinMs.Count - 1) / 2];
            extras["rejoin_ms_max"] = _rejoinMs[^1];
        }
    }
}
