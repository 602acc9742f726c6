using Evernet.Sim.Engine;
using Evernet.Sim.Traffic;

namespace Evernet.Sim.Scenarios;

/// <summary>
/// <see cref="UplinkOutageScenario"/> with traffic: after a minute of steady traffic, each gateway in turn loses its
/// uplink for 20 s. The gateways judge their lines with the real uplink monitor (so failover_ms here includes the
/// gateway's own detection, ~0.7 s, and recovery its 10 s up-hold). Only the dead gateway's flows may move.
/// </summary>
public sealed class TrafficUplinkOutageScenario : TrafficScenario
{
    private const double Lead = 60;
    private readonly UplinkOutageScenario _inner = new();

    public override string Name => "uplink-outage-traffic";
    public override string Description => "uplink-outage with traffic on (a minute of traffic first): flows moved by each outage, flows broken elsewhere";
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
