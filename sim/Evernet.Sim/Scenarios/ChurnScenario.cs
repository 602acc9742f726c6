using Evernet.Gossip.View;
using Evernet.Sim.Engine;

namespace Evernet.Sim.Scenarios;

/// <summary>Household routers crash or leave and come back; ~1 % of the members churn every 10 s.</summary>
public sealed class ChurnScenario : Scenario
{
    private const double QuietTail = 90;
    private int _crashes, _leaves, _restarts;
    /// <summary>
    /// A restarted member, and the observers that did not hold it alive when it restarted (those that never noticed it
    /// was gone have nothing to relearn), with each observer's start count: an observer that stops before it sees the
    /// member alive drops out instead of stretching the figure by its own downtime.
    /// </summary>
    private sealed class Rejoin
    {
        public long RestartedAt;
        public long LastSeenAt = -1;
        public required Dictionary<int, int> Waiting;
    }

    private readonly Dictionary<int, Rejoin> _rejoining = new();
    /// <summary>Each observer's current view of each member, with the observer's start count (a restarted observer knows nothing).</summary>
    private readonly Dictionary<(int Observer, int Member), (int Starts, MemberState State)> _view = new();
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
        // The warm-up ended with every node holding every member alive; views change from there.
        foreach (var o in sim.Nodes)
            if (o.IsUp && o.IsHonest)
                foreach (var m in sim.Nodes)
                    if (m.IsHonest && m.Index != o.Index) _view[(o.Index, m.Index)] = (o.Starts, MemberState.Alive);
        sim.Metrics.MemberStateObserved = (observer, member, state) =>
        {
            _view[(observer, member)] = (sim.Nodes[observer].Starts, state);
            if (state == MemberState.Alive && _rejoining.TryGetValue(member, out var r) && r.Waiting.Remove(observer))
                r.LastSeenAt = sim.Now;
            Sweep(sim);
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
                var waiting = new Dictionary<int, int>();
                foreach (var n in sim.Nodes)
                    if (n.IsUp && n.IsHonest && n.Index != victim && !HoldsAlive(n, victim))
                        waiting[n.Index] = n.Starts;
                _rejoining[victim] = new Rejoin { RestartedAt = sim.Now, Waiting = waiting };
                Sweep(sim);
            });
        }, () => sim.Now < stopAt);
    }

    private bool HoldsAlive(SimNode observer, int member) =>
        _view.TryGetValue((observer.Index, member), out var v) && v.Starts == observer.Starts && v.State == MemberState.Alive;

    /// <summary>Drops observers that stopped or restarted since; a rejoin is done when nobody still up waits for it.</summary>
    private void Sweep(Simulation sim)
    {
        List<int>? done = null;
        foreach (var (member, r) in _rejoining)
        {
            foreach (var (observer, starts) in r.Waiting.ToList())
                if (!sim.Nodes[observer].IsUp || sim.Nodes[observer].Starts != starts) r.Waiting.Remove(observer);
            if (r.Waiting.Count > 0) continue;
            long at = r.LastSeenAt >= 0 ? r.LastSeenAt : r.RestartedAt;
            _rejoinMs.Add((at - r.RestartedAt) / (double)TimeSpan.TicksPerMillisecond);
            (done ??= new()).Add(member);
        }
        if (done is not null)
            foreach (var member in done) _rejoining.Remove(member);
    }

    public override void Finish(Simulation sim, IDictionary<string, double> extras)
    {
        Sweep(sim);
        extras["churn_crashes"] = _crashes;
        extras["churn_leaves"] = _leaves;
        extras["churn_restarts"] = _restarts;
        extras["rejoined"] = _rejoinMs.Count;
        // Only members still up, waiting on observers still up, are really missing.
        extras["rejoin_incomplete"] = _rejoining.Count(kv => sim.Nodes[kv.Key].IsUp && kv.Value.Waiting.Count > 0);
        if (_rejoinMs.Count > 0)
        {
            _rejoinMs.Sort();
            extras["rejoin_ms_p50"] = _rejoinMs[(_rejoinMs.Count - 1) / 2];
            extras["rejoin_ms_max"] = _rejoinMs[^1];
        }
    }
}
