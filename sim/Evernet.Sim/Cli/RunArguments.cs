using System.Globalization;
using Evernet.Gossip;
using Evernet.Sim.Network;
using Evernet.Sim.Running;
using Evernet.Sim.Scenarios;
using Evernet.Sim.Time;

namespace Evernet.Sim.Cli;

/// <summary>Parses `run SCENARIO [options]` (plain parsing: a handful of flags, no dependency needed).</summary>
public sealed class RunArguments
{
    public const string Usage = """
        usage: evernet-sim run SCENARIO [options]
          --nodes N              nodes in total, gateways included (default 103)
          --gateways G           gateways (default 3)
          --loss P               per-hop loss of mesh links, 0.02 or 2% (default 2%)
          --backbone-loss P      per-hop loss of backbone links (evernet topology; default 0.1%)
          --topology T           evernet | geometric | full (default evernet)
          --seed S               first seed (default 1)
          --seeds K              run seeds S..S+K-1 (default 1)
          --duration D           measured phase after warm-up, e.g. 90s, 10m, 1h (default: per scenario)
          --probe-interval D     GatewayProbeInterval; also sets GatewayRoundTimeout=D and GatewayProbeTimeout=0.4*D
          --swim-interval D      ProbeInterval; also sets ProbeTimeout=0.4*D
          --summary-interval D   how often gateway hosts publish (default 5s)
          --set Key=Value        any GossipOptions property (repeatable)
          --warmup-max D         give up warming up after D (default 3m)
          --settle D             after the run, how long the mesh may take to agree before it is called not converged (default 15s; 0 = judge at once)
          --warm-restart         restarted nodes get the state they exported when they crashed
          --bandwidth            model link bandwidth and queues
          --parallel N           seeds run in parallel (default: min(seeds, cores))
          --lanes N              threads per seed (default: the cores the parallel seeds leave, from 500 nodes on; same trace for any N)
          --json FILE            write the report as JSON
          --trace FILE           write the readable event trace (FILE.seedS with several seeds)
          --quiet                no progress lines on stderr
        """;

    public RunConfig? Config { get; private set; }
    public string? JsonPath { get; private set; }
    public string? Error { get; private set; }

    public static RunArguments Parse(IReadOnlyList<string> args)
    {
        var result = new RunArguments();
        result.Error = result.Fill(args);
        return result;
    }

