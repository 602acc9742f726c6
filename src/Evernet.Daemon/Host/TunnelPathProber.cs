using Evernet.Daemon.Gateway;
using Evernet.Policy;

namespace Evernet.Daemon.Host;

/// <summary>
/// Node side: measures this node's own path to every gateway through its tunnel (ICMP echo to the gateway's tunnel
/// address, bound to the tunnel interface), so a dead path counts like a dead gateway in the weights.
/// </summary>
public sealed class TunnelPathProber
{
    private readonly DaemonLoop _loop;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, WanUplinkProbe> _probes = new();

    public TunnelPathProber(DaemonLoop loop, TimeSpan interval, TimeProvider time)
    {
        _loop = loop;
        _interval = interval;
        _time = time;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var tunnels = await _loop.InvokeAsync(() => _loop.LastPlan?.Tunnels ?? []).ConfigureAwait(false);
                var rounds = tunnels.Where(t => t.GatewayAddresses is not null).Select(t => ProbeAsync(t, cancellationToken));
                await Task.WhenAll(rounds).ConfigureAwait(false);
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

    private async Task ProbeAsync(GatewayTunnel tunnel, CancellationToken cancellationToken)
    {
        var probe = _probes.GetOrAdd(tunnel.Interface, static name => new WanUplinkProbe(name));
        var target = new ProbeTarget("tunnel", Policy.ProbeKind.Icmp, tunnel.GatewayAddresses!.IPv4.ToString(), null);
        var result = await probe.ProbeAsync(target, _interval * 0.8, cancellationToken).ConfigureAwait(false);
        var sample = result.Success ? PathSample.Reply(result.RttMicros / 1000.0) : PathSample.Lost;
        long at = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _loop.Post(() => _loop.Policy.RecordPathSample(tunnel.Gateway, at, sample));
    }
}
