using Evernet.Gossip.View;

namespace Evernet.Sim.Engine;

internal static class CountersMath
{
    /// <summary>Adds <paramref name="more"/> into <paramref name="total"/>.</summary>
    public static void Add(GossipCounters total, GossipCounters more)
    {
        total.DatagramsIn += more.DatagramsIn;
        total.DatagramsOut += more.DatagramsOut;
        total.BytesIn += more.BytesIn;
        total.BytesOut += more.BytesOut;
        total.ItemsAccepted += more.ItemsAccepted;
        total.Duplicates += more.Duplicates;
        total.ProbesSent += more.ProbesSent;
        total.IndirectProbesSent += more.IndirectProbesSent;
        total.PushPullExchanges += more.PushPullExchanges;
        total.PushPullRangesDiffering += more.PushPullRangesDiffering;
        total.UrgentPushes += more.UrgentPushes;
        total.GatewayFailovers += more.GatewayFailovers;
        for (int i = 0; i < total.RejectsByReason.Length; i++) total.RejectsByReason[i] += more.RejectsByReason[i];
        for (int i = 0; i < total.DecodeErrors.Length; i++) total.DecodeErrors[i] += more.DecodeErrors[i];
    }
}
