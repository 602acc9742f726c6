using Evernet.Sim.Engine;
using Evernet.Sim.Metrics;

namespace Evernet.Sim.Scenarios;

/// <summary>A village (or region) is cut off for 60 s, then the links come back.</summary>
public sealed class PartitionHealScenario : Scenario
{
    private const double CutAt = 10, CutFor = 60;
    private readonly List<FailoverProbe> _probes = new();
    private long _healedAt = -1, _reconvergedAt = -1;

    public override string Name => "partition-heal";
    public override string Description => "a village loses its backbone links for 60 s, then heals: time to notice the lost gateways, time to reconverge";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromSeconds(CutAt + CutFor + 120);

    public override void Schedule(Simulation sim, long startTicks, TimeSpan duration)
    {
        var side = sim.Topology.PartitionSide;
        var inSide = new bool[sim.Nodes.Length];
        foreach (var n in side) inSide[n] = true;
        var cut = sim.Topology.CutLinks(side);
        sim.At(startTicks + Seconds(CutAt), () =>
        {
            foreach (var l in cut) sim.SetLinkUp(l, false);
            foreach (var g in sim.GatewayIndices)
            {
                bool gatewayInSide = inSide[g];
                _probes.Add(sim.Metrics.BeginFailover("partition", g, observerFilter: o => inSide[o] != gatewayInSide));
            }
        });
        sim.At(startTicks + Seconds(CutAt + CutFor), () =>
        {
            foreach (var p in _probes) p.Close();
            foreach (var l in cut) sim.SetLinkUp(l, true);
            _healedAt = sim.Now;
            sim.Every(TimeSpan.FromMilliseconds(100), sim.Now, () =>
            {
                if (sim.Metrics.LooksConverged()) _reconvergedAt = sim.Now;
            }, () => _reconvergedAt < 0);
        });
    }

    public override void Finish(Simulation sim, IDictionary<string, double> extras)
    {
        double detect = 0;
        int undetected = 0;
        foreach (var p in _probes)
        {
            if (p.FailoverMs is { } ms) detect = Math.Max(detect, ms);
            else undetected++;
        }
        extras["partition_side_nodes"] = sim.Topology.PartitionSide.Length;
        extras["partition_detect_ms"] = detect;
        extras["partition_undetected_probes"] = undetected;
        extras["heal_ms"] = _healedAt >= 0 && _reconvergedAt >= 0 ? (_reconvergedAt - _healedAt) / (double)TimeSpan.TicksPerMillisecond : -1;
    }
}
