using System.Globalization;
using Evernet.Policy;

namespace Evernet.Sim.Traffic;

/// <summary>A gateway's uplink: what its modem syncs at, down and up.</summary>
public sealed record GatewayLink(double DownMbps, double UpMbps);

/// <summary>
/// The traffic model's knobs, and the real policy options the nodes and gateways run with. Defaults: three VDSL
/// gateways (100/40, 50/10, 250/40 Mbit/s), households offering 65 % of the downstream capacity as flows with
/// bounded-Pareto sizes (shape 2, 50 kB .. 500 MB, mean ≈ 100 kB) each capped at 10 Mbit/s, uploads a tenth of the
/// download. (Shape 1.5 makes the traffic self-similar: on gateways this small its 30-s load shares then wander by
/// ±13 % on their own, more than the band the balancing is judged by.) Settable one by one as "Key=Value"
/// (<see cref="Apply"/>), so a run is reproducible from its scenario name.
/// </summary>
public sealed class TrafficOptions
{
    /// <summary>By gateway slot (gateways in index order); cycled when there are more gateways than links.</summary>
    public List<GatewayLink> Links { get; set; } = [new(100, 40), new(50, 10), new(250, 40)];
    /// <summary>Offered download, as a fraction of the gateways' total downstream capacity at the start.</summary>
    public double OfferedLoad { get; set; } = 0.65;
    /// <summary>"pareto": bounded Pareto (<see cref="ParetoShape"/>, <see cref="MinFlowBytes"/>..<see cref="MaxFlowBytes"/>); "lognormal": median <see cref="MedianFlowBytes"/>, sigma <see cref="LogNormalSigma"/>, at most <see cref="MaxFlowBytes"/>.</summary>
    public string SizeModel { get; set; } = "pareto";
    public double MedianFlowBytes { get; set; } = 50_000;
    public double LogNormalSigma { get; set; } = 1.5;
    public double ParetoShape { get; set; } = 2.0;
    public double MinFlowBytes { get; set; } = 50_000;
    public double MaxFlowBytes { get; set; } = 500_000_000;
    /// <summary>No flow goes faster than this (the client's own link, the server, the application).</summary>
    public double FlowCapMbps { get; set; } = 10;
    /// <summary>Upload bytes per download byte of every flow (ACKs, requests, some uploads).</summary>
    public double UploadRatio { get; set; } = 0.1;
    /// <summary>Households differ: each node's share of the demand is log-normal with this sigma.</summary>
    public double NodeDemandSigma { get; set; } = 1.0;
    /// <summary>Step of the fluid model: rates are recomputed, flows advanced and new flows placed every step.</summary>
    public int FluidStepMs { get; set; } = 100;
    /// <summary>The daemon's loop: a replan at least this often (DaemonLoop.PolicyInterval) ...</summary>
    public int PolicyIntervalMs { get; set; } = 1_000;
    /// <summary>... and, after a summary or a member change, no sooner than this after the previous one (DaemonLoop.MinReplanSpacing).</summary>
    public int MinReplanSpacingMs { get; set; } = 100;
    /// <summary>The daemon samples WAN counters and flows this often (GatewayProbeScheduler).</summary>
    public int CounterSampleMs { get; set; } = 1_000;
    /// <summary>Nodes probe each gateway through its tunnel this often (TunnelPathProber); 0: no tunnel probes.</summary>
    public int TunnelProbeIntervalMs { get; set; } = 1_000;
    /// <summary>Size of a tunnel probe on the mesh (ICMP echo in WireGuard over UDP).</summary>
    public int TunnelProbeBytes { get; set; } = 124;
    /// <summary>Internet RTT of a healthy uplink, seen by the gateway's probes.</summary>
    public double ProbeRttMs { get; set; } = 12;
    /// <summary>Window of the moving average the step analysis judges (load shares are noisy per second).</summary>
    public int SmoothingSeconds { get; set; } = 30;
    /// <summary>"Within its share": |load share / capacity share − 1| at most this.</summary>
    public double Band { get; set; } = 0.10;

    /// <summary>The node side: weights, resilient group shape (buckets, idle timer), path quality.</summary>
    public PolicyOptions Policy { get; set; } = new();
    /// <summary>The gateway side: uplink judgement (targets are filled in per gateway) and load reporting.</summary>
    public UplinkMonitorOptions Uplink { get; set; } = new() { Targets = ["icmp:9.9.9.9", "icmp:1.1.1.1", "dns:8.8.8.8"] };
    public LoadReporterOptions Load { get; set; } = new() { CapacityDownBps = 1, CapacityUpBps = 1 };

