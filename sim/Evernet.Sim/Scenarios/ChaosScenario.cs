using Evernet.Sim.Engine;
using Evernet.Sim.Network;

namespace Evernet.Sim.Scenarios;

/// <summary>Every network and host fault at once, none of them fatal; then everything is restored and the mesh must settle.</summary>
public sealed class ChaosScenario : Scenario
{
    private const double StartAt = 10, Calm = 60;

    public override string Name => "chaos";
    public override string Description => "duplication, reordering, asymmetric loss, lossier links, slow CPUs and a skewed clock at once; restored 60 s before the end";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromMinutes(3);

    public override void Schedule(Simulation sim, long startTicks, TimeSpan duration)
    {
        var random = sim.ScenarioRandom;
        var net = sim.Network;
        var restore = new List<Action>();
        sim.At(startTicks + Seconds(StartAt), () =>
        {
            net.DuplicateProbability = 0.05;
            net.ReorderProbability = 0.05;
            restore.Add(() => { net.DuplicateProbability = 0; net.ReorderProbability = 0; });
            var members = UpMembers(sim);
            for (int k = 0; k < 3 && members.Count > 0; k++)
            {
                int node = members[random.Next(members.Count)];
                foreach (var l in net.LinksOf(node))
                {
                    int link = l;
                    ref readonly var state = ref net.LinkAt(link);
                    double before = node == state.A ? state.LossAtoB : state.LossBtoA;
                    net.SetLoss(link, node, 0.3);
                    restore.Add(() => net.SetLoss(link, node, before));
                }
                sim.Trace.Note(sim.Now, node, "asymmetric loss 30% outbound");
            }
            for (int k = 0; k < Math.Max(1, net.LinkCount / 10); k++)
            {
                int link = random.Next(net.LinkCount);
                ref readonly var state = ref net.LinkAt(link);
                if (state.Kind == LinkKind.Backbone) continue;
                (double ab, double ba) = (state.LossAtoB, state.LossBtoA);
                (int a, int b) = (state.A, state.B);
                net.SetLoss(link, a, Math.Min(0.3, Math.Max(0.01, ab * 3)));
                net.SetLoss(link, b, Math.Min(0.3, Math.Max(0.01, ba * 3)));
                restore.Add(() =>
                {
                    net.SetLoss(link, a, ab);
                    net.SetLoss(link, b, ba);
                });
            }
            for (int k = 0; k < 3 && members.Count > 0; k++)
            {
                var node = sim.Nodes[members[random.Next(members.Count)]];
                node.InputDelayTicks = 30 * TimeSpan.TicksPerMillisecond;
                restore.Add(() => node.InputDelayTicks = 0);
            }
            if (members.Count > 0)
            {
                var skewed = sim.Nodes[members[random.Next(members.Count)]];
                skewed.Time.SkewTicks = 3 * TimeSpan.TicksPerSecond;
                restore.Add(() => skewed.Time.SkewTicks = 0);
            }
        });
        sim.At(startTicks + duration.Ticks - Seconds(Calm), () =>
        {
            for (int i = restore.Count - 1; i >= 0; i--) restore[i]();
            sim.Trace.Note(sim.Now, -1, "chaos restored");
        });
    }
}
