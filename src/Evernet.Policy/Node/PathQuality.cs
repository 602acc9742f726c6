using System.Collections.Immutable;
using Evernet.Gossip.Identity;

namespace Evernet.Policy;

/// <summary>One probe of a gateway through its tunnel: a reply with its RTT, or a loss.</summary>
public readonly record struct PathSample(bool Delivered, double RttMs)
{
    public static PathSample Reply(double rttMs) => new(true, Math.Max(0, rttMs));
    public static PathSample Lost { get; } = new(false, 0);
}

/// <summary>The smoothed quality of one path. <see cref="Dead"/>: the last few probes were all lost.</summary>
public sealed record PathEstimate(NodeId Gateway, double RttMs, double LossRatio, int ConsecutiveLosses, bool Dead, long LastSampleUnixMs, int Samples);

/// <summary>Path estimates by gateway, at one moment. Gateways without a fresh estimate are absent (unknown).</summary>
public sealed record PathQualitySnapshot(ImmutableSortedDictionary<NodeId, PathEstimate> Paths)
{
    public static PathQualitySnapshot Empty { get; } = new(ImmutableSortedDictionary<NodeId, PathEstimate>.Empty);

    public PathEstimate? For(NodeId gateway) => Paths.TryGetValue(gateway, out var estimate) ? estimate : null;
}

/// <summary>
/// Per-gateway path RTT and loss measured through the tunnel (the daemon's probes), as EWMAs, and whether the path is dead.
/// A dead path makes the gateway unusable for this node however healthy its own summary claims it is.
/// </summary>
public sealed class PathQualityTracker
{
    private readonly PathQualityOptions _options;
    private readonly SortedDictionary<NodeId, PathEstimate> _paths = [];

    public PathQualityTracker(PathQualityOptions options)
    {
        options.ThrowIfInvalid();
        _options = options;
    }

    public void Record(NodeId gateway, long nowUnixMs, PathSample sample)
    {
        if (!_paths.TryGetValue(gateway, out var e))
        {
            _paths[gateway] = sample.Delivered
                ? new PathEstimate(gateway, sample.RttMs, 0, 0, false, nowUnixMs, 1)
                : new PathEstimate(gateway, 0, 1, 1, _options.DeadAfterLosses <= 1, nowUnixMs, 1);
            return;
        }
        double loss = e.LossRatio + _options.LossGain * ((sample.Delivered ? 0 : 1) - e.LossRatio);
        if (sample.Delivered)
        {
            // The first reply after only losses has no RTT history to smooth against.
            double rtt = e.Samples == e.ConsecutiveLosses ? sample.RttMs : e.RttMs + _options.RttGain * (sample.RttMs - e.RttMs);
            _paths[gateway] = e with { RttMs = rtt, LossRatio = loss, ConsecutiveLosses = 0, Dead = false, LastSampleUnixMs = nowUnixMs, Samples = e.Samples + 1 };
        }
        else
        {
            int losses = e.ConsecutiveLosses + 1;
            _paths[gateway] = e with { LossRatio = loss, ConsecutiveLosses = losses, Dead = losses >= _options.DeadAfterLosses, LastSampleUnixMs = nowUnixMs, Samples = e.Samples + 1 };
        }
    }

    /// <summary>Drop a gateway that left the mesh.</summary>
    public void Forget(NodeId gateway) => _paths.Remove(gateway);

    public PathQualitySnapshot Snapshot(long nowUnixMs)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<NodeId, PathEstimate>();
        foreach (var (id, estimate) in _paths)
            if (nowUnixMs - estimate.LastSampleUnixMs < _options.StaleAfterMs) builder.Add(id, estimate);
        return new PathQualitySnapshot(builder.ToImmutable());
    }
}
