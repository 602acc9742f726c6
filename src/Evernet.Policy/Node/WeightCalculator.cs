using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Policy;

/// <summary>
/// weights = f(signed summaries, local path quality, options, previous state, now, node seed). Pure and deterministic.
///
/// Per gateway g the weight is proportional to (b_g + f_g + p_g) · q_g · r_g, scaled to <see cref="WeightOptions.Total"/>:
///  - b_g, the balance share, is an integrator. It starts at g's capacity share c_g = C_g/ΣC; when any gateway's signed
///    capacity changes, every share is reset to its new capacity share at once (feed-forward: the weights land on the
///    new target without waiting for the load to show it) and the integrator pauses for
///    <see cref="WeightOptions.CapacityStepHoldMs"/> so that it does not integrate the stale load error. Every balancing step
///    moves it by k·(c_g − λ_g), where λ_g = L_g/ΣL is g's share of the total (bottleneck-direction) load the gateways
///    report. Every node applies the same absolute shift to its shares, so the mesh's aggregate load share moves by
///    k·(c − λ) whatever the number of nodes or how their traffic is spread: λ → c geometrically, i.e. every gateway
///    runs at the same utilisation (which is also "proportional to spare capacity"). Each node's own traffic is part
///    of the loads it reads; that is what closes the loop, and the small k (dt/τ) keeps it from overshooting while
///    sticky flows make the load lag the weights. Floor-clamped, so a full gateway still gets a trickle.
///  - f_g, the fast correction: the proportional part. A leaky integrator of the same error (τ_f = 3 s, memory 6 s, so it
///    holds about twice the current error), bounded to ±50 % of b_g, zeroed by a capacity step. It makes new flows make
///    up within seconds for the carried load's short excursions (a few big flows that happen to land on one small
///    gateway), which b, kept slow for loops whose load follows the weights only over minutes, cannot; being
///    proportional and bounded it damps such a slow loop instead of winding up in it.
///  - p_g, the persistent part of the correction: an integral of the same error (τ_p = 15 s) that builds only while the
///    error is beyond 7 % of b_g and keeps its sign, is dropped when the sign changes, fades while the error is small,
///    bounded to ±30 % of b_g and zeroed by a capacity step. A proportional term leaves about a third of an excursion that
///    lasts (one long big flow on a small gateway); this removes the rest while it lasts.
///  - q_g, path quality from this node's tunnel measurements: loss and extra RTT over the best path, and a degraded uplink.
///  - r_g, slow start: a gateway that (re)becomes usable ramps from a small fraction to full over a configured time,
///    after a hold-down if it has been flapping.
/// An unusable gateway (core view, uplink down, draining, path dead, certificate void) drops to zero at once.
/// Integer weights move only when a change reaches the hysteresis threshold, or the usable set changes.
/// </summary>
public static class WeightCalculator
{
    public static WeightResult Compute(
        MeshView view,
        PathQualitySnapshot paths,
        WeightOptions options,
        WeightState previous,
        long nowUnixMs,
        ulong nodeSeed,
        RevocationCheck? revocationCheck = null)
    {
        var gateways = (view.Gateways.IsDefault ? [] : view.Gateways)
            .GroupBy(g => g.Id).Select(g => g.First())
            .OrderBy(g => g.Id)
            .ToList();

        // 1. Usability and per-gateway control state (hold-down, slow start, flap history).
        var states = new SortedDictionary<NodeId, GatewayControlState>();
        var reasons = new Dictionary<NodeId, string>();
        foreach (var g in gateways)
        {
            var (usable, reason) = GatewayUsability.Evaluate(view, g, paths, nowUnixMs, revocationCheck);
            reasons[g.Id] = reason;
            previous.Gateways.TryGetValue(g.Id, out var p);
            var failures = Prune(p?.RecentFailures ?? [], nowUnixMs, options.FlapWindowMs);
            if (!usable)
            {
                if (p is { Usable: true }) failures = failures.Add(nowUnixMs);
                states[g.Id] = new GatewayControlState(false, 0, 0, null, 0, failures);
                continue;
            }
            if (p is { Usable: true })
            {
                states[g.Id] = p with { RecentFailures = failures };
                continue;
            }
            // (Re)became usable. On this node's very first computation there is nothing to ramp against: trust the core's
            // "usable since" so a restarting node does not slow-start gateways that have been fine for hours.
            long since = previous.IsInitial && p is null ? Math.Min(nowUnixMs, g.UsabilitySinceUnixMs) : nowUnixMs;
            long hold = failures.Length >= 2
                ? Math.Min(options.HoldDownMaxMs, (long)options.HoldDownBaseMs << Math.Min(20, failures.Length - 2))
                : 0;
            states[g.Id] = new GatewayControlState(true, since, since + hold, null, 0, failures);
        }

        var usableIds = states.Where(s => s.Value.Usable).Select(s => s.Key).ToList();
        var eligible = usableIds.Where(id => nowUnixMs >= states[id].EligibleAtUnixMs).ToList();
        // If every usable gateway is in hold-down, flapping gateways beat no gateway at all.
        if (eligible.Count == 0) eligible = usableIds;
        var eligibleSet = eligible.ToHashSet();
        var byId = gateways.ToDictionary(g => g.Id);

        // 2. Balance shares: new entrants start at their capacity share; then one integrator step if one is due.
        // Existing shares make room for the entrants' capacity shares, so an entrant starts exactly at its capacity share.
        double capacityTotal = eligible.Sum(id => (double)Capacity(byId[id]));
        var entrants = eligible.Where(id => states[id].BalanceShare is null).ToList();
        var incumbents = eligible.Where(id => states[id].BalanceShare is not null).ToList();
        double CapacityShare(NodeId id) => capacityTotal > 0 ? Capacity(byId[id]) / capacityTotal : 1.0 / eligible.Count;
        double room = 1 - entrants.Sum(CapacityShare);
        // Feed-forward: a changed signed capacity puts every incumbent straight back on its capacity share. The
        // integrator's learned corrections are dropped on purpose: they were fitted to the old capacities, and kept
        // (scaled) they carry any wander the traffic's noise had caused into the new operating point.
        bool capacityChanged = false;
        foreach (var id in eligible)
        {
            ulong capacity = Capacity(byId[id]);
            var s = states[id];
            if (capacity == 0 || capacity == s.CapacityBps) continue;
            // The reference moves only on a step, so a slow drift in small increments adds up to one.
            bool step = s.BalanceShare is not null && s.CapacityBps > 0
                && Math.Abs((double)capacity / s.CapacityBps - 1) >= options.CapacityStepFraction;
            if (step || s.CapacityBps == 0) states[id] = s with { CapacityBps = capacity };
            capacityChanged |= step;
        }
        if (capacityChanged)
        {
            double incumbentCapacity = incumbents.Sum(id => (double)Capacity(byId[id]));
            foreach (var id in incumbents)
                states[id] = states[id] with
                {
                    BalanceShare = incumbentCapacity > 0 ? Capacity(byId[id]) / incumbentCapacity : 1.0 / incumbents.Count,
                    CapacityChangedUnixMs = nowUnixMs,
                    Correction = 0,
                    Persistent = 0,
                };
        }
        Normalize(states, incumbents);
        foreach (var id in incumbents)
            states[id] = states[id] with { BalanceShare = Math.Max(options.FloorShare, states[id].BalanceShare!.Value * room) };
        foreach (var id in entrants)
            states[id] = states[id] with { BalanceShare = Math.Max(options.FloorShare, CapacityShare(id)) };
        foreach (var id in usableIds.Where(id => !eligibleSet.Contains(id)))
            states[id] = states[id] with { BalanceShare = null, Correction = 0, Persistent = 0 };
        Normalize(states, eligible);

        long lastBalance = previous.IsInitial ? nowUnixMs : previous.LastBalanceUnixMs;
        long nextBalance = previous.IsInitial
            ? nowUnixMs + (long)(options.BalanceIntervalMs * StableHash.Unit(nodeSeed, 0xBA1A))
            : previous.NextBalanceUnixMs;
        ulong steps = previous.Steps;
        bool balanced = false;
        if (nowUnixMs >= nextBalance)
        {
            long dt = Math.Min(nowUnixMs - lastBalance, 2L * options.BalanceIntervalMs);
            // A gateway in slow start looks under-loaded because the ramp holds it back, not because its share is too
            // small: integrating that error would wind its share up and overshoot when the ramp ends. It joins the
            // balancing once its ramp is over and its load had a ramp's length of time to follow.
            var settled = eligible.Where(id => nowUnixMs - states[id].EligibleAtUnixMs >= 2L * options.SlowStartMs).ToList();
            bool integrate = !eligible.Any(id => nowUnixMs - states[id].CapacityChangedUnixMs < options.CapacityStepHoldMs);
            bool correct = !eligible.Any(id => nowUnixMs - states[id].CapacityChangedUnixMs < options.CorrectionStepHoldMs);
            balanced = BalanceStep(states, eligible, settled, byId, options, nowUnixMs, dt, nodeSeed, integrate, correct);
            steps++;
            lastBalance = nowUnixMs;
            double jitter = options.BalanceJitterFraction * StableHash.Symmetric(nodeSeed, steps);
            nextBalance = nowUnixMs + Math.Max(1, (long)(options.BalanceIntervalMs * (1 + jitter)));
        }

        // 3. Final shares: balance share × path quality × slow start.
        var quality = Quality(eligible, byId, paths, options);
        var raw = new Dictionary<NodeId, double>();
        var ramp = new Dictionary<NodeId, double>();
        foreach (var id in eligible)
        {
            var s = states[id];
            double progress = options.SlowStartMs == 0 ? 1 : Math.Clamp((double)(nowUnixMs - s.EligibleAtUnixMs) / options.SlowStartMs, 0, 1);
            // In a few steps rather than smoothly: each step is a weight change on every node, and a gateway that comes
            // back often (a flapping line) should cost a bounded number of them per return.
            if (options.SlowStartSteps > 0) progress = Math.Floor(progress * options.SlowStartSteps) / options.SlowStartSteps;
            ramp[id] = options.SlowStartInitialFraction + (1 - options.SlowStartInitialFraction) * progress;
            raw[id] = Math.Max(options.FloorShare, s.BalanceShare!.Value + s.Correction + s.Persistent) * quality[id] * ramp[id];
        }
        var weights = Apportion(raw, options.Total);

        // 4. Hysteresis: keep the published weights unless the usable set changed or a weight moved enough.
        bool sameSet = eligible.Count > 0
            && states.All(s => (weights.GetValueOrDefault(s.Key) > 0) == (previous.Gateways.TryGetValue(s.Key, out var p) && p.Weight > 0))
            && previous.Gateways.Keys.All(k => states.ContainsKey(k) || previous.Gateways[k].Weight == 0);
        int maxMove = states.Keys.Concat(previous.Gateways.Keys).Distinct()
            .Select(id => Math.Abs(weights.GetValueOrDefault(id) - (previous.Gateways.TryGetValue(id, out var p) ? p.Weight : 0)))
            .DefaultIfEmpty(0).Max();
        bool keep = sameSet && maxMove < Math.Max(1, options.HysteresisWeight);
        if (keep)
        {
            foreach (var id in eligible) weights[id] = previous.Gateways[id].Weight;
        }
        bool changed = maxMove > 0 && !keep;

        var result = ImmutableArray.CreateBuilder<GatewayWeight>(gateways.Count);
        var final = ImmutableSortedDictionary.CreateBuilder<NodeId, GatewayControlState>();
        foreach (var g in gateways)
        {
            var s = states[g.Id] with { Weight = weights.GetValueOrDefault(g.Id) };
            final[g.Id] = s;
            string reason = s.Usable && !eligibleSet.Contains(g.Id) ? "HoldDown" : reasons[g.Id];
            result.Add(new GatewayWeight(g.Id, g.Name, s.Weight, s.Usable, reason, s.BalanceShare ?? 0,
                ramp.GetValueOrDefault(g.Id), quality.GetValueOrDefault(g.Id), s.Correction + s.Persistent));
        }
        var state = new WeightState(false, nowUnixMs, lastBalance, nextBalance, steps, final.ToImmutable());
        return new WeightResult(result.MoveToImmutable(), state, changed, balanced);
    }

