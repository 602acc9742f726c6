using Evernet.Daemon.Gateway;
using Evernet.Policy;

namespace Evernet.Daemon.Host;

/// <summary>
/// Runs each configured probe target on its own interval through the WAN and posts the results to the loop, where the
/// uplink monitor consumes them; samples WAN counters and conntrack once a second.
/// </summary>
public sealed class GatewayProbeScheduler
{
    private readonly DaemonLoop _loop;
    private readonly IUplinkProbe _probe;
    private readonly IReadOnlyList<ProbeTarget> _targets;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly WanLoadSampler? _load;
    private readonly TimeProvider _time;

    public GatewayProbeScheduler(DaemonLoop loop, IUplinkProbe probe, IReadOnlyList<ProbeTarget> targets, TimeSpan interval, WanLoadSampler? load, TimeProvider time)
    {
        _loop = loop;
        _probe = probe;
        _targets = targets;
        _interval = interval;
        _timeout = interval * 0.9;
        _load = load;
        _time = time;
    }

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var tasks = _targets.Select(t => ProbeLoopAsync(t, cancellationToken)).ToList();
        if (_load is not null) tasks.Add(LoadLoopAsync(_load, cancellationToken));
        return Task.WhenAll(tasks);
    }

    private async Task ProbeLoopAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            do
            {
                var result = await _probe.ProbeAsync(target, _timeout, cancellationToken).ConfigureAwait(false);
                long at = _time.GetUtcNow().ToUnixTimeMilliseconds();
                _loop.Post(() => _loop.Gateway?.RecordProbe(target.Name, at, result));
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task LoadLoopAsync(WanLoadSampler load, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            do
            {
                long at = _time.GetUtcNow().ToUnixTimeMilliseconds();
                var counters = load.SampleCounters(at);
                uint flows = load.ActiveFlows();
                _loop.Post(() =>
                {
                    if (_loop.Gateway is not { } g) return;
                    if (counters is { } c) g.RecordCounters(c);
                    int attached = _loop.LastView?.Members.Count(m => m.State == Gossip.View.MemberState.Alive) ?? 0;
                    g.RecordFlows(flows, (uint)Math.Max(0, attached - 1));
                });
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
