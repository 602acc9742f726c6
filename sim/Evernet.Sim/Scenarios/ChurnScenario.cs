using Evernet.Sim.Engine;

namespace Evernet.Sim.Scenarios;

/// <summary>Household routers crash or leave and come back; ~1 % of the members churn every 10 s.</summary>
public sealed class ChurnScenario : Scenario
{
    private const double QuietTail = 90;
    private int _crashes, _leaves, _restarts;

    public override string Name => "churn";
    public override string Description => "members crash (70 %) or leave gracefully (30 %) and return 5-30 s later; ends with 90 s of calm";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromMinutes(5);

    public override void Schedule(Simulation sim, long startTicks, TimeSpan duration)
    {
        int members = sim.Nodes.Count(n => n.Role == NodeRole.Member);
        var interval = TimeSpan.FromSeconds(10.0 / Math.Max(1, members / 100.0));
        long stopAt = startTicks + duration.Ticks - Seconds(QuietTail);
        var random = sim.ScenarioRandom;
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
            });
        }, () => sim.Now < stopAt);
    }

    public override void Finish(Simulation sim, IDictionary<string, double> extras)
    {
        extras["churn_crashes"] = _crashes;
        extras["churn_leaves"] = _leaves;
        extras["churn_restarts"] = _restarts;
    }
}
