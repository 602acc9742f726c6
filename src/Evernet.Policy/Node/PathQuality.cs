using System.Collections.Immutable;
using Evernet.Gossip.Identity;

namespace Evernet.Policy;

/// <summary>One probe of a gateway through its tunnel: a reply with its RTT, or a loss.</summary>
public readonly record struct PathSample(bool Delivered, double RttMs)
{
    public static PathSample Reply(double rttMs) => new(true, Math.Max(0, rttMs));
    public static PathSample Lost { get; } = new(false, 0);
}

/// <summary>
/// The smoothed quality of one path. <see cref="Dead"/>: a run of <see cref="ConsecutiveLosses"/> at least
/// <see cref="RequiredLosses"/> long (fixed when the run began, from the loss ratio measured before it) and no reply
/// since <see cref="LastReplyUnixMs"/> for the configured silence.
/// </summary>
public sealed record PathEstimate(NodeId Gateway, double RttMs, double LossRatio, int ConsecutiveLosses, bool Dead, long LastSampleUnixMs, int Samples,
    long LastReplyUnixMs = 0, int RequiredLosses = 0);

/// <summary>Path estimates by gateway, at one moment. Gateways without a fresh estimate are absent (unknown).</summary>
public sealed record PathQualitySnapshot(ImmutableSortedDictionary<NodeId, PathEstimate> Paths)
{
    public static PathQualitySnapshot Empty { get; } = new(ImmutableSortedDictionary<NodeId, PathEstimate>.Empty);

    public PathEstimate? For(NodeId gateway) => Paths.TryGetValue(gateway, out var estimate) ? estimate : null;
}

/// <summary>
/// Per-gateway path RTT and loss measured through the tunnel (the daemon's probes), as EWMAs, and whether the path is dead.
/// A dead path makes the gateway unusable for this node however healthy its own summary claims it is.
///
/// Why not "k losses in a row" with a fixed k: on a mesh path that loses a fifth of its round trips, three in a row
/// happen every couple of minutes per path, and each false verdict moves every flow off a live gateway. The run a
/// verdict needs is chosen per run from the path's own loss ratio so that chance alone produces it with probability
/// below <see cref="PathQualityOptions.FalseDeadProbability"/>; the prober retries quickly while a run is open
/// (<see cref="InDoubt"/>), so the longer run costs little detection time.
/// </summary>
public sealed class PathQualityTracker
{
    private readonly PathQualityOptions _options;
    private readonly SortedDictionary<NodeId, PathEstimate> _paths = [];
    // When the newest answered probe was sent: a loss verdict for a probe sent before it is stale (the path has
    // answered since), which happens when retries overlap the regular probes.
    private readonly Dictionary<NodeId, long> _lastAnsweredSent = [];

    public PathQualityTracker(PathQualityOptions options)
    {
        options.ThrowIfInvalid();
        _options = options;
    }

