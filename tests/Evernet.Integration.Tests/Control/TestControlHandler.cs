using System.Collections.Concurrent;
using Evernet.Control;
using Evernet.Control.Dtos;
using Evernet.Control.Mapping;
using Evernet.Control.Protocol;
using Evernet.Control.Server;
using Evernet.Gossip.Identity;
using Evernet.Gossip.View;

namespace Evernet.Integration.Tests.Control;

/// <summary>
/// The daemon's side of the sans-IO boundary, played by a test: answers from a fixed mesh view through the real mapper.
/// </summary>
internal sealed class TestControlHandler : IControlHandler
{
    private readonly EventLog _events = new();

    public TestControlHandler(bool noneUsable = false, string longNames = "")
    {
        View = ControlTestData.View(noneUsable, longNames);
        Weights = ControlTestData.Weights(noneUsable);
        var names = View.Members.ToDictionary(m => m.Id, m => m.Name);
        foreach (var e in new GossipEvent[]
        {
            new MemberStateChanged(ControlTestData.Now - 3_000, ControlTestData.Id(3), "gw-east", MemberState.Alive, MemberState.Suspect, 4),
            new GatewayUsabilityChanged(ControlTestData.Now - 2_000, ControlTestData.Id(3), "gw-east", false, UsabilityReason.UplinkDown),
            new SummaryAccepted(ControlTestData.Now - 1_500, ControlTestData.Id(1), 42, Gossip.Records.UplinkState.Up, ControlTestData.Now - 1_600),
            new Rejected(ControlTestData.Now - 1_000, RejectReason.BadSignature, "summary from 192.0.2.99:7946"),
        })
        {
            _events.Add(ControlMapper.ToEvent(e, id => names.GetValueOrDefault(id)));
        }
    }

    public MeshView View { get; }
    public IReadOnlyList<GatewayWeightInput> Weights { get; }
    public ConcurrentQueue<Revocation> Revocations { get; } = new();
    public bool IsGateway { get; init; }
    public bool Draining { get; private set; }
    public TimeSpan Delay { get; init; }
    public Exception? Failure { get; init; }

    public ValueTask<StatusData> GetStatusAsync(CancellationToken cancellationToken) =>
        Answer(() => ControlMapper.ToStatus(View, ControlTestData.Local(), Weights, ControlTestData.Tunnels()), cancellationToken);

    public ValueTask<MembersData> GetMembersAsync(CancellationToken cancellationToken) => Answer(() => ControlMapper.ToMembers(View), cancellationToken);

    public ValueTask<GatewaysData> GetGatewaysAsync(CancellationToken cancellationToken) =>
        Answer(() => ControlMapper.ToGateways(View, Weights, ControlTestData.Tunnels()), cancellationToken);

    public ValueTask<RoutesData> GetRoutesAsync(CancellationToken cancellationToken) => Answer(() => ControlMapper.ToRoutes(ControlTestData.Routes()), cancellationToken);

    public ValueTask<EventsData> GetEventsAsync(EventsArgs args, CancellationToken cancellationToken) => Answer(() => _events.Query(args), cancellationToken);

    public ValueTask<MetricsData> GetMetricsAsync(CancellationToken cancellationToken) =>
        Answer(() => new MetricsData("# HELP evernet_failovers_total Failovers.\n# TYPE evernet_failovers_total counter\nevernet_failovers_total 3\n"), cancellationToken);

    public ValueTask<CertificateReloadData> ReloadCertificateAsync(CancellationToken cancellationToken) =>
        Answer(() => new CertificateReloadData("r17", 8, ControlTestData.Now / 1000 + 86_400 * 365, true), cancellationToken);

    public ValueTask<RevocationSubmitData> SubmitRevocationAsync(Revocation revocation, CancellationToken cancellationToken) =>
        Answer(() =>
        {
            bool duplicate = Revocations.Any(r => r.Node == revocation.Node && r.Serial == revocation.Serial);
            if (!duplicate) Revocations.Enqueue(revocation);
            return new RevocationSubmitData(!duplicate, revocation.Node.ToHex(), revocation.Serial);
        }, cancellationToken);

    public ValueTask<DrainData> SetDrainingAsync(bool draining, CancellationToken cancellationToken) =>
        Answer(() =>
        {
            if (!IsGateway) throw new ControlCommandException(ControlErrorCodes.NotApplicable, "this node is not a gateway: nothing to drain");
            Draining = draining;
            return new DrainData(draining);
        }, cancellationToken);

    private async ValueTask<T> Answer<T>(Func<T> answer, CancellationToken cancellationToken)
    {
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
        if (Failure is not null) throw Failure;
        return answer();
    }
}
