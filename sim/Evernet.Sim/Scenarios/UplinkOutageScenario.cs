using Evernet.Gossip.Records;
using Evernet.Sim.Engine;

namespace Evernet.Sim.Scenarios;

/// <summary>Each gateway in turn loses its uplink for 20 s; its host signs an uplink-down summary at once.</summary>
public sealed class UplinkOutageScenario : Scenario
{
    private const double FirstAt = 10, Spacing = 45, Outage = 20;

    public override string Name => "uplink-outage";
    public override string Description => "each gateway in turn loses its uplink for 20 s: failover = signed uplink-down summary until the last node marks it unusable";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromSeconds(FirstAt + Spacing * gateways + 5);

    public override void Schedule(Simulation sim, long startTicks, TimeSpan duration)
    {
        long end = startTicks + duration.Ticks;
        int k = 0;
        for (long at = startTicks + Seconds(FirstAt); at + Seconds(Outage) <= end; at += Seconds(Spacing), k++)
        {
            int gateway = sim.GatewayIndices[k % sim.GatewayIndices.Length];
            sim.At(at, () =>
            {
                if (!sim.Nodes[gateway].IsUp) return;
                sim.SetUplink(gateway, UplinkState.Down);
                var probe = sim.Metrics.BeginFailover("uplink-outage", gateway);
                sim.After(TimeSpan.FromSeconds(Outage), () =>
                {
                    probe.Close();
                    sim.SetUplink(gateway, UplinkState.Up);
                    var recovery = sim.Metrics.BeginFailover("recovery", gateway, targetUsable: true);
                    sim.After(TimeSpan.FromSeconds(Spacing - Outage - 1), recovery.Close);
                });
            });
        }
    }
}