    /// <summary>
    /// One probe's outcome, recorded at <paramref name="nowUnixMs"/>. <paramref name="sentUnixMs"/>, when known, lets a
    /// loss verdict that arrives after a later probe was answered count for the loss ratio but not for the dead verdict.
    /// </summary>
    public void Record(NodeId gateway, long nowUnixMs, PathSample sample, long? sentUnixMs = null)
    {
        if (!_paths.TryGetValue(gateway, out var e))
        {
            if (sample.Delivered) _lastAnsweredSent[gateway] = sentUnixMs ?? nowUnixMs - (long)sample.RttMs;
            // A path that has never answered counts its silence from its first probe.
            _paths[gateway] = sample.Delivered
                ? new PathEstimate(gateway, sample.RttMs, 0, 0, false, nowUnixMs, 1, nowUnixMs, 0)
                : WithDeadVerdict(new PathEstimate(gateway, 0, 1, 1, false, nowUnixMs, 1, nowUnixMs, RequiredRun(0)), nowUnixMs);
            return;
        }
        double loss = e.LossRatio + _options.LossGain * ((sample.Delivered ? 0 : 1) - e.LossRatio);
        if (sample.Delivered)
        {
            long sent = sentUnixMs ?? nowUnixMs - (long)sample.RttMs;
            _lastAnsweredSent[gateway] = Math.Max(sent, _lastAnsweredSent.GetValueOrDefault(gateway, long.MinValue));
            // The first reply after only losses has no RTT history to smooth against.
            double rtt = e.Samples == e.ConsecutiveLosses ? sample.RttMs : e.RttMs + _options.RttGain * (sample.RttMs - e.RttMs);
            _paths[gateway] = e with
            {
                RttMs = rtt, LossRatio = loss, ConsecutiveLosses = 0, Dead = false, LastSampleUnixMs = nowUnixMs, Samples = e.Samples + 1,
                LastReplyUnixMs = nowUnixMs, RequiredLosses = 0,
            };
            return;
        }
        if (sentUnixMs is long sentLost && _lastAnsweredSent.TryGetValue(gateway, out long answered) && sentLost < answered)
        {
            _paths[gateway] = e with { LossRatio = loss, LastSampleUnixMs = nowUnixMs, Samples = e.Samples + 1 };
            return;
        }
        int losses = e.ConsecutiveLosses + 1;
        int required = e.ConsecutiveLosses == 0 ? RequiredRun(e.LossRatio) : e.RequiredLosses;
        _paths[gateway] = WithDeadVerdict(e with
        {
            LossRatio = loss, ConsecutiveLosses = losses, LastSampleUnixMs = nowUnixMs, Samples = e.Samples + 1, RequiredLosses = required,
        }, nowUnixMs);
    }

    /// <summary>
    /// The shortest run of losses that a live path losing <paramref name="lossRatio"/> of its probes produces by chance
    /// with probability below the configured one: the run's first loss is given, the other n − 1 must all be lost too.
    /// </summary>
    public int RequiredRun(double lossRatio)
    {
        double p = Math.Clamp(lossRatio, 1e-3, 0.999);
        double extra = Math.Ceiling(Math.Log(_options.FalseDeadProbability) / Math.Log(p));
        return (int)Math.Clamp(1 + extra, _options.DeadAfterLosses, _options.MaxDeadAfterLosses);
    }

    /// <summary>Losses are unanswered and the path is not (yet) dead: the prober should retry at the retry interval.</summary>
    public bool InDoubt(NodeId gateway, long nowUnixMs) =>
        _paths.TryGetValue(gateway, out var e) && e.ConsecutiveLosses > 0 && !WithDeadVerdict(e, nowUnixMs).Dead;

    /// <summary>When the prober should probe <paramref name="gateway"/> next: the retry interval while in doubt, else the regular one.</summary>
    public int NextProbeDelayMs(NodeId gateway, long nowUnixMs, int regularIntervalMs) =>
        _options.RetryIntervalMs > 0 && InDoubt(gateway, nowUnixMs) ? Math.Min(_options.RetryIntervalMs, regularIntervalMs) : regularIntervalMs;

    /// <summary>Drop a gateway that left the mesh.</summary>
    public void Forget(NodeId gateway)
    {
        _paths.Remove(gateway);
        _lastAnsweredSent.Remove(gateway);
    }

    public PathQualitySnapshot Snapshot(long nowUnixMs)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<NodeId, PathEstimate>();
        foreach (var (id, estimate) in _paths)
            if (nowUnixMs - estimate.LastSampleUnixMs < _options.StaleAfterMs) builder.Add(id, WithDeadVerdict(estimate, nowUnixMs));
        return new PathQualitySnapshot(builder.ToImmutable());
    }

    // The silence keeps growing between samples, so the verdict is taken again at every look.
    private PathEstimate WithDeadVerdict(PathEstimate e, long nowUnixMs)
    {
        bool dead = e.ConsecutiveLosses > 0
            && e.ConsecutiveLosses >= Math.Max(1, e.RequiredLosses)
            && nowUnixMs - e.LastReplyUnixMs >= _options.DeadAfterSilenceMs;
        return dead == e.Dead ? e : e with { Dead = dead };
    }
}
