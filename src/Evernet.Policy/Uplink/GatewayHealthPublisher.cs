using Evernet.Gossip.Records;

namespace Evernet.Policy;

/// <summary>
/// A report to hand to <c>GossipNode.PublishGatewaySummary</c>. <see cref="Urgent"/>: the uplink state or the drain flag
/// changed (the core pushes those at once); otherwise a routine load refresh.
/// </summary>
public sealed record GatewayPublication(GatewayHealthReport Report, bool Urgent, string Reason, UplinkTransition? Transition);

/// <summary>
/// The gateway side in one place: probe results and counters in, signed-summary contents out, exactly when they are due.
/// Host loop: <see cref="RecordProbe"/> on every completed probe, <see cref="RecordCounters"/>/<see cref="RecordFlows"/>
/// on every sample, then <see cref="Poll"/>; publish whatever it returns. Also <see cref="Poll"/> by
/// <see cref="NextPollUnixMs"/> so staleness and the steady re-sign happen without new input.
/// </summary>
public sealed class GatewayHealthPublisher
{
    private readonly UplinkMonitorOptions _uplinkOptions;
    private bool _draining;
    private bool _publishedDraining;
    private UplinkState? _publishedUplink;

    public GatewayHealthPublisher(GatewayHealthOptions options, long startUnixMs)
    {
        options.ThrowIfInvalid();
        _uplinkOptions = options.Uplink;
        Monitor = new UplinkMonitor(options.Uplink);
        Uplink = new UplinkStateMachine(options.Uplink, startUnixMs);
        Load = new LoadReporter(options.Load);
    }

    public UplinkMonitor Monitor { get; }
    public UplinkStateMachine Uplink { get; }
    public LoadReporter Load { get; }
    public bool Draining => _draining;

    public bool RecordProbe(string targetName, long nowUnixMs, ProbeResult result) => Monitor.Record(targetName, nowUnixMs, result);
    public void RecordCounters(InterfaceCounterSample sample) => Load.RecordCounters(sample);
    public void RecordFlows(uint activeFlows, uint attachedClients) => Load.RecordFlows(activeFlows, attachedClients);
    public void SetCapacity(ulong downBps, ulong upBps) => Load.SetCapacity(downBps, upBps);

    /// <summary>Admin drain: ask every node to move new flows elsewhere. Published urgently at the next <see cref="Poll"/>.</summary>
    public void SetDraining(bool draining) => _draining = draining;

    /// <summary>Evaluates the uplink, and returns a report if one is due now (null otherwise).</summary>
    public GatewayPublication? Poll(long nowUnixMs)
    {
        var health = Monitor.Health(nowUnixMs);
        var transition = Uplink.Evaluate(health, nowUnixMs);
        bool uplinkChanged = _publishedUplink != Uplink.State;
        bool drainChanged = _publishedDraining != _draining;
        string reason;
        bool urgent = false;
        if (uplinkChanged || drainChanged)
        {
            urgent = true;
            reason = uplinkChanged
                ? transition?.Reason is { } why ? $"uplink {transition.From} -> {transition.To}: {why}" : $"uplink {Uplink.State}"
                : _draining ? "draining" : "drain ended";
        }
        else
        {
            var due = Load.Due(nowUnixMs);
            if (due == LoadPublishReason.None) return null;
            reason = due.ToString();
        }
        var load = Load.Current;
        var report = new GatewayHealthReport(
            Uplink.State,
            [.. health.Select(h => h.Stats)],
            load.CapacityDownBps,
            load.CapacityUpBps,
            load.LoadDownBps,
            load.LoadUpBps,
            load.ActiveFlows,
            load.AttachedClients,
            _draining);
        Load.MarkPublished(nowUnixMs, load);
        _publishedUplink = Uplink.State;
        _publishedDraining = _draining;
        return new GatewayPublication(report, urgent, reason, transition);
    }

    /// <summary>When to poll at the latest without new input: a target may go stale, and the steady re-sign falls due.</summary>
    public long NextPollUnixMs(long nowUnixMs) =>
        Math.Max(nowUnixMs, Math.Min(nowUnixMs + _uplinkOptions.ProbeIntervalMs, Load.NextSteadyUnixMs));
}