    /// <summary>
    /// One balancing step over the gateways with a fresh summary. The share error of g is e_g = c_g − λ_g (capacity
    /// share minus load share, both over the measured gateways). The slow integrator (if <paramref name="integrate"/>
    /// and some gateway is outside the deadband) does b_g += k·e_g; the fast correction (if <paramref name="correct"/>)
    /// first decays by its memory, then does f_g += k_f·e_g, bounded to ± <see cref="WeightOptions.CorrectionLimit"/>·b_g.
    /// True if a share or a correction moved.
    /// </summary>
    private static bool BalanceStep(
        SortedDictionary<NodeId, GatewayControlState> states, List<NodeId> eligible, List<NodeId> settled, Dictionary<NodeId, GatewayView> byId,
        WeightOptions options, long nowUnixMs, long dtMs, ulong nodeSeed, bool integrate, bool correct)
    {
        bool moved = false;
        // A correction is only as good as the load it was fitted to: without fresh steps it fades.
        double decay = options.CorrectionMemoryMs > 0 && dtMs > 0 ? Math.Exp(-(double)dtMs / options.CorrectionMemoryMs) : 0;
        foreach (var id in eligible)
        {
            double f = states[id].Correction;
            if (f == 0) continue;
            states[id] = states[id] with { Correction = Math.Abs(f * decay) < 1e-6 ? 0 : f * decay };
            moved = true;
        }
        var measured = settled
            .Where(id => byId[id].Summary is { } s && Math.Abs(nowUnixMs - s.TimestampUnixMs) <= options.MaxSummaryAgeMs && Capacity(byId[id]) > 0)
            .ToList();
        if (measured.Count < 2 || dtMs <= 0) return moved;
        double capacity = 0, load = 0;
        var effectiveLoad = new Dictionary<NodeId, double>();
        foreach (var id in measured)
        {
            var s = byId[id].Summary!;
            double utilisation = Utilisation(s);
            effectiveLoad[id] = utilisation * s.CapacityDownBps;
            capacity += s.CapacityDownBps;
            load += effectiveLoad[id];
        }
        if (load <= 0) return moved;
        double mean = load / capacity;
        bool outsideDeadband = measured.Any(id => Math.Abs(effectiveLoad[id] / byId[id].Summary!.CapacityDownBps - mean) >= options.DeadbandUtilisation);

        double jitter = 1 + options.GainJitterFraction * StableHash.Symmetric(nodeSeed, 0x6A1);
        double gain = Math.Min(0.5, (double)dtMs / options.ControllerTimeConstantMs * jitter);
        double correctionGain = Math.Min(0.5, (double)dtMs / options.CorrectionTimeConstantMs * jitter);
        double persistentGain = options.PersistentTimeConstantMs > 0 ? Math.Min(0.5, (double)dtMs / options.PersistentTimeConstantMs * jitter) : 0;
        bool correcting = correct && options.CorrectionLimit > 0 && options.CorrectionMemoryMs > 0;
        double measuredShare = measured.Sum(id => states[id].BalanceShare!.Value);
        foreach (var id in measured)
        {
            // Errors are in shares of the measured gateways; scale to the part of b they own so unmeasured ones keep theirs.
            double error = (byId[id].Summary!.CapacityDownBps / capacity - effectiveLoad[id] / load) * measuredShare;
            var s = states[id];
            double b = s.BalanceShare!.Value;
            if (integrate && outsideDeadband) b = Math.Max(options.FloorShare, b + gain * error);
            double f = s.Correction;
            if (correcting)
            {
                double limit = options.CorrectionLimit * b;
                f = Math.Clamp(f + correctionGain * error, -limit, limit);
            }
            // The persistent part: an integral of the error that only builds while the error is beyond the threshold and
            // keeps its sign, is let go of at once when the error changes sign, and fades while the error is small.
            double p = s.Persistent;
            if (correcting && persistentGain > 0 && b > 0)
            {
                if (p != 0 && Math.Sign(error) != Math.Sign(p)) p = 0;
                else if (Math.Abs(error) / b > options.PersistentThreshold)
                    p = Math.Clamp(p + persistentGain * error, -options.PersistentLimit * b, options.PersistentLimit * b);
                else p *= Math.Exp(-(double)dtMs / options.PersistentTimeConstantMs);
            }
            else p = 0;
            states[id] = s with { BalanceShare = b, Correction = f, Persistent = p };
        }
        if (integrate && outsideDeadband)
        {
            // Renormalising b scales it; the corrections, which sum to about zero, keep their absolute size.
            Normalize(states, eligible);
            moved = true;
        }
        return moved || correcting;
    }

