using Evernet.Gossip.Records;
using Evernet.Sim.Metrics;

namespace Evernet.Sim.Traffic;

/// <summary>A capacity step to judge: at <see cref="AtS"/> (seconds since traffic began) gateway <see cref="Slot"/> changed.</summary>
public sealed record StepPlan(double AtS, int Slot, double FromDownMbps, double ToDownMbps);

/// <summary>A flapping uplink to judge: gateway <see cref="Slot"/> flapped (down <see cref="DownS"/>, up <see cref="UpS"/>) during [FromS, ToS).</summary>
public sealed record FlapPlan(int Slot, double FromS, double ToS, double DownS, double UpS);

/// <summary>What a scenario wants judged: the steady-state window, and optionally a step or a flap.</summary>
public sealed record TrafficAnalysisPlan(double WindowFromS, double WindowToS, StepPlan? Step = null, FlapPlan? Flap = null);

/// <summary>
/// Per second since traffic began, per gateway slot: download bits carried, capacities, active flows, the share of new
/// flows the nodes' bucket tables send to it (<see cref="Routed"/>), and the share of new traffic in buckets the current
/// weights want elsewhere but that are busy (<see cref="Misplaced"/>), and the share the installed weights ask for
/// (<see cref="WeightShare"/>: each node's weight share of the gateway, weighted by the node's demand).
/// </summary>
public sealed record TrafficSeries(double[][] Bits, double[][] CapacityDown, double[][] CapacityUp, double[][] Flows, double[][] Routed, double[][] WeightShare, double[] Misplaced, double UploadRatio)
{
    public int Seconds => Bits.Length == 0 ? 0 : Bits[0].Length;
    public int Slots => Bits.Length;
}

public sealed record WeightChangeRecord(double TS, int Node, bool SetChanged, int SlotMask);

public sealed record FlowMoveRecord(double TS, int Node, int From, int To, bool FromAlive, bool FromInGroup);

public sealed record AliveTransition(double TS, int Slot, bool Alive, int Flows);

/// <summary>The model's event log, handed to the analysis.</summary>
public sealed record TrafficLog(
    List<WeightChangeRecord> WeightChanges,
    List<(double BucketsPct, double FlowsPct)> Rebalances,
    List<FlowMoveRecord> Moves,
    List<AliveTransition> Transitions,
    List<double> Stretch,
    SortedDictionary<string, long> LiveGatewayDrops,
    long TunnelProbes,
    long DeferredMigrations,
    long Started,
    long Completed,
    long NoRoute,
    long ActiveAtEnd,
    long PolicyUpdates,
    double PolicyWallS,
    int Members,
    List<(long Publications, long Urgent, List<(double TS, UplinkState Uplink)> UrgentLog)> Publishers);

