using Evernet.Daemon.Gateway;
using Evernet.Gossip.Identity;
using Evernet.Policy;

namespace Evernet.Daemon.Host;

/// <summary>
/// Node side: measures this node's own path to every gateway through its tunnel (ICMP echo to the gateway's tunnel
/// address, bound to the tunnel interface), so a dead path counts like a dead gateway in the weights. Each gateway is
/// probed on the regular interval, and faster while the policy is in doubt about it (after a loss): a dead-path verdict
/// needs a long run of losses on a lossy path, and the retries keep that run short in time.
/// </summary>
public sealed class TunnelPathProber
{
    private readonly DaemonLoop _loop;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, WanUplinkProbe> _probes = new();
    private readonly Dictionary<NodeId, long> _dueUnixMs = [];

    public TunnelPathProber(DaemonLoop loop, TimeSpan interval, TimeProvider time)
    {
        _loop = loop;
        _interval = interval;
        _time = time;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var tunnels = await _loop.InvokeAsync(() => _loop.LastPlan?.Tunnels ?? []).ConfigureAwait(false);
                long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                var probed = tunnels.Where(t => t.GatewayAddresses is not null).ToList();
                foreach (var gone in _dueUnixMs.Keys.Where(k => probed.All(t => t.Gateway != k)).ToList()) _dueUnixMs.Remove(gone);
                var due = probed.Where(t => !_dueUnixMs.TryGetValue(t.Gateway, out var at) || at <= now).ToList();
                var results = await Task.WhenAll(due.Select(t => ProbeAsync(t, cancellationToken))).ConfigureAwait(false);
                foreach (var (gateway, nextUnixMs) in results) _dueUnixMs[gateway] = nextUnixMs;

                long after = _time.GetUtcNow().ToUnixTimeMilliseconds();
                long next = _dueUnixMs.Count == 0 ? after + (long)_interval.TotalMilliseconds : _dueUnixMs.Values.Min();
                var wait = TimeSpan.FromMilliseconds(Math.Clamp(next - after, 10, (long)_interval.TotalMilliseconds));
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var p in _probes.Values) p.Dispose();
        }
    }

    /// <summary>One probe; returns when the gateway is due again (from the send time, as the policy asks).</summary>
    private async Task<(NodeId Gateway, long NextUnixMs)> ProbeAsync(GatewayTunnel tunnel, CancellationToken cancellationToken)
    {
        var probe = _probes.GetOrAdd(tunnel.Interface, static name => new WanUplinkProbe(name));
        var target = new ProbeTarget("tunnel", Policy.ProbeKind.Icmp, tunnel.GatewayAddresses!.IPv4.ToString(), null);
        long sent = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var result = await probe.ProbeAsync(target, _interval * 0.8, cancellationToken).ConfigureAwait(false);
        var sample = result.Success ? PathSample.Reply(result.RttMicros / 1000.0) : PathSample.Lost;
        long at = _time.GetUtcNow().ToUnixTimeMilliseconds();
        int intervalMs = (int)_interval.TotalMilliseconds;
        int delayMs = await _loop.InvokeAsync(() =>
        {
            _loop.Policy.RecordPathSample(tunnel.Gateway, at, sample, sent);
            return _loop.Policy.Paths.NextProbeDelayMs(tunnel.Gateway, at, intervalMs);
        }).ConfigureAwait(false);
        return (tunnel.Gateway, sent + delayMs);
    }
}
