using Evernet.Sim.Running;

namespace Evernet.Sim.Tests;

public sealed class DeterminismTests
{
    [Fact]
    public void The_same_seed_gives_the_same_trace_byte_for_byte()
    {
        var a = SimRun.One("uplink-outage", nodes: 20, duration: TimeSpan.FromSeconds(40), seed: 7);
        var b = SimRun.One("uplink-outage", nodes: 20, duration: TimeSpan.FromSeconds(40), seed: 7);
        Assert.True(a.TraceRecords > 10_000, $"only {a.TraceRecords} trace records");
        Assert.Equal(a.TraceHash, b.TraceHash);
        Assert.Equal(a.TraceRecords, b.TraceRecords);
        Assert.Equal(a.FailoverMs, b.FailoverMs);
        Assert.Equal(a.DisseminationMs, b.DisseminationMs);
    }

    [Fact]
    public void Another_seed_gives_another_trace()
    {
        var a = SimRun.One("lossy-steady", nodes: 20, duration: TimeSpan.FromSeconds(10), seed: 1);
        var b = SimRun.One("lossy-steady", nodes: 20, duration: TimeSpan.FromSeconds(10), seed: 2);
        Assert.NotEqual(a.TraceHash, b.TraceHash);
    }

    [Fact]
    public void Seeds_run_in_parallel_give_the_same_results_as_one_by_one()
    {
        var config = SimRun.Config("lossy-steady", nodes: 15, duration: TimeSpan.FromSeconds(10), seeds: 3, seed: 11);
        var parallel = ScenarioRunner.RunAll(config with { Parallelism = 2 });
        var serial = ScenarioRunner.RunAll(config with { Parallelism = 1 });
        Assert.Equal(serial.Select(r => r.Seed), parallel.Select(r => r.Seed));
        Assert.Equal(serial.Select(r => r.TraceHash), parallel.Select(r => r.TraceHash));
    }

    [Fact]
    public void The_readable_trace_is_written_and_identical_for_the_same_seed()
    {
        string Trace()
        {
            var writer = new StringWriter();
            ScenarioRunner.RunSeed(SimRun.Config("lossy-steady", nodes: 10, duration: TimeSpan.FromSeconds(5)), 3, writer);
            return writer.ToString();
        }
        string first = Trace();
        Assert.Contains(" deliver ", first);
        Assert.Contains(" timeout ", first);
        Assert.Contains("MemberStateChanged", first);
        Assert.Equal(first, Trace());
    }
}
