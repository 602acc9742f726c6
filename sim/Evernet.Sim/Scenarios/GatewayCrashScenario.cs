using Evernet.Sim.Engine;

namespace Evernet.Sim.Scenarios;

/// <summary>Each gateway in turn crashes (no goodbye) and restarts 25 s later with the same key and version store.</summary>
public sealed class GatewayCrashScenario : Scenario
{
    private const double FirstAt = 10, Spacing = 60, Down = 25;

    public override string Name => "gateway-crash";
    public override string Description => "each gateway in turn crashes and restarts 25 s later: failover = crash until the last node marks it unusable";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromSeconds(FirstAt + Spacing * gateways + 5);

    public override void Schedule(Simulation sim, long startTicks, TimeSpan duration)
    {
        long end = startTicks + duration.Ticks;
        int k = 0;
        for (long at = startTicks + Seconds(FirstAt); at + Seconds(Down) <= end; at += Seconds(Spacing), k++)
        {
            int gateway = sim.GatewayIndices[k % sim.GatewayIndices.Length];
            sim.At(at, () =>
            {
                if (!sim.Nodes[gateway].IsUp) return;
                var probe = sim.Metrics.BeginFailover("gateway-crash", gateway);
                sim.CrashNode(gateway);
                sim.After(TimeSpan.FromSeconds(Down), () =>
                {
                    probe.Close();
                    sim.StartNode(gateway);
                    var recovery = sim.Metrics.BeginFailover("recovery", gateway, targetUsable: true);
                    sim.After(TimeSpan.FromSeconds(Spacing - Down - 1), recovery.Close);
                });
            });
        }
    }
}
