using Evernet.Sim.Engine;
using Evernet.Sim.Traffic;

namespace Evernet.Sim.Scenarios;

/// <summary>
/// A scenario with households offering traffic (see <see cref="TrafficModel"/>). The model is installed before the
/// nodes start (gateways publish through their real health publishers from the first moment; nodes plan like the
/// daemon); traffic starts with the measured phase. Settings can be given in the scenario name:
/// "load-step:Weights.ControllerTimeConstantMs=20000,OfferedLoad=0.6" (keys: <see cref="TrafficOptions.Keys"/>).
/// </summary>
public abstract class TrafficScenario : Scenario, ITrafficScenario
{
    private TimeSpan _duration;

    public TrafficOptions Traffic { get; } = new();
    public TrafficResult? TrafficResult { get; private set; }
    protected TrafficModel Model { get; private set; } = null!;

    public override void Prepare(Simulation sim)
    {
        Model = new TrafficModel(sim, Traffic);
        Model.Install();
    }

    public sealed override void Schedule(Simulation sim, long startTicks, TimeSpan duration)
    {
        _duration = duration;
        Model.StartTraffic(startTicks);
        ScheduleFaults(sim, startTicks, duration);
    }

    /// <summary>What happens to the gateways while the traffic runs (from <paramref name="startTicks"/>, when traffic starts).</summary>
    protected abstract void ScheduleFaults(Simulation sim, long startTicks, TimeSpan duration);

    /// <summary>Which windows to judge, in seconds since traffic began.</summary>
    protected abstract TrafficAnalysisPlan AnalysisPlan(TimeSpan duration);

    public override void Finish(Simulation sim, IDictionary<string, double> extras) => TrafficResult = Model.Finish(AnalysisPlan(_duration));

    /// <summary>Applies "Key=Value,..." settings from a scenario name; null if they are not valid.</summary>
    public static Scenario? WithSettings(Scenario? scenario, string settings) =>
        scenario is TrafficScenario traffic && traffic.Traffic.ApplyAll(settings) is null ? traffic : null;
}