/// <summary>Turns the recorded series and log into the figures of <see cref="TrafficResult"/>. Pure.</summary>
public static class TrafficAnalysis
{
    public static TrafficResult Analyse(TrafficModel model, TrafficSeries series, TrafficAnalysisPlan plan, TrafficLog log)
    {
        int slots = series.Slots;
        int from = Math.Clamp((int)plan.WindowFromS, 0, series.Seconds);
        int to = Math.Clamp((int)plan.WindowToS, from, series.Seconds);
        var options = model.Options;
        var gateways = new List<TrafficGatewayResult>();
        double allBits = 0, allCapacity = 0;
        for (int s = 0; s < slots; s++)
            for (int t = from; t < to; t++)
            {
                allBits += series.Bits[s][t];
                allCapacity += series.CapacityDown[s][t];
            }
        var deviationNoise = SmoothedDeviations(series, from, to, options.SmoothingSeconds);
        for (int s = 0; s < slots; s++)
        {
            double bits = 0, capacity = 0, capacityUp = 0, target = 0, flows = 0, routed = 0;
            for (int t = from; t < to; t++)
            {
                routed += series.Routed[s][t];
                bits += series.Bits[s][t];
                capacity += series.CapacityDown[s][t];
                capacityUp += series.CapacityUp[s][t];
                target += series.CapacityDown[s][t] / TotalCapacity(series, t);
                flows += series.Flows[s][t];
            }
            int n = Math.Max(1, to - from);
            target /= n;
            routed /= n;
            double share = allBits > 0 ? bits / allBits : 0;
            var publisher = log.Publishers[s];
            gateways.Add(new TrafficGatewayResult(s, model.GatewayName(s),
                Round(series.CapacityDown[s].ElementAtOrDefault(Math.Max(0, to - 1)) / 1e6, 3),
                Round(series.CapacityUp[s].ElementAtOrDefault(Math.Max(0, to - 1)) / 1e6, 3),
                Round(capacity > 0 ? bits / capacity : 0, 4),
                Round(capacityUp > 0 ? bits * series.UploadRatio / capacityUp : 0, 4),
                Round(target, 4),
                Round(share, 4),
                Round(target > 0 ? (share / target - 1) * 100 : 0, 2),
                Round(Distribution.Rank(deviationNoise[s], 0.95), 2),
                Round(target > 0 ? (routed / target - 1) * 100 : 0, 2),
                Round(flows / n, 1),
                publisher.Publications,
                publisher.Urgent));
        }

        double minutes = Math.Max(1e-9, (to - from) / 60.0);
        double windowChanges = log.WeightChanges.Count(w => w.TS >= from && w.TS < to);
        var broken = log.Moves.Where(m => m.FromAlive).ToList();
        var stretch = Distribution.Of(log.Stretch);
        return new TrafficResult(
            options.Overrides.Count == 0 ? "defaults" : string.Join(",", options.Overrides),
            options.SmoothingSeconds,
            Round(model.OfferedBps / 1e6, 3),
            Round(Enumerable.Range(0, slots).Sum(s => series.CapacityDown[s].FirstOrDefault()) / 1e6, 3),
            options.OfferedLoad,
            Round(allCapacity > 0 ? allBits / allCapacity : 0, 4),
            from,
            to,
            gateways,
            gateways.Count == 0 ? 0 : gateways.Max(g => Math.Abs(g.DeviationPct)),
            plan.Step is { } step ? StepResponse(model, series, step, options) : null,
            plan.Flap is { } flap ? Flap(model, series, flap, log) : null,
            Outages(model, log, series.Seconds),
            Round(windowChanges / Math.Max(1, log.Members) / minutes, 3),
            Round(to > from ? series.Misplaced[from..to].Average() * 100 : 0, 2),
            log.LiveGatewayDrops.Values.Sum(),
            log.LiveGatewayDrops,
            new TrafficRebalanceResult(
                log.Rebalances.Count,
                Round(log.Rebalances.Count == 0 ? 0 : log.Rebalances.Average(r => r.BucketsPct), 3),
                Round(log.Rebalances.Count == 0 ? 0 : log.Rebalances.Max(r => r.BucketsPct), 3),
                Round(log.Rebalances.Count == 0 ? 0 : log.Rebalances.Average(r => r.FlowsPct), 3),
                Round(log.Rebalances.Count == 0 ? 0 : log.Rebalances.Max(r => r.FlowsPct), 3),
                log.DeferredMigrations),
            new TrafficFlowCounts(log.Started, log.Completed, log.ActiveAtEnd, log.NoRoute,
                broken.Count, broken.Count(m => m.FromInGroup), broken.Count(m => !m.FromInGroup),
                log.Moves.Count(m => !m.FromAlive), Round(stretch.Mean, 3), Round(stretch.P99, 3)),
            log.PolicyUpdates,
            Round(log.PolicyWallS, 3),
            Samples(series, 5),
            Round(OutOfBandPct(series, from, to, options.SmoothingSeconds, options.Band), 2),
            Round(log.TunnelProbes / (double)Math.Max(1, log.Members) / Math.Max(1, series.Seconds), 3));
    }

    private static double TotalCapacity(TrafficSeries series, int t)
    {
        double total = 0;
        for (int s = 0; s < series.Slots; s++) total += series.CapacityDown[s][t];
        return total;
    }

