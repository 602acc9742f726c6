using Evernet.Sim.Engine;

namespace Evernet.Sim.Scenarios;

/// <summary>Nothing fails; only the radio loses packets. Anything declared dead, suspect or unusable is a false alarm.</summary>
public sealed class LossySteadyScenario : Scenario
{
    public override string Name => "lossy-steady";
    public override string Description => "no faults, only per-hop loss (--loss): counts false dead / suspect / unusable and gossip bytes";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromMinutes(10);

    public override void Schedule(Simulation sim, long startTicks, TimeSpan duration) { }
}
