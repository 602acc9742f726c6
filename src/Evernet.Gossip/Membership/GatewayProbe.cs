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
    private const double LossGain = 0.05;

    public uint Round { get; private set; }
    public uint Seq { get; private set; }
    public long RoundStartTicks { get; private set; }
    public bool Acked { get; private set; }
    public bool IndirectSent { get; set; }
    public int ConsecutiveFailures { get; private set; }
    public bool Reachable { get; private set; } = true;
    public long LastAckTicks { get; private set; }
    public double SmoothedRttMs { get; private set; }
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
            SmoothedRttMs = SmoothedRttMs == 0 ? rtt : SmoothedRttMs + RttGain * (rtt - SmoothedRttMs);
        }
        LossRatio += LossGain * ((IndirectSent ? 1 : 0) - LossRatio);
        ConsecutiveFailures = 0;
        bool recovered = !Reachable;
        Reachable = true;
        return recovered;
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