    /// <summary>
    /// Relative deviation (load share / capacity share − 1) of every slot at second t, with the shares taken over the
    /// centred window [t − w/2, t + w/2); NaN where the window leaves the series or nothing was carried.
    /// </summary>
    public static double[][] Deviations(TrafficSeries series, int window)
    {
        int n = series.Seconds, slots = series.Slots;
        var result = new double[slots][];
        for (int s = 0; s < slots; s++) result[s] = new double[n];
        int half = window / 2;
        for (int t = 0; t < n; t++)
        {
            int a = t - half, b = a + window;
            if (a < 0 || b > n)
            {
                for (int s = 0; s < slots; s++) result[s][t] = double.NaN;
                continue;
            }
            double total = 0;
            var bits = new double[slots];
            for (int s = 0; s < slots; s++)
                for (int k = a; k < b; k++) bits[s] += series.Bits[s][k];
            foreach (var v in bits) total += v;
            double capacity = TotalCapacity(series, t);
            for (int s = 0; s < slots; s++)
            {
                double target = series.CapacityDown[s][t] / capacity;
                result[s][t] = total <= 0 || target <= 0 ? double.NaN : bits[s] / total / target - 1;
            }
        }
        return result;
    }

    /// <summary>Sorted |deviation| in % per slot over [from, to), smoothed over <paramref name="window"/> seconds.</summary>
    private static double[][] SmoothedDeviations(TrafficSeries series, int from, int to, int window)
    {
        var all = Deviations(series, window);
        var result = new double[series.Slots][];
        for (int s = 0; s < series.Slots; s++)
        {
            var list = new List<double>();
            for (int t = from; t < to; t++)
                if (!double.IsNaN(all[s][t])) list.Add(Math.Abs(all[s][t]) * 100);
            list.Sort();
            result[s] = [.. list];
        }
        return result;
    }

    /// <summary>
    /// The share of judged seconds in which some gateway's smoothed load share is outside the band: the traffic's own
    /// noise floor for settle_s (in a steady run, a settle time read after a step can be no better than the last such second).
    /// </summary>
    public static double OutOfBandPct(TrafficSeries series, int from, int to, int window, double band)
    {
        var e = Deviations(series, window);
        int judged = 0, outside = 0;
        for (int t = from; t < to; t++)
        {
            bool any = false, all = true;
            for (int s = 0; s < series.Slots; s++)
            {
                if (double.IsNaN(e[s][t])) { all = false; continue; }
                if (Math.Abs(e[s][t]) > band) any = true;
            }
            if (!all) continue;
            judged++;
            if (any) outside++;
        }
        return judged == 0 ? 0 : 100.0 * outside / judged;
    }

    /// <summary>Relative deviation of <paramref name="share"/>[slot][second] from the capacity share, per second.</summary>
    public static double[][] ShareDeviations(TrafficSeries series, double[][] share)
    {
        var result = new double[series.Slots][];
        for (int s = 0; s < series.Slots; s++)
        {
            result[s] = new double[series.Seconds];
            for (int t = 0; t < series.Seconds; t++)
            {
                double target = series.CapacityDown[s][t] / TotalCapacity(series, t);
                result[s][t] = target > 0 && t < share[s].Length ? share[s][t] / target - 1 : double.NaN;
            }
        }
        return result;
    }

    /// <summary>Relative deviation of the routed share (what the bucket tables send) from the capacity share, per second.</summary>
    public static double[][] RoutedDeviations(TrafficSeries series)
    {
        var result = new double[series.Slots][];
        for (int s = 0; s < series.Slots; s++)
        {
            result[s] = new double[series.Seconds];
            for (int t = 0; t < series.Seconds; t++)
            {
                double target = series.CapacityDown[s][t] / TotalCapacity(series, t);
                result[s][t] = target > 0 ? series.Routed[s][t] / target - 1 : double.NaN;
            }
        }
        return result;
    }

    /// <summary>Settle time, overshoot and ringing after a capacity step (see <see cref="TrafficStepResult"/>).</summary>
    public static TrafficStepResult StepResponse(TrafficModel model, TrafficSeries series, StepPlan step, TrafficOptions options)
    {
        var carriedAll = Deviations(series, options.SmoothingSeconds);
        var routedAll = RoutedDeviations(series);
        var carried = Figures(carriedAll, step.AtS, options.Band);
        var routed = Figures(routedAll, step.AtS, options.Band);
        var steppedCarried = Figures([carriedAll[step.Slot]], step.AtS, options.Band);
        var steppedRouted = Figures([routedAll[step.Slot]], step.AtS, options.Band);
        var weights = Figures(ShareDeviations(series, series.WeightShare), step.AtS, options.Band);
        return new TrafficStepResult(step.AtS, step.Slot, model.GatewayName(step.Slot), step.FromDownMbps, step.ToDownMbps,
            carried.Initial, carried.Settle, carried.Overshoot, carried.OvershootOfStep, carried.Reversals, carried.MaxAfter,
            routed.Initial, routed.Settle, routed.Overshoot, routed.OvershootOfStep, routed.Reversals, routed.MaxAfter,
            steppedCarried.Settle, steppedRouted.Settle, carried.Reach, routed.Reach, steppedCarried.Reach, steppedRouted.Reach,
            weights.Settle, weights.Overshoot, weights.Reach);
    }

