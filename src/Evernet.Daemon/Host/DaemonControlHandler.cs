using Evernet.Control;
using Evernet.Control.Dtos;
using Evernet.Control.Mapping;
using Evernet.Control.Server;
using Evernet.Daemon.Metrics;
using Evernet.Dataplane;
using Evernet.Dataplane.Commands;
using Evernet.Gossip.Identity;

namespace Evernet.Daemon.Host;

/// <summary>
/// Answers evernetctl (and the web interface) from the loop's state: every read is taken on the loop, so answers are
/// consistent snapshots; commands that change state run on the loop too.
/// </summary>
public sealed class DaemonControlHandler : IControlHandler
{
    private static readonly string Version = typeof(DaemonControlHandler).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    private readonly DaemonLoop _loop;
    private readonly DataplaneWorker _dataplane;
    private readonly MetricsExporter _metrics;
    private readonly ICommandRunner _runner;
    private readonly string _certificateFile;
    private readonly string _name;
    private readonly long _startedAtUnixMs;

    public DaemonControlHandler(DaemonLoop loop, DataplaneWorker dataplane, MetricsExporter metrics, ICommandRunner runner,
        string certificateFile, string name, long startedAtUnixMs)
    {
        _loop = loop;
        _dataplane = dataplane;
        _metrics = metrics;
        _runner = runner;
        _certificateFile = certificateFile;
        _name = name;
        _startedAtUnixMs = startedAtUnixMs;
    }

    private LocalNodeInput Local(NodeRoles roles) =>
        new(_name, roles, Version, _startedAtUnixMs, _loop.Gateway?.Draining ?? false);

    private IReadOnlyList<GatewayWeightInput> Weights() =>
        _loop.LastPlan?.Weights?.Gateways.Select(g => new GatewayWeightInput(g.Gateway, g.Weight)).ToList() ?? [];

    private async Task<IReadOnlyList<TunnelInput>> TunnelsAsync(CancellationToken ct)
    {
        var tunnels = await _loop.InvokeAsync(() => _loop.LastPlan?.Tunnels ?? []).ConfigureAwait(false);
        if (tunnels.IsDefaultOrEmpty) return [];
        var handshakes = await TunnelHandshakes.ReadAsync(_runner, ct).ConfigureAwait(false);
        var list = new List<TunnelInput>(tunnels.Length);
        foreach (var t in tunnels)
        {
            if (!handshakes.TryGetValue((t.Interface, t.PublicKey), out long at))
            {
                list.Add(new TunnelInput(t.Gateway, t.Interface, TunnelState.Missing, null));
                continue;
            }
            bool fresh = at > 0 && DateTimeOffset.UtcNow.ToUnixTimeSeconds() - at < 180;
            list.Add(new TunnelInput(t.Gateway, t.Interface, fresh ? TunnelState.Up : TunnelState.Down, at > 0 ? at * 1000 : null));
        }
        return list;
    }

    public async ValueTask<StatusData> GetStatusAsync(CancellationToken cancellationToken)
    {
        var tunnels = await TunnelsAsync(cancellationToken).ConfigureAwait(false);
        return await _loop.InvokeAsync(() =>
        {
            var view = _loop.Node.Snapshot();
            var roles = view.Members.FirstOrDefault(m => m.Id == view.Self)?.Roles ?? NodeRoles.Node;
            return ControlMapper.ToStatus(view, Local(roles), Weights(), tunnels);
        }).ConfigureAwait(false);
    }

    public async ValueTask<MembersData> GetMembersAsync(CancellationToken cancellationToken) =>
        await _loop.InvokeAsync(() => ControlMapper.ToMembers(_loop.Node.Snapshot())).ConfigureAwait(false);

    public async ValueTask<GatewaysData> GetGatewaysAsync(CancellationToken cancellationToken)
    {
        var tunnels = await TunnelsAsync(cancellationToken).ConfigureAwait(false);
        return await _loop.InvokeAsync(() => ControlMapper.ToGateways(_loop.Node.Snapshot(), Weights(), tunnels)).ConfigureAwait(false);
    }

