using System.Collections.Immutable;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;

namespace Evernet.Sim.Engine;

/// <summary>
/// What runs beside a gateway's core on a real router: the uplink monitor and the load meter. It hands the core a
/// health report periodically and at once when the uplink changes. Loads wander randomly but reproducibly.
/// </summary>
public sealed class GatewayHost
{
    private static readonly ImmutableArray<ProbeTargetStats> UpTargets = ImmutableArray.Create(
        new ProbeTargetStats("9.9.9.9", 0, 12_000, 800),
        new ProbeTargetStats("1.1.1.1", 0, 11_000, 600));
    private static readonly ImmutableArray<ProbeTargetStats> DownTargets = ImmutableArray.Create(
        new ProbeTargetStats("9.9.9.9", 1000, 0, 0),
        new ProbeTargetStats("1.1.1.1", 1000, 0, 0));

    private readonly SeededRandom _random;
    private double _loadFraction;

    public GatewayHost(int node, ulong seed)
    {
        Node = node;
        _random = new SeededRandom(seed);
        _loadFraction = 0.2 + 0.3 * _random.NextDouble();
    }

    public int Node { get; }
    public UplinkState Uplink { get; set; } = UplinkState.Up;
    /// <summary>When the uplink last changed state (virtual ticks); ground truth for false-unusable checks.</summary>
    public long UplinkSinceTicks { get; set; }
    public bool Draining { get; set; }
    public ulong CapacityDownBps { get; } = 100_000_000;
    public ulong CapacityUpBps { get; } = 40_000_000;
    public long Published { get; set; }
    /// <summary>
    /// When set (the traffic model), what the gateway publishes comes from here instead of the random walk: the real
    /// GatewayHealthPublisher's report when one is due, null when nothing is due (then nothing is published).
    /// </summary>
    public Func<GatewayHealthReport?>? ReportSource { get; set; }

    public GatewayHealthReport NextReport()
    {
        _loadFraction = Math.Clamp(_loadFraction + (_random.NextDouble() - 0.5) * 0.1, 0.02, 0.95);
        bool down = Uplink == UplinkState.Down;
        ulong loadDown = down ? 0 : (ulong)(CapacityDownBps * _loadFraction);
        ulong loadUp = down ? 0 : (ulong)(CapacityUpBps * _loadFraction * 0.4);
        uint flows = down ? 0 : (uint)(40 + _random.Next(400));
        return new GatewayHealthReport(Uplink, down ? DownTargets : UpTargets, CapacityDownBps, CapacityUpBps, loadDown, loadUp,
            flows, (uint)(20 + _random.Next(60)), Draining);
    }
}