    /// <summary>
    /// Step figures of a deviation matrix e[slot][second] (NaN: not judged): settled from the second after the last
    /// excursion beyond the band (−1 if that is the last judged second); overshoot = largest excursion past zero after
    /// the first crossing, for slots whose initial error exceeded twice the band; ringing = sign changes of errors beyond half
    /// the band after settling.
    /// </summary>
    public static (double Initial, double Settle, double Overshoot, double OvershootOfStep, int Reversals, double MaxAfter, double Reach) Figures(
        double[][] e, double stepAtS, double band, int hold = 60)
    {
        int slots = e.Length, seconds = slots == 0 ? 0 : e[0].Length;
        int at = Math.Clamp((int)Math.Ceiling(stepAtS), 0, seconds);
        int end = seconds;
        while (end > at && double.IsNaN(e[0][end - 1])) end--;
        int lastViolation = -1;
        for (int t = at; t < end; t++)
            for (int s = 0; s < slots; s++)
                if (!double.IsNaN(e[s][t]) && Math.Abs(e[s][t]) > band) lastViolation = t;
        double settle = lastViolation < 0 ? 0 : lastViolation + 1 >= end ? -1 : lastViolation + 1 - at;
        // Reach: the first moment from which every slot stays within the band for at least `hold` seconds.
        double reach = -1;
        int inBand = 0;
        for (int t = at; t < end && reach < 0; t++)
        {
            bool ok = true;
            for (int s = 0; s < slots; s++)
                if (double.IsNaN(e[s][t]) || Math.Abs(e[s][t]) > band) ok = false;
            inBand = ok ? inBand + 1 : 0;
            if (inBand >= hold) reach = t - hold + 1 - at;
        }

        double overshoot = 0, overshootOfStep = 0, initial = 0, maxAfter = 0;
        int reversals = 0;
        int settledAt = settle < 0 ? end : at + (int)settle;
        for (int s = 0; s < slots; s++)
        {
            // The initial error: the largest in the first 30 s after the step (a smoothed share shows it after half a window).
            double peak = 0;
            for (int t = at; t < Math.Min(end, at + 30); t++)
                if (!double.IsNaN(e[s][t]) && Math.Abs(e[s][t]) > Math.Abs(peak)) peak = e[s][t];
            if (Math.Abs(peak) > Math.Abs(initial)) initial = peak;
            // Overshoot is judged on the responses the step really moved (beyond twice the band), not on bystanders' noise.
            if (Math.Abs(peak) > 2 * band)
            {
                int sign = Math.Sign(peak);
                bool crossed = false;
                double worst = 0;
                for (int t = at; t < end; t++)
                {
                    if (double.IsNaN(e[s][t])) continue;
                    if (!crossed && Math.Sign(e[s][t]) == -sign) crossed = true;
                    if (crossed) worst = Math.Max(worst, -sign * e[s][t]);
                }
                overshoot = Math.Max(overshoot, worst);
                overshootOfStep = Math.Max(overshootOfStep, worst / Math.Abs(peak));
            }
            int previous = 0;
            for (int t = settledAt; t < end; t++)
            {
                if (double.IsNaN(e[s][t])) continue;
                maxAfter = Math.Max(maxAfter, Math.Abs(e[s][t]));
                if (Math.Abs(e[s][t]) <= band / 2) continue;
                int sign = Math.Sign(e[s][t]);
                if (previous != 0 && sign != previous) reversals++;
                previous = sign;
            }
        }
        return (Round(initial * 100, 2), settle, Round(overshoot * 100, 2), Round(overshootOfStep * 100, 2), reversals, Round(maxAfter * 100, 2), reach);
    }