    private string? Fill(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return "missing scenario name";
        string scenario = args[0];
        if (ScenarioCatalog.Create(scenario) is null) return $"unknown scenario '{scenario}' (known: {string.Join(", ", ScenarioCatalog.Names)})";
        int nodes = 103, gateways = 3, seeds = 1, parallel = 0, lanes = 0;
        double loss = 0.02, backboneLoss = 0.001;
        ulong seed = 1;
        var kind = TopologyKind.Evernet;
        TimeSpan? duration = null, summary = null, warmup = null, probe = null, swim = null, settle = null;
        bool warmRestart = false, bandwidth = false, quiet = false;
        string? trace = null;
        var sets = new List<(string, string)>();
        for (int i = 1; i < args.Count; i++)
        {
            string flag = args[i];
            string? Next() => i + 1 < args.Count ? args[++i] : null;
            string? value;
            switch (flag)
            {
                case "--nodes": if (!TryInt(Next(), 2, 100_000, out nodes)) return "--nodes needs an integer 2..100000"; break;
                case "--gateways": if (!TryInt(Next(), 1, 64, out gateways)) return "--gateways needs an integer 1..64"; break;
                case "--seeds": if (!TryInt(Next(), 1, 10_000, out seeds)) return "--seeds needs an integer 1..10000"; break;
                case "--parallel": if (!TryInt(Next(), 1, 256, out parallel)) return "--parallel needs an integer 1..256"; break;
                case "--lanes": if (!TryInt(Next(), 1, 64, out lanes)) return "--lanes needs an integer 1..64"; break;
                case "--seed":
                    if (!ulong.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out seed)) return "--seed needs a non-negative integer";
                    break;
                case "--loss": if (!TryProbability(Next(), out loss)) return "--loss needs a probability in [0,1) such as 0.02 or 2%"; break;
                case "--backbone-loss": if (!TryProbability(Next(), out backboneLoss)) return "--backbone-loss needs a probability in [0,1)"; break;
                case "--topology":
                    value = Next();
                    if (!Enum.TryParse(value, ignoreCase: true, out kind) || !Enum.IsDefined(kind)) return "--topology is evernet, geometric or full";
                    break;
                case "--duration": if (!TryDuration(Next(), out var d)) return "--duration needs a duration such as 90s or 1h"; duration = d; break;
                case "--summary-interval": if (!TryDuration(Next(), out var s)) return "--summary-interval needs a duration"; summary = s; break;
                case "--warmup-max": if (!TryDuration(Next(), out var w)) return "--warmup-max needs a duration"; warmup = w; break;
                case "--settle":
                    if (Next() is not { } st || !DurationParser.TryParse(st, out var sd)) return "--settle needs a duration such as 15s or 0";
                    settle = sd;
                    break;
                case "--probe-interval": if (!TryDuration(Next(), out var p)) return "--probe-interval needs a duration"; probe = p; break;
                case "--swim-interval": if (!TryDuration(Next(), out var sw)) return "--swim-interval needs a duration"; swim = sw; break;
                case "--set":
                    value = Next();
                    int eq = value?.IndexOf('=') ?? -1;
                    if (value is null || eq <= 0) return "--set needs Key=Value";
                    sets.Add((value[..eq], value[(eq + 1)..]));
                    break;
                case "--warm-restart": warmRestart = true; break;
                case "--bandwidth": bandwidth = true; break;
                case "--quiet": quiet = true; break;
                case "--json": JsonPath = Next() ?? ""; if (JsonPath.Length == 0) return "--json needs a file"; break;
                case "--trace": trace = Next(); if (string.IsNullOrEmpty(trace)) return "--trace needs a file"; break;
                default: return $"unknown option '{flag}'";
            }
        }
        if (gateways >= nodes) return "--gateways must be smaller than --nodes";
        // Validate the option overrides once, up front, so that a typo fails before a long run.
        var probeOptions = BuildOptions(probe, swim, sets, out var optionError);
        if (optionError is not null) return optionError;
        var invalid = probeOptions.Validate();
        if (invalid.Count > 0) return "invalid gossip options: " + string.Join("; ", invalid);
        Config = new RunConfig(
            scenario,
            new TopologyOptions(kind, nodes, gateways, loss, backboneLoss, bandwidth),
            () => BuildOptions(probe, swim, sets, out _),
            seed,
            seeds,
            duration,
            summary,
            warmup,
            warmRestart,
            trace,
            parallel > 0 ? parallel : Math.Min(seeds, Environment.ProcessorCount),
            !quiet,
            settle,
            lanes);
        return null;
    }

    private static GossipOptions BuildOptions(TimeSpan? probe, TimeSpan? swim, List<(string Key, string Value)> sets, out string? error)
    {
        error = null;
        var o = new GossipOptions();
        if (probe is { } p)
        {
            o.GatewayProbeInterval = p;
            o.GatewayRoundTimeout = p;
            o.GatewayProbeTimeout = TimeSpan.FromTicks(p.Ticks * 2 / 5);
        }
        if (swim is { } s)
        {
            o.ProbeInterval = s;
            o.ProbeTimeout = TimeSpan.FromTicks(s.Ticks * 2 / 5);
        }
        foreach (var (key, value) in sets)
        {
            error = OptionOverrides.Apply(o, key, value);
            if (error is not null) return o;
        }
        return o;
    }

    private static bool TryInt(string? s, int min, int max, out int value) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TryDuration(string? s, out TimeSpan d)
    {
        d = default;
        return s is not null && DurationParser.TryParse(s, out d) && d > TimeSpan.Zero;
    }

    public static bool TryProbability(string? s, out double p)
    {
        p = 0;
        if (string.IsNullOrWhiteSpace(s)) return false;
        bool percent = s.EndsWith('%');
        if (!double.TryParse(percent ? s[..^1] : s, NumberStyles.Float, CultureInfo.InvariantCulture, out p)) return false;
        if (percent) p /= 100;
        return p >= 0 && p < 1;
    }
}
