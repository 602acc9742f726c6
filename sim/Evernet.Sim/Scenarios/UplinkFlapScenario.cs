using Evernet.Gossip.Records;
using Evernet.Sim.Engine;
using Evernet.Sim.Traffic;

namespace Evernet.Sim.Scenarios;

/// <summary>
/// Steady traffic; then the first gateway's line flaps — down for <see cref="DownSeconds"/>, up for
/// <see cref="UpSeconds"/>, again and again — then stays up. The fast variant flaps faster than the gateway's uplink
/// judgement will call the line Up again (10 s of unbroken success); the slow one's up phases outlast it, so it is the
/// nodes' hold-down and slow start that must keep weights from following the flaps.
/// </summary>
public sealed class UplinkFlapScenario : TrafficScenario
{
    private const int Slot = 0;
    private const double FlapFrom = 120;
    private readonly bool _slow;

    public UplinkFlapScenario(bool slow) => _slow = slow;

    public double DownSeconds => _slow ? 3 : 2;
    public double UpSeconds => _slow ? 15 : 4;
    private double FlapFor => _slow ? 300 : 180;

    public override string Name => _slow ? "uplink-flap-slow" : "uplink-flap";
    public override string Description => _slow
        ? "traffic on; the 100 Mbit/s gateway's line is down 3 s / up 15 s for 5 min: weight changes per node per minute while it flaps"
        : "traffic on; the 100 Mbit/s gateway's line is down 2 s / up 4 s for 3 min: weight changes per node per minute while it flaps";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromSeconds(FlapFrom + FlapFor + 120);

    protected override void ScheduleFaults(Simulation sim, long startTicks, TimeSpan duration)
    {
        int gateway = sim.GatewayIndices[Slot];
        double until = Math.Min(FlapFrom + FlapFor, duration.TotalSeconds - 30);
        for (double t = FlapFrom; t + DownSeconds <= until; t += DownSeconds + UpSeconds)
        {
            sim.At(startTicks + Seconds(t), () => sim.SetUplink(gateway, UplinkState.Down));
            sim.At(startTicks + Seconds(t + DownSeconds), () => sim.SetUplink(gateway, UplinkState.Up));
        }
    }

    protected override TrafficAnalysisPlan AnalysisPlan(TimeSpan duration)
    {
        double until = Math.Min(FlapFrom + FlapFor, duration.TotalSeconds - 30);
        return new(FlapFrom, until, Flap: new FlapPlan(Slot, FlapFrom, until, DownSeconds, UpSeconds));
    }
}