    /// <summary>Every "Key=Value" text this instance was changed with, in order (for the report).</summary>
    public List<string> Overrides { get; } = [];

    public GatewayLink LinkOf(int slot) => Links[slot % Links.Count];

    /// <summary>The health options of one gateway: its capacity, everything else shared.</summary>
    public GatewayHealthOptions GatewayHealth(double downBps, double upBps) => new()
    {
        Uplink = Uplink,
        Load = new LoadReporterOptions
        {
            CapacityDownBps = (ulong)downBps,
            CapacityUpBps = (ulong)upBps,
            CounterBits = Load.CounterBits,
            SteadyIntervalMs = Load.SteadyIntervalMs,
            MinIntervalMs = Load.MinIntervalMs,
            SignificantLoadFraction = Load.SignificantLoadFraction,
            SignificantFlowFraction = Load.SignificantFlowFraction,
            SignificantFlowDelta = Load.SignificantFlowDelta,
            RateSmoothingMs = Load.RateSmoothingMs,
            ImplausibleRateFactor = Load.ImplausibleRateFactor,
        },
    };

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(Links is { Count: > 0 } && Links.All(l => l.DownMbps > 0 && l.UpMbps > 0), nameof(Links), "at least one link, with positive rates");
        e.Check(OfferedLoad is > 0 and <= 2, nameof(OfferedLoad), "must be in (0, 2]");
        e.Check(SizeModel is "pareto" or "lognormal", nameof(SizeModel), "must be pareto or lognormal");
        e.Check(MedianFlowBytes >= 100 && MedianFlowBytes < MaxFlowBytes, nameof(MedianFlowBytes), "must be at least 100 and below MaxFlowBytes");
        e.Check(LogNormalSigma is > 0 and <= 4, nameof(LogNormalSigma), "must be in (0, 4]");
        e.Check(ParetoShape is > 1 and <= 5, nameof(ParetoShape), "must be in (1, 5] (a finite mean)");
        e.Check(MinFlowBytes >= 100 && MaxFlowBytes > MinFlowBytes, nameof(MinFlowBytes), "must be at least 100 and below MaxFlowBytes");
        e.Check(FlowCapMbps is > 0 and <= 10_000, nameof(FlowCapMbps), "must be in (0, 10000]");
        e.Check(UploadRatio is >= 0 and <= 10, nameof(UploadRatio), "must be 0..10");
        e.Check(NodeDemandSigma is >= 0 and <= 4, nameof(NodeDemandSigma), "must be 0..4");
        e.Check(FluidStepMs is >= 10 and <= 1_000, nameof(FluidStepMs), "must be 10..1000");
        e.Check(PolicyIntervalMs is >= 100 and <= 60_000, nameof(PolicyIntervalMs), "must be 100..60000");
        e.Check(MinReplanSpacingMs >= 0 && MinReplanSpacingMs <= PolicyIntervalMs, nameof(MinReplanSpacingMs), "must be 0..PolicyIntervalMs");
        e.Check(CounterSampleMs is >= 100 and <= 60_000, nameof(CounterSampleMs), "must be 100..60000");
        e.Check(TunnelProbeIntervalMs is 0 or (>= 100 and <= 60_000), nameof(TunnelProbeIntervalMs), "must be 0 (off) or 100..60000");
        e.Check(TunnelProbeBytes is >= 28 and <= 1500, nameof(TunnelProbeBytes), "must be 28..1500");
        e.Check(ProbeRttMs is > 0 and < 1_000, nameof(ProbeRttMs), "must be in (0, 1000)");
        e.Check(SmoothingSeconds is >= 1 and <= 120, nameof(SmoothingSeconds), "must be 1..120");
        e.Check(Band is > 0 and < 1, nameof(Band), "must be in (0, 1)");
        e.AddNested(nameof(Policy), Policy.Validate());
        e.AddNested(nameof(Uplink), Uplink.Validate());
        e.AddNested(nameof(Load), GatewayHealth(1e6, 1e6).Load.Validate());
        return e.Errors;
    }

    public static readonly string[] Keys =
    [
        "OfferedLoad", "SizeModel", "MedianFlowBytes", "LogNormalSigma", "ParetoShape", "MinFlowBytes", "MaxFlowBytes", "FlowCapMbps", "UploadRatio", "NodeDemandSigma", "FluidStepMs",
        "PolicyIntervalMs", "TunnelProbeIntervalMs", "Band", "SmoothingSeconds",
        "Weights.ControllerTimeConstantMs", "Weights.BalanceIntervalMs", "Weights.DeadbandUtilisation", "Weights.HysteresisWeight",
        "Weights.SlowStartMs", "Weights.HoldDownBaseMs", "Weights.HoldDownMaxMs", "Weights.FloorShare", "Weights.GainJitterFraction", "Weights.CapacityStepHoldMs", "Weights.SlowStartSteps",
        "Weights.CorrectionTimeConstantMs", "Weights.CorrectionMemoryMs", "Weights.CorrectionLimit", "Weights.CorrectionStepHoldMs", "Weights.PersistentTimeConstantMs", "Weights.PersistentLimit", "Weights.PersistentThreshold",
        "Routing.Buckets", "Routing.IdleTimerSeconds", "PathQuality.DeadAfterLosses", "PathQuality.RttGain", "PathQuality.LossGain",
        "PathQuality.MaxDeadAfterLosses", "PathQuality.FalseDeadProbability", "PathQuality.DeadAfterSilenceMs", "PathQuality.RetryIntervalMs",
        "Weights.LossPenaltyExponent", "Weights.RttPenaltyReferenceMs", "Weights.MaxSummaryAgeMs",
        "Load.SteadyIntervalMs", "Load.MinIntervalMs", "Load.SignificantLoadFraction", "Load.RateSmoothingMs",
        "Uplink.UpHoldMs", "Uplink.FastDownMisses",
    ];

    /// <summary>Applies one "Key=Value" (explicit, no reflection); returns an error text or null.</summary>
    public string? Apply(string key, string value)
    {
        bool Int(out int i) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out i);
        bool Dbl(out double d) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out d);
        string bad = $"{key}: cannot parse '{value}'";
        var w = Policy.Weights;
        switch (key)
        {
            case "OfferedLoad": if (!Dbl(out var a)) return bad; OfferedLoad = a; break;
            case "SizeModel": if (value is not ("pareto" or "lognormal")) return bad; SizeModel = value; break;
            case "MedianFlowBytes": if (!Dbl(out var mf)) return bad; MedianFlowBytes = mf; break;
            case "LogNormalSigma": if (!Dbl(out var ls)) return bad; LogNormalSigma = ls; break;
            case "ParetoShape": if (!Dbl(out var b)) return bad; ParetoShape = b; break;
            case "MinFlowBytes": if (!Dbl(out var c)) return bad; MinFlowBytes = c; break;
            case "MaxFlowBytes": if (!Dbl(out var d)) return bad; MaxFlowBytes = d; break;
            case "FlowCapMbps": if (!Dbl(out var f)) return bad; FlowCapMbps = f; break;
            case "UploadRatio": if (!Dbl(out var g)) return bad; UploadRatio = g; break;
            case "NodeDemandSigma": if (!Dbl(out var h)) return bad; NodeDemandSigma = h; break;
            case "FluidStepMs": if (!Int(out var i)) return bad; FluidStepMs = i; break;
            case "PolicyIntervalMs": if (!Int(out var j)) return bad; PolicyIntervalMs = j; break;
            case "TunnelProbeIntervalMs": if (!Int(out var tp)) return bad; TunnelProbeIntervalMs = tp; break;
            case "Band": if (!Dbl(out var k)) return bad; Band = k; break;
            case "SmoothingSeconds": if (!Int(out var l)) return bad; SmoothingSeconds = l; break;
            case "Weights.ControllerTimeConstantMs": if (!Int(out var m)) return bad; w.ControllerTimeConstantMs = m; break;
            case "Weights.BalanceIntervalMs": if (!Int(out var n)) return bad; w.BalanceIntervalMs = n; break;
            case "Weights.DeadbandUtilisation": if (!Dbl(out var o)) return bad; w.DeadbandUtilisation = o; break;
            case "Weights.HysteresisWeight": if (!Int(out var p)) return bad; w.HysteresisWeight = p; break;
            case "Weights.SlowStartMs": if (!Int(out var q)) return bad; w.SlowStartMs = q; break;
            case "Weights.HoldDownBaseMs": if (!Int(out var r)) return bad; w.HoldDownBaseMs = r; break;
            case "Weights.HoldDownMaxMs": if (!Int(out var s)) return bad; w.HoldDownMaxMs = s; break;
            case "Weights.FloorShare": if (!Dbl(out var t)) return bad; w.FloorShare = t; break;
            case "Weights.GainJitterFraction": if (!Dbl(out var u)) return bad; w.GainJitterFraction = u; break;
            case "Weights.CapacityStepHoldMs": if (!Int(out var ch)) return bad; w.CapacityStepHoldMs = ch; break;
            case "Weights.SlowStartSteps": if (!Int(out var ss)) return bad; w.SlowStartSteps = ss; break;
            case "Weights.CorrectionTimeConstantMs": if (!Int(out var ct)) return bad; w.CorrectionTimeConstantMs = ct; break;
            case "Weights.CorrectionMemoryMs": if (!Int(out var cm)) return bad; w.CorrectionMemoryMs = cm; break;
            case "Weights.CorrectionLimit": if (!Dbl(out var cl)) return bad; w.CorrectionLimit = cl; break;
            case "Weights.CorrectionStepHoldMs": if (!Int(out var cs)) return bad; w.CorrectionStepHoldMs = cs; break;
            case "Weights.PersistentTimeConstantMs": if (!Int(out var pt)) return bad; w.PersistentTimeConstantMs = pt; break;
            case "Weights.PersistentLimit": if (!Dbl(out var pli)) return bad; w.PersistentLimit = pli; break;
            case "Weights.PersistentThreshold": if (!Dbl(out var pth)) return bad; w.PersistentThreshold = pth; break;
            case "Routing.Buckets": if (!Int(out var v)) return bad; Policy.Routing.Buckets = v; break;
            case "Routing.IdleTimerSeconds": if (!Int(out var x)) return bad; Policy.Routing.IdleTimerSeconds = x; break;
            case "PathQuality.DeadAfterLosses": if (!Int(out var pq)) return bad; Policy.PathQuality.DeadAfterLosses = pq; break;
            case "PathQuality.RttGain": if (!Dbl(out var pr)) return bad; Policy.PathQuality.RttGain = pr; break;
            case "PathQuality.LossGain": if (!Dbl(out var pl)) return bad; Policy.PathQuality.LossGain = pl; break;
            case "PathQuality.MaxDeadAfterLosses": if (!Int(out var pm)) return bad; Policy.PathQuality.MaxDeadAfterLosses = pm; break;
            case "PathQuality.FalseDeadProbability": if (!Dbl(out var pf)) return bad; Policy.PathQuality.FalseDeadProbability = pf; break;
            case "PathQuality.DeadAfterSilenceMs": if (!Int(out var ps)) return bad; Policy.PathQuality.DeadAfterSilenceMs = ps; break;
            case "PathQuality.RetryIntervalMs": if (!Int(out var pi)) return bad; Policy.PathQuality.RetryIntervalMs = pi; break;
            case "Weights.LossPenaltyExponent": if (!Int(out var le)) return bad; w.LossPenaltyExponent = le; break;
            case "Weights.RttPenaltyReferenceMs": if (!Dbl(out var rr)) return bad; w.RttPenaltyReferenceMs = rr; break;
            case "Weights.MaxSummaryAgeMs": if (!Int(out var ms)) return bad; w.MaxSummaryAgeMs = ms; break;
            case "Load.SteadyIntervalMs": if (!Int(out var y)) return bad; Load.SteadyIntervalMs = y; break;
            case "Load.MinIntervalMs": if (!Int(out var z)) return bad; Load.MinIntervalMs = z; break;
            case "Load.SignificantLoadFraction": if (!Dbl(out var aa)) return bad; Load.SignificantLoadFraction = aa; break;
            case "Load.RateSmoothingMs": if (!Int(out var ab)) return bad; Load.RateSmoothingMs = ab; break;
            case "Uplink.UpHoldMs": if (!Int(out var ac)) return bad; Uplink.UpHoldMs = ac; break;
            case "Uplink.FastDownMisses": if (!Int(out var ad)) return bad; Uplink.FastDownMisses = ad; break;
            default: return $"unknown traffic option '{key}' (known: {string.Join(", ", Keys)})";
        }
        Overrides.Add($"{key}={value}");
        return null;
    }

    /// <summary>Applies "Key=Value,Key=Value"; returns an error text or null (then the options are also valid).</summary>
    public string? ApplyAll(string settings)
    {
        foreach (var part in settings.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) return $"'{part}' is not Key=Value";
            string? error = Apply(part[..eq], part[(eq + 1)..]);
            if (error is not null) return error;
        }
        var invalid = Validate();
        return invalid.Count == 0 ? null : string.Join("; ", invalid);
    }
}
