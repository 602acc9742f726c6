using Evernet.Gossip.Wire;

namespace Evernet.Gossip.View;

/// <summary>Monotonic counters of one node. Plain fields: the core is single-threaded; hosts copy them under their loop.</summary>
public sealed class GossipCounters
{
    public long DatagramsIn;
    public long DatagramsOut;
    public long BytesIn;
    public long BytesOut;
    public long ItemsAccepted;
    public long Duplicates;
    public long ProbesSent;
    public long IndirectProbesSent;
    public long PushPullExchanges;
    /// <summary>Ranges of a partner's push-pull summary that differed from this node's state (each starts a digest exchange for that range).</summary>
    public long PushPullRangesDiffering;
    /// <summary>Ranges whose items an exchange still owed us a second after their chunk arrived, asked for again.</summary>
    public long PushPullRangesRechecked;
    public long UrgentPushes;
    public long GatewayFailovers;
    public readonly long[] RejectsByReason = new long[Enum.GetValues<RejectReason>().Length];
    public readonly long[] DecodeErrors = new long[Enum.GetValues<DecodeError>().Length];

    public long TotalRejects => RejectsByReason.Sum();

    public GossipCounters Clone()
    {
        var c = (GossipCounters)MemberwiseClone();
        Array.Copy(RejectsByReason, c.RejectsByReason, RejectsByReason.Length);
        Array.Copy(DecodeErrors, c.DecodeErrors, DecodeErrors.Length);
        return c;
    }
}
