using Evernet.Sim.Engine;
using Evernet.Sim.Traffic;

namespace Evernet.Sim.Scenarios;

/// <summary>
/// <see cref="GatewayCrashScenario"/> with traffic: after a minute of steady traffic, each gateway in turn crashes and
/// restarts 25 s later (a new daemon: its uplink judgement starts from Down). Only the crashed gateway's flows may move.
/// </summary>
public sealed class TrafficGatewayCrashScenario : TrafficScenario
{
    private const double Lead = 60;
    private readonly GatewayCrashScenario _inner = new();

    public override string Name => "gateway-crash-traffic";
    public override string Description => "gateway-crash with traffic on (a minute of traffic first): flows moved by each crash, flows broken elsewhere";
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
