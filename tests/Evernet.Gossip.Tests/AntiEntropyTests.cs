using Evernet.Gossip.Records;
using Evernet.Gossip.Tests.Harness;
using Evernet.Gossip.Wire;

namespace Evernet.Gossip.Tests;

/// <summary>Push-pull after start with PushPullSummaries: range hashes first, digests only for ranges that differ.</summary>
public sealed class AntiEntropyTests
{
    private static MiniMesh Settled()
    {
        var mesh = new MiniMesh(8, 2, seed: 3, new GossipOptions { PushPullSummaries = true });
        mesh.StartAll();
        for (int g = 0; g < 2; g++) mesh.PublishSummary(g, UplinkState.Up);
        // Past the fast exchanges of the start (2 s, 8 s, 15 s after the first) and one whole interval.
        mesh.RunFor(TimeSpan.FromSeconds(70));
        return mesh;
    }

    private static int Count(MiniMesh mesh, MessageType type) => mesh.Sent.Count(s => s.Payload.Length > 3 && s.Payload[3] == (byte)type);

    [Fact]
    public void Members_that_agree_exchange_one_summary_and_nothing_else()
    {
        using var mesh = Settled();
        Assert.Single(mesh.Slots.Select(s => s.Node.StateFingerprint()).Distinct());
        mesh.Record = true;
        mesh.RunFor(TimeSpan.FromSeconds(90));
        int summaries = Count(mesh, MessageType.PushPullSummary);
        Assert.InRange(summaries, 8 * 2, 8 * 4); // each node starts one exchange per 30 s
        Assert.Equal(0, Count(mesh, MessageType.PushPullDigest));
        Assert.Equal(0, Count(mesh, MessageType.PushPullRecords));
        Assert.All(mesh.Slots, s => Assert.Equal(0, s.Node.Counters.PushPullRangesDiffering));
    }

    [Fact]
    public void A_member_that_missed_an_update_gets_it_through_a_differing_range()
    {
        using var mesh = Settled();
        // Node 7 hears nothing while node 2 leaves and the epidemic of its left record runs its course. (A gateway's
        // new summary would not do: node 7's gateway probes ask for it by version and the ack carries it.)
        mesh.Drop = (_, to) => to == 7;
        mesh.Slots[2].Node.Leave();
        mesh.Pump(mesh.Slots[2]);
        mesh.Crash(2);
        mesh.RunFor(TimeSpan.FromSeconds(4));
        mesh.Drop = (_, _) => false;
        Assert.NotEqual(mesh.Slots[0].Node.StateFingerprint(), mesh.Slots[7].Node.StateFingerprint());

        mesh.Record = true;
        mesh.RunFor(TimeSpan.FromSeconds(65));
        var prints = mesh.Live.Select(s => s.Node.StateFingerprint()).ToList();
        Assert.True(prints.Distinct().Count() == 1, string.Join("\n----\n", prints.Select((p, i) => i + ": " + p)));
        var left = mesh.Slots[2].Node.Id;
        Assert.Equal(Evernet.Gossip.View.MemberState.Left, mesh.Slots[7].Node.Snapshot().Members.Single(m => m.Id == left).State);
        Assert.True(mesh.Slots.Sum(s => s.Node.Counters.PushPullRangesDiffering) > 0, "no summary found a differing range");
        Assert.True(Count(mesh, MessageType.PushPullDigest) > 0);
    }
}
