namespace Evernet.Sim.Traffic;

/// <summary>A scenario that runs the traffic model; the runner copies its result into the seed's result.</summary>
public interface ITrafficScenario
{
    TrafficOptions Traffic { get; }
    TrafficResult? TrafficResult { get; }
}