    /// <summary>Utilisation in the bottleneck direction: the more loaded of download and upload.</summary>
    public static double Utilisation(GatewaySummary s)
    {
        double down = s.CapacityDownBps > 0 ? (double)s.LoadDownBps / s.CapacityDownBps : 0;
        double up = s.CapacityUpBps > 0 ? (double)s.LoadUpBps / s.CapacityUpBps : 0;
        return Math.Max(down, up);
    }

    private static ulong Capacity(GatewayView g) => g.Summary?.CapacityDownBps ?? 0;

    private static Dictionary<NodeId, double> Quality(List<NodeId> eligible, Dictionary<NodeId, GatewayView> byId, PathQualitySnapshot paths, WeightOptions options)
    {
        var rtt = new Dictionary<NodeId, double?>();
        var loss = new Dictionary<NodeId, double>();
        foreach (var id in eligible)
        {
            var g = byId[id];
            if (paths.For(id) is { } p && p.Samples > p.ConsecutiveLosses)
            {
                rtt[id] = p.RttMs;
                loss[id] = p.LossRatio;
            }
            else
            {
                rtt[id] = g.SmoothedRttMs > 0 ? g.SmoothedRttMs : null;
                loss[id] = Math.Clamp(g.ProbeLossRatio, 0, 1);
            }
        }
        double best = rtt.Values.Where(r => r is not null).Select(r => r!.Value).DefaultIfEmpty(0).Min();
        var quality = new Dictionary<NodeId, double>();
        foreach (var id in eligible)
        {
            double keep = 1 - loss[id], lossFactor = 1;
            for (int i = 0; i < options.LossPenaltyExponent; i++) lossFactor *= keep;
            double rttFactor = rtt[id] is double r ? options.RttPenaltyReferenceMs / (options.RttPenaltyReferenceMs + Math.Max(0, r - best)) : 1;
            double degraded = byId[id].Summary?.Uplink == UplinkState.Degraded ? options.DegradedFactor : 1;
            quality[id] = Math.Max(options.MinQualityFactor, lossFactor * rttFactor * degraded);
        }
        return quality;
    }

