namespace Evernet.Gossip.Membership;

/// <summary>
/// Lifeguard local health awareness: a score that rises when this node shows signs of being the slow or lossy one
/// (its probes fail although relays did not even answer with nacks, or it had to refute a suspicion of itself) and
/// falls with every clean probe. Timeouts and the probe interval scale with (score + 1), so an unhealthy node blames
/// others less eagerly.
/// </summary>
public sealed class LocalHealth
{
    private readonly int _max;

    public LocalHealth(int max) => _max = max;

    public int Score { get; private set; }

    public int Multiplier => Score + 1;

    public void Apply(int delta) => Score = Math.Clamp(Score + delta, 0, _max);

    public TimeSpan Scale(TimeSpan t) => t * Multiplier;
}
