using Evernet.Sim.Engine;
using Evernet.Sim.Traffic;

namespace Evernet.Sim.Scenarios;

/// <summary>
/// Steady traffic; then the first gateway's modem resyncs at half its rate (100/40 → 50/20 Mbit/s). Its load reporter
/// is told and signs the new capacity; the nodes must move load away until every gateway is again at the same
/// utilisation — without overshooting or ringing.
/// </summary>
public sealed class LoadStepScenario : TrafficScenario
{
    private const double StepAt = 240;
    private const int Slot = 0;
    private double _from, _to;

    public override string Name => "load-step";
    public override string Description => "like load-balance, then the 100 Mbit/s gateway's capacity halves at 240 s: settle time, overshoot, ringing";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromMinutes(10);

    protected override void ScheduleFaults(Simulation sim, long startTicks, TimeSpan duration)
    {
        double at = Math.Min(StepAt, duration.TotalSeconds / 2);
        sim.At(startTicks + Seconds(at), () =>
        {
            var link = Traffic.LinkOf(Slot);
            _from = Model.CapacityDownBps(Slot) / 1e6;
            _to = _from / 2;
            Model.SetCapacity(Slot, _to, link.UpMbps / 2);
        });
    }

    protected override TrafficAnalysisPlan AnalysisPlan(TimeSpan duration)
    {
        double at = Math.Min(StepAt, duration.TotalSeconds / 2);
        double end = duration.TotalSeconds;
        return new(Math.Max(at, end - 120), end, new StepPlan(at, Slot, _from, _to));
    }
}
