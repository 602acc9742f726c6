using Evernet.Policy;

namespace Evernet.Sim.Traffic;

/// <summary>
/// One gateway as the traffic model sees it: its uplink's capacity, the flows whose NAT state it holds, its WAN byte
/// counters, and the real <see cref="GatewayHealthPublisher"/> its daemon would run (probe results and counter samples
/// in, signed-summary contents out when due). A restarted gateway gets a new publisher, as a restarted daemon would.
/// </summary>
internal sealed class TrafficGateway
{
    private readonly TrafficOptions _options;
    private int _publisherStarts = -1;

    public TrafficGateway(int slot, int node, string name, GatewayLink link, TrafficOptions options)
    {
        Slot = slot;
        Node = node;
        Name = name;
        _options = options;
        CapacityDownBps = link.DownMbps * 1e6;
        CapacityUpBps = link.UpMbps * 1e6;
    }

    public int Slot { get; }
    public int Node { get; }
    public string Name { get; }
    public double CapacityDownBps { get; private set; }
    public double CapacityUpBps { get; private set; }
    public GatewayHealthPublisher? Publisher { get; private set; }

    /// <summary>Cumulative WAN counters (bits): received = download, sent = upload.</summary>
    public double RxBits { get; set; }
    public double TxBits { get; set; }
    /// <summary>Download bits delivered since the recorder last looked.</summary>
    public double BitsSinceSample { get; set; }
    public int ActiveFlows { get; set; }
    /// <summary>Physically able to carry traffic (running, uplink not down), as of the last fluid step.</summary>
    public bool Alive { get; set; }
    public long Publications { get; private set; }
    public long UrgentPublications { get; private set; }
    /// <summary>Urgent (uplink or drain) publications: when (ticks) and what was signed.</summary>
    public List<(long Ticks, Gossip.Records.UplinkState Uplink)> UrgentLog { get; } = [];

    public GatewayHealthPublisher EnsurePublisher(int starts, long nowUnixMs)
    {
        if (Publisher is null || starts != _publisherStarts)
        {
            Publisher = new GatewayHealthPublisher(_options.GatewayHealth(CapacityDownBps, CapacityUpBps), nowUnixMs);
            _publisherStarts = starts;
        }
        return Publisher;
    }

    /// <summary>The modem resynced: the link carries this much from now on, and the load reporter is told.</summary>
    public void SetCapacity(double downBps, double upBps)
    {
        CapacityDownBps = downBps;
        CapacityUpBps = upBps;
        Publisher?.SetCapacity((ulong)downBps, (ulong)upBps);
    }

    public void Published(GatewayPublication publication, long nowTicks)
    {
        Publications++;
        if (!publication.Urgent) return;
        UrgentPublications++;
        UrgentLog.Add((nowTicks, publication.Report.Uplink));
    }
}