    public async ValueTask<RoutesData> GetRoutesAsync(CancellationToken cancellationToken)
    {
        var status = _dataplane.Status;
        return await _loop.InvokeAsync(() =>
        {
            var tables = new List<RouteTableInput>();
            var desired = _loop.LastPlan?.Dataplane;
            var mode = status.Multipath == MultipathMode.ConnectionMark ? RouteMode.CtMark : RouteMode.Resilient;
            if (desired?.DefaultRoute is { } route)
                tables.Add(Table("default", route.Table, mode, route.SourcePrefixes, route.Nexthops, status));
            foreach (var c in desired?.ClassRoutes ?? [])
                tables.Add(Table(c.Name, c.Table, mode, [], c.Nexthops, status));
            return ControlMapper.ToRoutes(tables);
        }).ConfigureAwait(false);
    }

    private static RouteTableInput Table(string name, int table, RouteMode mode, IEnumerable<string> sources,
        IEnumerable<Policy.GatewayNexthop> nexthops, DataplaneStatus status)
    {
        var desired = nexthops.Select(n => new NexthopWeightInput(n.GatewayName, n.Interface, n.Weight)).ToList();
        var group = status.Groups.FirstOrDefault(g => g.Table == table && g.Family == IpFamily.V4);
        var byInterface = desired.ToDictionary(d => d.Interface, d => d.Gateway);
        var installed = group?.Members.Select(m => new NexthopWeightInput(byInterface.GetValueOrDefault(m.Interface, m.Interface), m.Interface, m.Weight)).ToList();
        return new RouteTableInput(name, table, mode, sources.ToList(), desired, installed);
    }

    public async ValueTask<EventsData> GetEventsAsync(EventsArgs args, CancellationToken cancellationToken) =>
        await _loop.InvokeAsync(() => _loop.Events.Query(args)).ConfigureAwait(false);

    public async ValueTask<MetricsData> GetMetricsAsync(CancellationToken cancellationToken) =>
        new(await _metrics.RenderTextAsync(cancellationToken).ConfigureAwait(false));

    public async ValueTask<CertificateReloadData> ReloadCertificateAsync(CancellationToken cancellationToken)
    {
        MembershipCertificate certificate;
        try
        {
            certificate = CertificateFiles.ReadCertificate(_certificateFile);
        }
        catch (Exception e) when (e is CertificateFileException or IOException or UnauthorizedAccessException)
        {
            throw new ControlCommandException("certificate-unreadable", e.Message);
        }
        return await _loop.InvokeAsync(() =>
        {
            var current = _loop.Node.Snapshot().Members.First(m => m.Id == _loop.Node.Id).Record.Certificate;
            bool changed = current.Serial != certificate.Serial || !current.Signature.Span.SequenceEqual(certificate.Signature.Span);
            if (changed)
            {
                try { _loop.Node.ReplaceCertificate(certificate); }
                catch (ArgumentException e) { throw new ControlCommandException("certificate-refused", e.Message); }
                _loop.Policy.UpdateSelf(_loop.Policy.Self with { Certificate = certificate });
                _loop.RequestReplan();
            }
            return new CertificateReloadData(certificate.Name, certificate.Serial, certificate.NotAfterUnixSeconds, changed);
        }).ConfigureAwait(false);
    }

    public async ValueTask<RevocationSubmitData> SubmitRevocationAsync(Revocation revocation, CancellationToken cancellationToken) =>
        await _loop.InvokeAsync(() =>
        {
            bool accepted = _loop.Node.SubmitRevocation(revocation);
            bool known = _loop.Node.Snapshot().Revocations.Any(r => r.Node == revocation.Node && r.Serial == revocation.Serial);
            if (!accepted && !known) throw new ControlCommandException("revocation-refused", "the revocation is not signed by a trusted authority");
            _loop.RequestReplan();
            return new RevocationSubmitData(accepted, revocation.Node.ToHex(), revocation.Serial);
        }).ConfigureAwait(false);

    public async ValueTask<DrainData> SetDrainingAsync(bool draining, CancellationToken cancellationToken) =>
        await _loop.InvokeAsync(() =>
        {
            if (_loop.Gateway is not { } gateway) throw new ControlCommandException("not-a-gateway", "only a gateway can drain itself; run this on the gateway");
            gateway.SetDraining(draining);
            return new DrainData(draining);
        }).ConfigureAwait(false);
}
