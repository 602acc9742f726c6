using System.Collections.Immutable;
using Evernet.Control.Dtos;
using Evernet.Control.Mapping;
using Evernet.Control.Protocol;
using Evernet.Control.Server;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Web.Tests.Support;

/// <summary>
/// The daemon's side of the control boundary, played by a test: a small mesh whose state the test changes (uplinks, member
/// states, rejections), answered through the real <see cref="ControlMapper"/> exactly as evernetd answers evernetctl.
/// Times come from <see cref="Clock"/> so a test can move them (history, session expiry).
/// </summary>
internal sealed class FakeMesh : IControlHandler
{
    private readonly Lock _lock = new();
    private readonly EventLog _events = new();
    private readonly List<FakeGateway> _gateways = [];
    private readonly List<FakeMember> _members = [];
    private readonly long _startedAtUnixMs;
    private int _calls;

    public FakeMesh(TimeProvider clock, string selfName = "r17", bool selfIsGateway = false, int extraNodes = 9)
    {
        Clock = clock;
        SelfName = selfName;
        SelfIsGateway = selfIsGateway;
        long now = NowMs;
        _startedAtUnixMs = now - 273_120_000;
        _gateways.Add(new FakeGateway(1, "gw-north", 100_000_000, 40_000_000, 60) { LoadDown = 43_000_000, LoadUp = 2_000_000, Flows = 120 });
        _gateways.Add(new FakeGateway(2, "gw-south", 50_000_000, 10_000_000, 40) { LoadDown = 21_000_000, LoadUp = 4_500_000, Flows = 64, LossPermille = 12, RttMicros = 24_000 });
        _gateways.Add(new FakeGateway(3, "gw-east", 250_000_000, 50_000_000, 50) { LoadDown = 60_000_000, LoadUp = 9_000_000, Flows = 210, RttMicros = 9_000 });
        foreach (var g in _gateways)
        {
            g.UsableSinceMs = now - 3_600_000;
            _members.Add(new FakeMember(g.Seed, g.Name, NodeRoles.Node | NodeRoles.Gateway, now - 86_400_000));
        }
        _members.Add(new FakeMember(10, selfName, selfIsGateway ? NodeRoles.Node | NodeRoles.Gateway : NodeRoles.Node, now - 86_400_000));
        for (int i = 0; i < extraNodes; i++)
            _members.Add(new FakeMember((byte)(20 + i), $"r{20 + i}", NodeRoles.Node, now - 3_600_000 - i * 60_000));
        AddEvent(new MemberStateChanged(now - 600_000, Id(22), "r22", MemberState.Alive, MemberState.Suspect, 3));
        AddEvent(new MemberStateChanged(now - 590_000, Id(22), "r22", MemberState.Suspect, MemberState.Alive, 4));
        AddEvent(new Rejected(now - 300_000, RejectReason.BadSignature, "gateway summary from 192.0.2.99:7946"));
    }

    public TimeProvider Clock { get; }
    public string SelfName { get; }
    public bool SelfIsGateway { get; }
    public bool Draining { get; private set; }

    /// <summary>When set, every call waits this long first (to test the web server's time limit).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, this command fails with this exception ("status", "routes", ...).</summary>
    public (string Command, Exception Failure)? Fail { get; set; }

