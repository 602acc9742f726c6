using Evernet.Sim.Engine;
using Evernet.Sim.Traffic;

namespace Evernet.Sim.Scenarios;

/// <summary>
/// An outage scenario (<see cref="UplinkOutageScenario"/>, <see cref="GatewayCrashScenario"/>) with traffic on: after a
/// minute of steady traffic its faults run as they do without traffic. Only the failed gateway's flows may move.
/// With the uplink outage the gateways judge their lines with the real uplink monitor, so failover_ms includes the
/// gateway's own detection (~0.7 s) and recovery its 10 s up-hold; a crashed gateway restarts as a new daemon whose
/// uplink judgement starts from Down.
/// </summary>
public sealed class OutageWithTrafficScenario : TrafficScenario
{
    private const double Lead = 60;
    private readonly Scenario _inner;

    public OutageWithTrafficScenario(Scenario inner, string faultsMoving)
    {
        _inner = inner;
        Name = inner.Name + "-traffic";
        Description = $"{inner.Name} with traffic on (a minute of traffic first): flows moved by each {faultsMoving}, flows broken elsewhere";
    }

    public override string Name { get; }
    public override string Description { get; }
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromSeconds(Lead) + _inner.DefaultDuration(gateways);

    protected override void ScheduleFaults(Simulation sim, long startTicks, TimeSpan duration) =>
        _inner.Schedule(sim, startTicks + Seconds(Lead), duration - TimeSpan.FromSeconds(Lead));

    protected override TrafficAnalysisPlan AnalysisPlan(TimeSpan duration) => new(Lead / 2, Lead);

    public override void Finish(Simulation sim, IDictionary<string, double> extras)
    {
        _inner.Finish(sim, extras);
        base.Finish(sim, extras);
    }
}
