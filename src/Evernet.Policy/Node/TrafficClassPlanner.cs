using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Policy;

/// <summary>A lowest-latency class's memory: the gateway it uses, and a challenger that has been better since when.</summary>
public sealed record LatencyChoice(NodeId? Current, NodeId? Challenger, long ChallengerSinceUnixMs);

/// <summary>
/// Traffic classes → <see cref="ClassRouteSpec"/>s. Balance classes share the default route's weighted nexthops;
/// lowest-latency classes use the one gateway with the best score (path RTT through the tunnel + the gateway's own
/// internet RTT, inflated by loss), moving only when a challenger is clearly and persistently better, or at once when
/// the current one stops being usable; pinned classes use the first usable gateway of their list.
/// </summary>
public static class TrafficClassPlanner
{
    /// <summary>A lost probe in ten roughly doubles a path's latency score: retransmissions cost more than RTT.</summary>
    private const double LossScoreFactor = 10;
    /// <summary>Unknown RTT ranks after every measured one but still ranks.</summary>
    private const double UnknownRttMs = 1000;

    public static (ImmutableArray<ClassRouteSpec> Routes, ImmutableSortedDictionary<string, LatencyChoice> Latency) Plan(
        PolicyOptions options,
        MeshView view,
        PathQualitySnapshot paths,
        WeightResult weights,
        IReadOnlyDictionary<NodeId, string> interfaces,
        ImmutableSortedDictionary<string, LatencyChoice> previousLatency,
        long nowUnixMs)
    {
        var usable = weights.Gateways.Where(g => g.Weight > 0 && interfaces.ContainsKey(g.Gateway)).ToList();
        var balance = usable.Select(g => Nexthop(g, interfaces, g.Weight)).ToImmutableArray();
        var byId = (view.Gateways.IsDefault ? [] : view.Gateways).GroupBy(g => g.Id).ToDictionary(g => g.Key, g => g.First());
        var routes = ImmutableArray.CreateBuilder<ClassRouteSpec>(options.TrafficClasses.Count);
        var latency = ImmutableSortedDictionary.CreateBuilder<string, LatencyChoice>(StringComparer.Ordinal);

        for (int i = 0; i < options.TrafficClasses.Count; i++)
        {
            var c = options.TrafficClasses[i];
            var (mark, table, priority) = options.ClassIds(i);
            var strategy = c.ParsedStrategy;
            ImmutableArray<GatewayNexthop> nexthops;
            switch (strategy)
            {
                case TrafficStrategy.LowestLatency:
                {
                    previousLatency.TryGetValue(c.Name, out var choice);
                    choice = ChooseLowestLatency(c, usable, byId, paths, choice, nowUnixMs);
                    latency[c.Name] = choice;
                    nexthops = choice.Current is NodeId current
                        ? [Nexthop(usable.First(g => g.Gateway == current), interfaces, 1)]
                        : [];
                    break;
                }
                case TrafficStrategy.Pinned:
                {
                    var pinned = c.Gateways
                        .Select(entry => usable.FirstOrDefault(g => TrafficClassOptions.Names(entry, g.Gateway, g.Name)))
                        .FirstOrDefault(g => g is not null);
                    nexthops = pinned is not null ? [Nexthop(pinned, interfaces, 1)] : c.FallbackToBalance ? balance : [];
                    break;
                }
                default:
                    nexthops = balance;
                    break;
            }
            var match = new TrafficMatch(
                c.NormalizedProtocol,
                [.. (c.Ports ?? []).Distinct().Order()],
                [.. (c.Dscp ?? []).Distinct().Order()]);
            routes.Add(new ClassRouteSpec(c.Name, strategy, mark, table, priority, match, nexthops));
        }
        return (routes.MoveToImmutable(), latency.ToImmutable());
    }

    private static GatewayNexthop Nexthop(GatewayWeight g, IReadOnlyDictionary<NodeId, string> interfaces, int weight) =>
        new(g.Name, interfaces[g.Gateway], null, weight);

    /// <summary>Lower is better: (path RTT + the gateway's internet RTT) × (1 + 10 × path loss).</summary>
    public static double LatencyScore(GatewayView? gateway, PathEstimate? path)
    {
        double pathRtt, loss;
        if (path is { } p && p.Samples > p.ConsecutiveLosses)
        {
            pathRtt = p.RttMs;
            loss = p.LossRatio;
        }
        else
        {
            pathRtt = gateway is { SmoothedRttMs: > 0 } ? gateway.SmoothedRttMs : UnknownRttMs;
            loss = gateway?.ProbeLossRatio ?? 0;
        }
        return (pathRtt + UplinkRttMs(gateway?.Summary)) * (1 + LossScoreFactor * Math.Clamp(loss, 0, 1));
    }

    /// <summary>The median RTT over the gateway's answering probe targets: the internet part of the latency.</summary>
    private static double UplinkRttMs(GatewaySummary? summary)
    {
        if (summary is null || summary.Targets.IsDefaultOrEmpty) return 0;
        var rtts = summary.Targets.Where(t => t.LossPermille < 1000 && t.RttMicros > 0).Select(t => t.RttMicros / 1000.0).Order().ToList();
        if (rtts.Count == 0) return 0;
        return rtts.Count % 2 == 1 ? rtts[rtts.Count / 2] : (rtts[rtts.Count / 2 - 1] + rtts[rtts.Count / 2]) / 2;
    }

    private static LatencyChoice ChooseLowestLatency(
        TrafficClassOptions c, List<GatewayWeight> usable, Dictionary<NodeId, GatewayView> byId, PathQualitySnapshot paths,
        LatencyChoice? previous, long nowUnixMs)
    {
        if (usable.Count == 0) return new LatencyChoice(null, null, 0);
        var scored = usable
            .Select(g => (g.Gateway, Score: LatencyScore(byId.GetValueOrDefault(g.Gateway), paths.For(g.Gateway))))
            .OrderBy(s => s.Score).ThenBy(s => s.Gateway)
            .ToList();
        var best = scored[0];
        if (previous?.Current is not NodeId current || !scored.Any(s => s.Gateway == current))
            return new LatencyChoice(best.Gateway, null, 0);
        if (best.Gateway == current) return new LatencyChoice(current, null, 0);
        double currentScore = scored.First(s => s.Gateway == current).Score;
        bool clearlyBetter = best.Score < currentScore * (1 - c.SwitchMarginFraction) - c.SwitchMarginMs;
        if (!clearlyBetter) return new LatencyChoice(current, null, 0);
        if (previous.Challenger == best.Gateway)
        {
            return nowUnixMs - previous.ChallengerSinceUnixMs >= c.SwitchHoldMs
                ? new LatencyChoice(best.Gateway, null, 0)
                : previous;
        }
        return c.SwitchHoldMs == 0 ? new LatencyChoice(best.Gateway, null, 0) : new LatencyChoice(current, best.Gateway, nowUnixMs);
    }
}