    /// <summary>When true, uplink loss and RTT wobble with time (so charts have a shape); otherwise they are constant.</summary>
    public bool Varying { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public long NowMs => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public static NodeId Id(byte seed)
    {
        var bytes = new byte[NodeId.Size];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(seed * 31 + i + 1);
        return NodeId.FromBytes(bytes);
    }

    /// <summary>The gateway's uplink changes; a down uplink makes it unusable and moves its weight to the others, as the daemon would.</summary>
    public void SetUplink(string gateway, UplinkState uplink)
    {
        lock (_lock)
        {
            var g = _gateways.Single(x => x.Name == gateway);
            long now = NowMs;
            bool usable = uplink != UplinkState.Down;
            g.Uplink = uplink;
            g.SummaryVersion++;
            g.SummaryAtMs = now;
            AddEvent(new SummaryAccepted(now, Id(g.Seed), g.SummaryVersion, uplink, now - 40));
            if (usable != g.Usable)
            {
                g.Usable = usable;
                g.Reason = usable ? UsabilityReason.Usable : UsabilityReason.UplinkDown;
                g.UsableSinceMs = now;
                g.Tunnel = usable ? TunnelState.Up : TunnelState.Down;
                AddEvent(new GatewayUsabilityChanged(now, Id(g.Seed), g.Name, usable, g.Reason));
                _events.Add(ControlMapper.Event(now, "failover", g.Name,
                    usable ? $"{g.Name} usable again: weights rebalanced" : $"moved new flows off {g.Name}: {string.Join(", ", _gateways.Where(x => x.Usable).Select(x => x.Name))} take over"));
            }
        }
    }

    public void SetMemberState(string member, MemberState state)
    {
        lock (_lock)
        {
            var m = _members.Single(x => x.Name == member);
            long now = NowMs;
            AddEvent(new MemberStateChanged(now, Id(m.Seed), m.Name, m.State, state, ++m.Incarnation));
            m.State = state;
            m.SinceMs = now;
        }
    }

    public void Reject(RejectReason reason, string detail)
    {
        lock (_lock) AddEvent(new Rejected(NowMs, reason, detail));
    }

    public ValueTask<StatusData> GetStatusAsync(CancellationToken cancellationToken) => Answer("status", () =>
    {
        var view = View();
        return ControlMapper.ToStatus(view, new LocalNodeInput(SelfName, Self.Roles, "0.1.0-test", _startedAtUnixMs, Draining), Weights(), Tunnels(view.AtUnixMs));
    }, cancellationToken);

    public ValueTask<MembersData> GetMembersAsync(CancellationToken cancellationToken) => Answer("members", () => ControlMapper.ToMembers(View()), cancellationToken);

    public ValueTask<GatewaysData> GetGatewaysAsync(CancellationToken cancellationToken) => Answer("gateways", () =>
    {
        var view = View();
        return ControlMapper.ToGateways(view, Weights(), Tunnels(view.AtUnixMs));
    }, cancellationToken);

    public ValueTask<RoutesData> GetRoutesAsync(CancellationToken cancellationToken) => Answer("routes", () =>
    {
        var desired = _gateways.Where(g => g.Usable).Select(g => new NexthopWeightInput(g.Name, "wg-" + g.Name, g.BaseWeight)).ToList();
        return ControlMapper.ToRoutes(
        [
            new RouteTableInput("default", 100, RouteMode.Resilient, ["10.17.0.0/24"], desired, desired),
            new RouteTableInput("voip", 101, RouteMode.CtMark, ["10.17.0.128/28"],
                [new NexthopWeightInput("gw-north", "wg-gw-north", 1)], [new NexthopWeightInput("gw-south", "wg-gw-south", 1)]),
        ]);
    }, cancellationToken);

    public ValueTask<EventsData> GetEventsAsync(EventsArgs args, CancellationToken cancellationToken) => Answer("events", () => _events.Query(args), cancellationToken);

    public ValueTask<MetricsData> GetMetricsAsync(CancellationToken cancellationToken) =>
        Answer("metrics", () => new MetricsData("# HELP evernet_failovers_total Failovers.\n# TYPE evernet_failovers_total counter\nevernet_failovers_total 3\n"), cancellationToken);

    public ValueTask<CertificateReloadData> ReloadCertificateAsync(CancellationToken cancellationToken) =>
        Answer("reload-certificate", () => new CertificateReloadData(SelfName, 8, NowMs / 1000 + 86_400, false), cancellationToken);

    public ValueTask<RevocationSubmitData> SubmitRevocationAsync(Revocation revocation, CancellationToken cancellationToken) =>
        Answer("submit-revocation", () => new RevocationSubmitData(true, revocation.Node.ToHex(), revocation.Serial), cancellationToken);

    public ValueTask<DrainData> SetDrainingAsync(bool draining, CancellationToken cancellationToken) => Answer(draining ? "drain" : "undrain", () =>
    {
        if (!SelfIsGateway) throw new ControlCommandException(ControlErrorCodes.NotApplicable, "this node is not a gateway: nothing to drain");
        Draining = draining;
        _events.Add(ControlMapper.Event(NowMs, "drain", SelfName, draining ? "draining: nodes move new flows elsewhere" : "taking new flows again"));
        return new DrainData(draining);
    }, cancellationToken);

    private FakeMember Self => _members.Single(m => m.Seed == 10);

    private void AddEvent(GossipEvent e) => _events.Add(ControlMapper.ToEvent(e, id => _members.FirstOrDefault(m => Id(m.Seed) == id)?.Name));

    private async ValueTask<T> Answer<T>(string command, Func<T> answer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
        if (Fail is { } fail && fail.Command == command) throw fail.Failure;
        lock (_lock) return answer();
    }

    private MeshView View()
    {
        long now = NowMs;
        var members = _members.Select(m =>
        {
            var id = Id(m.Seed);
            var certificate = new MembershipCertificate(id, new byte[32], m.Name, m.Roles, 7, now / 1000 - 86_400, now / 1000 + 86_400 * 300, Id(200), new byte[64]);
            string[] addresses = m.State == MemberState.Left ? [] : [$"192.0.2.{m.Seed}:7946"];
            var record = new NodeRecord(id, 3, now - 5_000, m.Incarnation, m.State == MemberState.Left, [.. addresses], [], certificate, new byte[64]);
            return new MemberView(id, m.Name, m.Roles, m.State, m.Incarnation, m.SinceMs, record);
        }).ToImmutableArray();
        var gateways = _gateways.Select(g =>
        {
            double wobble = Varying ? Math.Sin(now / 420_000.0 + g.Seed) : 0;
            double spike = Varying && (now / 60_000 + g.Seed * 7) % 23 == 0 ? 1 : 0;
            ushort loss = (ushort)Math.Max(0, g.LossPermille + wobble * g.LossPermille * 0.8 + spike * 40);
            uint rtt = (uint)Math.Max(1_000, g.RttMicros + wobble * g.RttMicros * 0.3 + spike * 30_000);
            var summary = new GatewaySummary(Id(g.Seed), g.SummaryVersion, g.SummaryAtMs == 0 ? now - 800 : g.SummaryAtMs, g.Uplink,
                [new ProbeTargetStats("9.9.9.9", loss, rtt, 400), new ProbeTargetStats("1.1.1.1", loss, rtt + 2_000, 600)],
                g.CapacityDown, g.CapacityUp, g.LoadDown, g.LoadUp, g.Flows, 30, false, new byte[64]);
            double pathRtt = 2.5 + g.Seed * 0.75 + (Varying ? Math.Abs(wobble) : 0);
            return new GatewayView(Id(g.Seed), g.Name, new byte[32], [$"192.0.2.{g.Seed}:7946"], summary, now - 800,
                g.Usable, g.Reason, g.UsableSinceMs, now - 300, pathRtt, g.Usable ? 0.01 : 0.35);
        }).ToImmutableArray();
        return new MeshView(now, Id(10), Self.Incarnation, 0, members, gateways, []);
    }

    private List<GatewayWeightInput> Weights() =>
        [.. _gateways.Where(g => g.Usable).Select(g => new GatewayWeightInput(Id(g.Seed), g.BaseWeight))];

    private List<TunnelInput> Tunnels(long now) =>
        [.. _gateways.Select(g => new TunnelInput(Id(g.Seed), "wg-" + g.Name, g.Tunnel, g.Tunnel == TunnelState.Up ? now - 14_000 - g.Seed * 1000 : null))];

    private sealed class FakeGateway(byte seed, string name, ulong capacityDown, ulong capacityUp, int baseWeight)
    {
        public byte Seed { get; } = seed;
        public string Name { get; } = name;
        public ulong CapacityDown { get; } = capacityDown;
        public ulong CapacityUp { get; } = capacityUp;
        public int BaseWeight { get; } = baseWeight;
        public ulong LoadDown { get; set; }
        public ulong LoadUp { get; set; }
        public uint Flows { get; set; }
        public ushort LossPermille { get; set; } = 4;
        public uint RttMicros { get; set; } = 14_000;
        public UplinkState Uplink { get; set; } = UplinkState.Up;
        public bool Usable { get; set; } = true;
        public UsabilityReason Reason { get; set; } = UsabilityReason.Usable;
        public long UsableSinceMs { get; set; }
        public TunnelState Tunnel { get; set; } = TunnelState.Up;
        public ulong SummaryVersion { get; set; } = 40;
        public long SummaryAtMs { get; set; }
    }

    private sealed class FakeMember(byte seed, string name, NodeRoles roles, long sinceMs)
    {
        public byte Seed { get; } = seed;
        public string Name { get; } = name;
        public NodeRoles Roles { get; } = roles;
        public MemberState State { get; set; } = MemberState.Alive;
        public uint Incarnation { get; set; } = 2;
        public long SinceMs { get; set; } = sinceMs;
    }
}
