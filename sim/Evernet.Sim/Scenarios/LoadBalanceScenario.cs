using Evernet.Sim.Engine;
using Evernet.Sim.Traffic;

namespace Evernet.Sim.Scenarios;

/// <summary>Steady traffic, nothing fails: every gateway should carry load in proportion to its capacity (equal utilisation).</summary>
public sealed class LoadBalanceScenario : TrafficScenario
{
    private const double Judge = 300;

    public override string Name => "load-balance";
    public override string Description => "households offer 65 % of the gateways' capacity (100/50/250 Mbit/s) as flows: utilisation vs capacity share after 5 min";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromMinutes(10);

    protected override void ScheduleFaults(Simulation sim, long startTicks, TimeSpan duration) { }

    protected override TrafficAnalysisPlan AnalysisPlan(TimeSpan duration) =>
        new(Math.Min(Judge, duration.TotalSeconds / 2), duration.TotalSeconds);
}
