using System.Globalization;
using System.Text.Json;
using Evernet.Sim.Cli;
using Evernet.Sim.Engine;
using Evernet.Sim.Network;
using Evernet.Sim.Reporting;
using Evernet.Sim.Running;
using Evernet.Sim.Scenarios;

namespace Evernet.Sim;

internal static class Program
{
    private const string Help = """
        evernet-sim: runs many real Evernet gossip cores on virtual time, deterministically.
          evernet-sim scenarios                 list the scenarios
          evernet-sim run SCENARIO [options]    run one (see `evernet-sim run --help`)
          evernet-sim topology [options]        print path statistics of a generated topology
        """;

    private static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Help);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "scenarios" => ListScenarios(),
                "run" => Run(args[1..]),
                "topology" => Topology(args[1..]),
                _ => Fail($"unknown command '{args[0]}'\n{Help}"),
            };
        }
        catch (SimulationException ex)
        {
            Console.Error.WriteLine($"evernet-sim: the core failed: {ex.Message}\n{ex.InnerException}");
            return 3;
        }
    }

    private static int ListScenarios()
    {
        foreach (var s in ScenarioCatalog.All)
            Console.WriteLine($"{s.Name,-22}{s.Description}");
        return 0;
    }

    private static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(RunArguments.Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var parsed = RunArguments.Parse(args);
        if (parsed.Error is not null) return Fail(parsed.Error + "\n" + RunArguments.Usage);
        var config = parsed.Config!;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var progressLock = new object();
        Action<string>? progress = config.Progress ? line => { lock (progressLock) Console.Error.WriteLine(line); } : null;
        using var allocations = Environment.GetEnvironmentVariable("EVERNET_SIM_ALLOCATIONS") == "1" ? new Diagnostics.AllocationSampler() : null;
        var results = ScenarioRunner.RunAll(config, progress);
        allocations?.Print(Console.Error);
        var report = SimReport.Merge(config, OptionOverrides.Describe(config.Options()), results, wall.Elapsed.TotalSeconds);
        Console.Write(ReportPrinter.Render(report));
        if (parsed.JsonPath is not null)
        {
            File.WriteAllText(parsed.JsonPath, JsonSerializer.Serialize(report, ReportJsonContext.Default.SimReport));
            Console.WriteLine($"  json written to {parsed.JsonPath}");
        }
        return 0;
    }

    private static int Topology(string[] args)
    {
        var parsed = RunArguments.Parse(["lossy-steady", .. args]);
        if (parsed.Error is not null) return Fail(parsed.Error);
        var config = parsed.Config!;
        var topology = TopologyGenerator.Generate(config.Topology, SeedDerivation.Derive(config.Seed, SeedDerivation.Topology));
        var stats = TopologyStats.Measure(topology, config.Seed);
        Console.WriteLine(topology.Description);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{stats.Nodes} nodes, {stats.Links} links, {stats.AverageHops:0.##} hops on average (max {stats.MaxHops}), {stats.AverageHopsToNearestGateway:0.##} hops to the nearest gateway, {stats.AverageLatencyMs:0.##} ms average path latency; partition side {topology.PartitionSide.Length} nodes"));
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("evernet-sim: " + message);
        return 2;
    }
}
