namespace Evernet.Gossip.Membership;

/// <summary>
/// This node's direct watch on one gateway. Rounds run every GatewayProbeInterval: a direct ping, then (if no ack by
/// GatewayProbeTimeout) indirect pings through other members plus a second direct ping; a round without any ack by
/// GatewayRoundTimeout fails and the next round starts at once. After GatewayFailedRoundsToUnusable failed rounds in a
/// row the gateway is unreachable for this node; the first ack makes it reachable again.
/// </summary>
public sealed class GatewayProbe
{
    private const double RttGain = 0.125;
    private const double RttVarGain = 0.25;
    private const double LossGain = 0.05;
    /// <summary>Least slack between an answer's expected arrival and the round's end (RFC 6298's clock granularity G).</summary>
    private const double MinRttSlackMs = 5;

    public uint Round { get; private set; }
    public uint Seq { get; private set; }
    public long RoundStartTicks { get; private set; }
    public bool Acked { get; private set; }
    public bool IndirectSent { get; set; }
    public int ConsecutiveFailures { get; private set; }
    public bool Reachable { get; private set; } = true;
    public long LastAckTicks { get; private set; }
    public double SmoothedRttMs { get; private set; }
    /// <summary>Mean deviation of the round-trip time (RFC 6298's RTTVAR), from the same samples as SmoothedRttMs.</summary>
    public double RttVarianceMs { get; private set; }
    public double LossRatio { get; private set; }

    public void StartRound(uint seq, long nowTicks)
    {
        Round++;
        Seq = seq;
        RoundStartTicks = nowTicks;
        Acked = false;
        IndirectSent = false;
    }

    /// <returns>True if this ack made an unreachable gateway reachable again.</returns>
    public bool OnAck(long nowTicks, bool direct)
    {
        if (Acked) return false;
        Acked = true;
        LastAckTicks = nowTicks;
        if (direct && !IndirectSent)
        {
            double rtt = (nowTicks - RoundStartTicks) / (double)TimeSpan.TicksPerMillisecond;
            if (SmoothedRttMs == 0)
            {
                SmoothedRttMs = rtt;
                RttVarianceMs = rtt / 2;
            }
            else
            {
                RttVarianceMs += RttVarGain * (Math.Abs(SmoothedRttMs - rtt) - RttVarianceMs);
                SmoothedRttMs += RttGain * (rtt - SmoothedRttMs);
            }
        }
        LossRatio += LossGain * ((IndirectSent ? 1 : 0) - LossRatio);
        ConsecutiveFailures = 0;
        bool recovered = !Reachable;
        Reachable = true;
        return recovered;
    }

    /// <summary>
    /// When the last direct try of a round goes out, after the round's start: halfway between the relays (at
    /// <paramref name="probeTimeoutTicks"/>) and the round's end, or earlier when this path's answers take longer than
    /// that leaves (RFC 6298's retransmission timeout, srtt + max(G, 4·rttvar)): an answer that arrives after its round
    /// ended is not counted, so a try sent later than that is wasted exactly on the long lossy paths it is meant for.
    /// Never before <paramref name="probeTimeoutTicks"/>: a path whose answer could not come in time even then gets no
    /// separate last try.
    /// </summary>
    public long LastTryDelayTicks(long probeTimeoutTicks, long roundTimeoutTicks)
    {
        long halfway = (probeTimeoutTicks + roundTimeoutTicks) / 2;
        if (SmoothedRttMs == 0) return halfway; // no sample yet
        double timeoutMs = SmoothedRttMs + Math.Max(MinRttSlackMs, 4 * RttVarianceMs);
        long latest = roundTimeoutTicks - (long)(timeoutMs * TimeSpan.TicksPerMillisecond);
        return Math.Clamp(latest, probeTimeoutTicks, halfway);
    }

    /// <returns>True if this failed round made a reachable gateway unreachable.</returns>
    public bool OnRoundFailed(int failuresToUnusable)
    {
        LossRatio += LossGain * (1 - LossRatio);
        ConsecutiveFailures++;
        if (Reachable && ConsecutiveFailures >= failuresToUnusable)
        {
            Reachable = false;
            return true;
        }
        return false;
    }
}
