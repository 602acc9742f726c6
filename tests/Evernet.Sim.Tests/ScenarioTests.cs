using Evernet.Sim.Running;

namespace Evernet.Sim.Tests;

/// <summary>
/// Each scenario at small size against the real core, asserting the figures with margin. Each runs a few
/// seconds. Tests skipped here fail today because of a core defect named in the skip reason (with the reproducing seed).
/// </summary>
public sealed class ScenarioTests
{
    [Fact]
    public void Uplink_outage_fails_over_well_within_half_a_second()
    {
        var r = SimRun.One("uplink-outage", nodes: 25, seed: 1);
        Assert.True(r.WarmupConverged, SimRun.Describe(r));
        Assert.Equal(3, r.FailoverMs.Count);
        Assert.Equal(0, r.FailoverUndetected);
        Assert.All(r.FailoverMs, ms => Assert.InRange(ms, 0, 300));
        Assert.Equal(3, r.RecoveryMs.Count);
        Assert.True(r.Converged, SimRun.Describe(r));
        Assert.True(r.DisseminationMs.Count > 0);
    }

    [Fact]
    public void Gateway_crash_is_noticed_by_every_node_within_1500_ms()
    {
        var r = SimRun.One("gateway-crash", nodes: 25, seed: 2);
        Assert.Equal(3, r.FailoverMs.Count);
        Assert.Equal(0, r.FailoverUndetected);
        Assert.All(r.FailoverMs, ms => Assert.InRange(ms, 0, 1500));
        Assert.True(r.Converged, SimRun.Describe(r));
    }

    [Fact]
    public void Forged_and_replayed_items_are_all_rejected_and_nothing_of_the_attackers_is_accepted()
    {
        var r = SimRun.One("forged-and-replayed", nodes: 25, seed: 3);
        Assert.Equal(0, r.Extras["attacker_accepted"]);
        Assert.Equal(0, r.Extras["attacker_in_snapshots"]);
        Assert.Equal(0, r.Extras["summary_rollbacks"]);
        Assert.True(r.Extras["replayed_verbatim"] > 0 && r.Extras["replayed_spoofed"] > 0 && r.Extras["replayed_tampered"] > 0 && r.Extras["replayed_rewrapped"] > 0,
            SimRun.Describe(r));
        Assert.True(r.Extras.GetValueOrDefault("attack_rejected.UnknownAuthority") > 0, SimRun.Describe(r));
        Assert.True(r.Extras.GetValueOrDefault("attack_rejected.Stale") > 0, SimRun.Describe(r));
        Assert.True(r.Extras["attack_rejected_total"] > 100, SimRun.Describe(r));
        Assert.True(r.Converged, SimRun.Describe(r));
    }

    [Fact]
    public void A_partitioned_village_notices_lost_gateways_and_the_mesh_reconverges_after_healing()
    {
        var r = SimRun.One("partition-heal", nodes: 30, seed: 1);
        Assert.Equal(0, r.Extras["partition_undetected_probes"]);
        Assert.InRange(r.Extras["partition_detect_ms"], 1, 1500);
        // Reconnect pings to dead members and stale verdicts answered with the current record: seconds, not push-pull rounds.
        Assert.InRange(r.Extras["heal_ms"], 0, 15_000);
        Assert.True(r.Converged, SimRun.Describe(r));
        Assert.Equal(0, r.FalseDead);
        Assert.Equal(0, r.FalseUnusable); // a stale death verdict pulled after healing does not outweigh our own gateway acks
    }

    [Fact]
    public void Chaos_faults_settle_once_restored()
    {
        var r = SimRun.One("chaos", nodes: 25, seed: 1);
        Assert.True(r.Converged, SimRun.Describe(r));
    }

    [Fact]
    public void Lossy_steady_at_2_percent_declares_nobody_dead()
    {
        var r = SimRun.One("lossy-steady", nodes: 25, duration: TimeSpan.FromMinutes(2), seed: 1);
        Assert.Equal(0, r.FalseDead);
        Assert.Equal(0, r.FalseUnusable);
        Assert.True(r.Converged, SimRun.Describe(r));
    }

    [Fact]
    public void Churn_ends_converged()
    {
        var r = SimRun.One("churn", nodes: 25, duration: TimeSpan.FromMinutes(3), seed: 1);
        Assert.True(r.Converged, SimRun.Describe(r));
        Assert.Equal(0, r.FalseDead);
        Assert.Equal(0, r.Extras["rejoin_incomplete"]);
        Assert.InRange(r.Extras["rejoin_ms_p50"], 0, 2_000);
    }
}