    private static TrafficFlapResult Flap(TrafficModel model, TrafficSeries series, FlapPlan flap, TrafficLog log)
    {
        double length = flap.ToS - flap.FromS;
        double minutes = Math.Max(1e-9, length / 60);
        int members = Math.Max(1, log.Members);
        int bit = 1 << Math.Min(flap.Slot, 30);
        var during = log.WeightChanges.Where(w => w.TS >= flap.FromS && w.TS < flap.ToS).ToList();
        double beforeFrom = Math.Max(0, flap.FromS - length);
        int before = log.WeightChanges.Count(w => w.TS >= beforeFrom && w.TS < flap.FromS);
        double beforeMinutes = Math.Max(1e-9, (flap.FromS - beforeFrom) / 60);
        var flapper = during.Where(w => (w.SlotMask & bit) != 0).ToList();
        int maxOfANode = flapper.GroupBy(w => w.Node).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        int transitions = log.Transitions.Count(t => t.Slot == flap.Slot && t.TS >= flap.FromS && t.TS < flap.ToS);
        var urgent = log.Publishers[flap.Slot].UrgentLog;
        int signed = urgent.Count(u => u.TS >= flap.FromS && u.TS < flap.ToS + 15);
        double bits = 0, capacity = 0;
        for (int t = Math.Max(0, (int)flap.FromS); t < Math.Min(series.Seconds, (int)flap.ToS); t++)
        {
            bits += series.Bits[flap.Slot][t];
            capacity += series.CapacityDown[flap.Slot][t];
        }
        return new TrafficFlapResult(flap.Slot, model.GatewayName(flap.Slot), flap.FromS, flap.ToS, flap.DownS, flap.UpS, transitions, signed,
            Round(during.Count / (double)members / minutes, 3),
            Round(flapper.Count / (double)members / minutes, 3),
            Round(before / (double)members / beforeMinutes, 3),
            maxOfANode,
            Round(capacity > 0 ? bits / capacity : 0, 4));
    }

    private static List<TrafficOutageResult> Outages(TrafficModel model, TrafficLog log, int seconds)
    {
        var result = new List<TrafficOutageResult>();
        foreach (var down in log.Transitions.Where(t => !t.Alive))
        {
            var up = log.Transitions.FirstOrDefault(t => t.Slot == down.Slot && t.Alive && t.TS > down.TS);
            double end = up?.TS ?? seconds;
            var inside = log.Moves.Where(m => m.TS >= down.TS && m.TS <= end).ToList();
            var mine = inside.Where(m => m.From == down.Slot).ToList();
            result.Add(new TrafficOutageResult(down.Slot, model.GatewayName(down.Slot), Round(down.TS, 3), Round(end - down.TS, 3), down.Flows,
                mine.Count, inside.Count - mine.Count, Round(mine.Count == 0 ? 0 : mine.Max(m => m.TS) - down.TS, 3)));
        }
        return result;
    }

    private static List<TrafficSample> Samples(TrafficSeries series, int every)
    {
        var list = new List<TrafficSample>();
        for (int a = 0; a + every <= series.Seconds; a += every)
        {
            var util = new double[series.Slots];
            var share = new double[series.Slots];
            var target = new double[series.Slots];
            var routed = new double[series.Slots];
            double total = 0, capacityTotal = 0;
            for (int s = 0; s < series.Slots; s++)
            {
                double bits = 0, capacity = 0;
                for (int t = a; t < a + every; t++)
                {
                    bits += series.Bits[s][t];
                    capacity += series.CapacityDown[s][t];
                    routed[s] += series.Routed[s][t] / every;
                }
                util[s] = capacity > 0 ? bits / capacity : 0;
                share[s] = bits;
                target[s] = capacity;
                total += bits;
                capacityTotal += capacity;
            }
            for (int s = 0; s < series.Slots; s++)
            {
                util[s] = Round(util[s], 4);
                share[s] = Round(total > 0 ? share[s] / total : 0, 4);
                target[s] = Round(capacityTotal > 0 ? target[s] / capacityTotal : 0, 4);
                routed[s] = Round(routed[s], 4);
            }
            list.Add(new TrafficSample(a, util, share, target, routed, Round(series.Misplaced[a..(a + every)].Average() * 100, 2)));
        }
        return list;
    }

    private static double Round(double v, int digits) => double.IsFinite(v) ? Math.Round(v, digits) : 0;
}
