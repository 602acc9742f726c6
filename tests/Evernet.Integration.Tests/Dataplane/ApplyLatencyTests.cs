using System.Diagnostics;
using Evernet.Dataplane;
using Xunit.Abstractions;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>How long an apply takes against real tools in a namespace (printed; bounded loosely so load cannot make it flaky).</summary>
public sealed class ApplyLatencyTests(ITestOutputHelper output)
{
    [DataplaneFact]
    public async Task Weight_changes_reach_the_kernel_well_under_a_second()
    {
        using var lab = GatewayLab.Create("lt");
        var applier = new DataplaneApplier(lab.RouterRunner());
        var first = await applier.ApplyAsync(lab.Desired(1, 1));
        Assert.True(first.Succeeded);

        var noOps = new List<double>();
        var changes = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var change = await applier.ApplyAsync(lab.Desired(1 + (i % 2), 2 - (i % 2)));
            changes.Add(stopwatch.Elapsed.TotalMilliseconds);
            Assert.Equal(2, change.Mutations); // the IPv4 and the IPv6 group

            stopwatch.Restart();
            var noOp = await applier.ApplyAsync(lab.Desired(1 + (i % 2), 2 - (i % 2)));
            noOps.Add(stopwatch.Elapsed.TotalMilliseconds);
            Assert.Equal(0, noOp.Mutations);
        }

        output.WriteLine($"first apply (2 wireguard-go tunnels, group, rule): {first.Duration.TotalMilliseconds:0} ms, {first.Commands} commands");
        output.WriteLine($"weight change: median {Median(changes):0.0} ms, max {changes.Max():0.0} ms");
        output.WriteLine($"no-op reconcile: median {Median(noOps):0.0} ms, max {noOps.Max():0.0} ms");
        Assert.True(Median(changes) < 1000, $"median weight-change apply {Median(changes):0} ms");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
