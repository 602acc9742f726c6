using Evernet.Gossip.Identity;

namespace Evernet.Policy.Tests;

public sealed class PolicyEngineTests
{
    [Fact]
    public void A_dead_tunnel_path_zeroes_the_gateway_at_once_and_it_slow_starts_when_the_path_returns()
    {
        var engine = new PolicyEngine(new PolicyOptions(), Mesh.Local("node", NodeRoles.Node, "192.168.1.0/24"));
        var a = Mesh.Id("a");
        long t = Mesh.Now;
        var view = Mesh.Healthy(t, "node", ("a", 100, 0), ("b", 100, 0));
        var first = engine.Update(view, t);
        Assert.Equal(500, first.Weights!.WeightOf(a));

        // A clean path: five losses in a row (the retries come every 200 ms) and two seconds without a reply.
        engine.RecordPathSample(a, t, PathSample.Reply(4));
        for (int i = 1; i <= 4; i++) engine.RecordPathSample(a, t + 1_000 + i * 200, PathSample.Lost);
        Assert.NotEqual(0, engine.Update(view with { AtUnixMs = t + 1_800 }, t + 1_800).Weights!.WeightOf(a));
        engine.RecordPathSample(a, t + 2_000, PathSample.Lost);
        var dead = engine.Update(view with { AtUnixMs = t + 2_000 }, t + 2_000);
        Assert.Equal(0, dead.Weights!.WeightOf(a));
        Assert.Equal("PathDead", dead.Weights.Gateways.Single(g => g.Gateway == a).Reason);
        Assert.Single(dead.Dataplane.DefaultRoute!.Nexthops);
        Assert.Equal(2, dead.Dataplane.Interfaces.Length);   // the tunnel stays for the failback
        Assert.NotEqual(first.Dataplane, dead.Dataplane);

        engine.RecordPathSample(a, t + 2_200, PathSample.Reply(4));
        var back = engine.Update(view with { AtUnixMs = t + 2_200 }, t + 2_200);
        Assert.InRange(back.Weights!.WeightOf(a), 1, 100);   // slow start
        var later = engine.Update(view with { AtUnixMs = t + 40_000 }, t + 40_000);
        Assert.InRange(later.Weights!.WeightOf(a), 490, 510);
    }

    [Fact]
    public void Two_nodes_with_the_same_view_and_seed_plan_the_same_dataplane()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 40), ("b", 50, 10));
        var one = new PolicyEngine(new PolicyOptions(), Mesh.Local("node", NodeRoles.Node, "192.168.1.0/24"));
        var two = new PolicyEngine(new PolicyOptions(), Mesh.Local("node", NodeRoles.Node, "192.168.1.0/24"));
        for (long t = Mesh.Now; t < Mesh.Now + 60_000; t += 1000)
            Assert.Equal(one.Update(view with { AtUnixMs = t }, t).Dataplane, two.Update(view with { AtUnixMs = t }, t).Dataplane);
    }

    [Fact]
    public void Invalid_options_are_refused_up_front()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PolicyEngine(new PolicyOptions { Weights = new WeightOptions { Total = 1 } }, Mesh.Local("n", NodeRoles.Node)));
        Assert.Contains("Weights:Total", ex.Message);
    }
}