    private static void Normalize(SortedDictionary<NodeId, GatewayControlState> states, List<NodeId> ids)
    {
        double sum = ids.Sum(id => states[id].BalanceShare ?? 0);
        if (sum <= 0) return;
        foreach (var id in ids) states[id] = states[id] with { BalanceShare = states[id].BalanceShare / sum };
    }

    private static ImmutableArray<long> Prune(ImmutableArray<long> failures, long nowUnixMs, long windowMs) =>
        failures.IsDefaultOrEmpty ? [] : [.. failures.Where(t => nowUnixMs - t < windowMs)];

    /// <summary>
    /// Largest-remainder rounding of shares to integers summing to <paramref name="total"/>, at least 1 each
    /// (ties by gateway id, so every node rounds the same way).
    /// </summary>
    public static Dictionary<NodeId, int> Apportion(IReadOnlyDictionary<NodeId, double> shares, int total)
    {
        var result = new Dictionary<NodeId, int>();
        if (shares.Count == 0) return result;
        double sum = shares.Values.Sum(v => Math.Max(0, v));
        var ids = shares.Keys.Order().ToList();
        if (sum <= 0 || double.IsNaN(sum) || double.IsInfinity(sum))
            shares = ids.ToDictionary(id => id, _ => 1.0);
        sum = shares.Values.Sum(v => Math.Max(0, v));
        var exact = ids.ToDictionary(id => id, id => Math.Max(0, shares[id]) / sum * total);
        foreach (var id in ids) result[id] = (int)Math.Floor(exact[id]);
        int left = total - result.Values.Sum();
        foreach (var id in ids.OrderByDescending(id => exact[id] - result[id]).ThenBy(id => id).Take(Math.Max(0, left))) result[id]++;
        // Rounding error can only overshoot by a unit or so; take it from the largest.
        for (; left < 0; left++) result[ids.OrderByDescending(id => result[id]).ThenBy(id => id).First()]--;
        foreach (var id in ids)
        {
            if (result[id] > 0) continue;
            var donor = ids.Where(d => result[d] > 1).OrderByDescending(d => result[d]).ThenBy(d => d).FirstOrDefault();
            if (result.GetValueOrDefault(donor) <= 1) break;
            result[donor]--;
            result[id] = 1;
        }
        return result;
    }
}
