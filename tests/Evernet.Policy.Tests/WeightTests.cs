using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Policy.Tests;

public sealed class WeightTests
{
    private static readonly WeightOptions Defaults = new();
    private const ulong Seed = 42;

    private static WeightResult Compute(MeshView view, WeightState? previous = null, PathQualitySnapshot? paths = null, WeightOptions? options = null, long? now = null) =>
        WeightCalculator.Compute(view, paths ?? PathQualitySnapshot.Empty, options ?? Defaults, previous ?? WeightState.Initial, now ?? view.AtUnixMs, Seed);

    [Fact]
    public void Idle_gateways_get_capacity_proportional_weights()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 0), ("b", 50, 0), ("c", 50, 0));
        var r = Compute(view);
        Assert.Equal(500, r.WeightOf(Mesh.Id("a")));
        Assert.Equal(250, r.WeightOf(Mesh.Id("b")));
        Assert.Equal(250, r.WeightOf(Mesh.Id("c")));
        Assert.True(r.Changed);
    }

    public static TheoryData<string> UnusableCases => new() { "view", "uplink-down", "draining", "path-dead", "revoked", "expired", "no-summary", "not-a-member", "no-gateway-role" };

    [Theory]
    [MemberData(nameof(UnusableCases))]
    public void An_unusable_gateway_drops_to_zero_at_once(string why)
    {
        long t = Mesh.Now;
        var healthy = Mesh.Healthy(t, "node", ("a", 100, 0), ("b", 100, 0), ("c", 100, 0));
        var state = Compute(healthy, now: t).State;
        Assert.InRange(Compute(healthy, state, now: t + 1000).WeightOf(Mesh.Id("b")), 333 - 1, 333 + 1);

        var paths = PathQualitySnapshot.Empty;
        var b = healthy.Gateways.Single(g => g.Name == "b");
        var members = healthy.Members;
        var revocations = ImmutableArray<Revocation>.Empty;
        switch (why)
        {
            case "view": b = b with { Usable = false, Reason = UsabilityReason.Unreachable }; break;
            case "uplink-down": b = b with { Summary = b.Summary! with { Uplink = UplinkState.Down } }; break;
            case "draining": b = b with { Summary = b.Summary! with { Draining = true } }; break;
            case "path-dead":
                paths = new PathQualitySnapshot(ImmutableSortedDictionary<NodeId, PathEstimate>.Empty.Add(b.Id, new PathEstimate(b.Id, 5, 0.3, 3, true, t, 10)));
                break;
            case "revoked": revocations = [Mesh.Revoke("b")]; break;
            case "expired":
                members = [.. members.Select(m => m.Name == "b" ? m with { Record = m.Record with { Certificate = m.Record.Certificate with { NotAfterUnixSeconds = t / 1000 - 1 } } } : m)];
                break;
            case "no-summary": b = b with { Summary = null }; break;
            case "not-a-member": members = [.. members.Where(m => m.Name != "b")]; break;
            case "no-gateway-role":
                members = [.. members.Select(m => m.Name == "b" ? m with { Record = m.Record with { Certificate = m.Record.Certificate with { Roles = NodeRoles.Node } } } : m)];
                break;
        }
        var broken = healthy with { AtUnixMs = t + 2000, Members = members, Revocations = revocations, Gateways = [.. healthy.Gateways.Select(g => g.Name == "b" ? b : g)] };
        var r = Compute(broken, state, paths, now: t + 2000);
        Assert.Equal(0, r.WeightOf(Mesh.Id("b")));
        Assert.Equal(Defaults.Total, r.TotalWeight);
        Assert.InRange(r.WeightOf(Mesh.Id("a")), 500 - 1, 500 + 1);
        Assert.True(r.Changed);
        Assert.False(r.Gateways.Single(g => g.Name == "b").Usable);
    }

    [Fact]
    public void Nothing_usable_means_all_zero()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 0), ("b", 100, 0));
        view = view with { Gateways = [.. view.Gateways.Select(g => g with { Summary = g.Summary! with { Uplink = UplinkState.Down } })] };
        var r = Compute(view);
        Assert.Equal(0, r.TotalWeight);
        Assert.All(r.Gateways, g => Assert.Equal(0, g.Weight));
    }

    [Fact]
    public void A_recovering_gateway_ramps_up_over_the_slow_start_period()
    {
        long t = Mesh.Now;
        var healthy = Mesh.Healthy(t, "node", ("a", 100, 0), ("b", 100, 0));
        MeshView At(long at, bool bUp) => healthy with
        {
            AtUnixMs = at,
            Gateways = [.. healthy.Gateways.Select(g => g.Name == "b" && !bUp ? g with { Summary = g.Summary! with { Uplink = UplinkState.Down } } : g with { Summary = g.Summary! with { TimestampUnixMs = at } })],
        };
        var state = Compute(At(t, bUp: false)).State;
        Assert.Equal(1000, state.Gateways[Mesh.Id("a")].Weight);
        long back = t + 5_000;
        var series = new List<int>();
        for (long at = back; at <= back + 40_000; at += 1_000)
        {
            var r = Compute(At(at, bUp: true), state);
            state = r.State;
            series.Add(r.WeightOf(Mesh.Id("b")));
            Assert.Equal(1000, r.TotalWeight);
        }
        // Starts at the initial fraction (5 % of its 50 % share, relative to a's full share), ends at its full share.
        Assert.InRange(series[0], 20, 60);
        Assert.InRange(series[^1], 495, 505);
        Assert.True(series.Zip(series.Skip(1)).All(p => p.Second >= p.First), string.Join(",", series));
        // Half way through the ramp it is clearly below its share.
        Assert.InRange(series[15], 250, 450);
    }

    [Fact]
    public void A_node_starting_up_does_not_slow_start_gateways_that_have_long_been_usable()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 0), ("b", 100, 0));
        var r = Compute(view);
        Assert.Equal(500, r.WeightOf(Mesh.Id("a")));
        Assert.All(r.Gateways, g => Assert.Equal(1.0, g.RampFactor));
    }

    [Fact]
    public void A_flapping_gateway_is_held_down_before_it_gets_weight_again()
    {
        long t = Mesh.Now;
        var healthy = Mesh.Healthy(t, "node", ("a", 100, 0), ("b", 100, 0));
        MeshView At(long at, bool bUp) => healthy with
        {
            AtUnixMs = at,
            Gateways = [.. healthy.Gateways.Select(g => g.Name == "b" && !bUp ? g with { Usable = false, Reason = UsabilityReason.Unreachable } : g)],
        };
        var state = Compute(At(t, true)).State;
        long at = t;
        // Flap: down 1 s, up 1 s, three times.
        for (int i = 0; i < 3; i++)
        {
            state = Compute(At(at += 1000, false), state).State;
            Assert.Equal(0, state.Gateways[Mesh.Id("b")].Weight);
            var up = Compute(At(at += 1000, true), state);
            state = up.State;
            if (i == 0) Assert.True(up.WeightOf(Mesh.Id("b")) > 0);   // first failure: no hold-down, straight into slow start
        }
        // Third recovery after three failures: hold-down of base · 2^(3−2) = 4 s.
        var held = Compute(At(at + 3_900, true), state);
        Assert.Equal(0, held.WeightOf(Mesh.Id("b")));
        Assert.Equal("HoldDown", held.Gateways.Single(g => g.Name == "b").Reason);
        Assert.True(Compute(At(at + 4_000, true), held.State).WeightOf(Mesh.Id("b")) > 0);
    }

    [Fact]
    public void Held_down_gateways_are_used_when_nothing_else_is_usable()
    {
        long t = Mesh.Now;
        var healthy = Mesh.Healthy(t, "node", ("a", 100, 0));
        var down = healthy with { Gateways = [.. healthy.Gateways.Select(g => g with { Usable = false, Reason = UsabilityReason.Unreachable })] };
        var state = Compute(healthy).State;
        for (int i = 0; i < 4; i++)
        {
            state = Compute(down with { AtUnixMs = t + 2 * i * 1000 + 1000 }, state).State;
            state = Compute(healthy with { AtUnixMs = t + 2 * i * 1000 + 2000 }, state).State;
        }
        Assert.Equal(1000, state.Gateways[Mesh.Id("a")].Weight);
    }

    [Fact]
    public void Small_changes_are_ignored_by_hysteresis()
    {
        long t = Mesh.Now;
        var view = Mesh.Healthy(t, "node", ("a", 100, 0), ("b", 100, 0));
        var first = Compute(view);
        var nudged = view with { AtUnixMs = t + 1000, Gateways = [.. view.Gateways.Select(g => g.Name == "a" ? g with { SmoothedRttMs = 6 } : g)] };
        var second = Compute(nudged, first.State, now: t + 1000);
        Assert.False(second.Changed);
        Assert.Equal(500, second.WeightOf(Mesh.Id("a")));
        var worse = view with { AtUnixMs = t + 2000, Gateways = [.. view.Gateways.Select(g => g.Name == "a" ? g with { SmoothedRttMs = 40 } : g)] };
        var third = Compute(worse, second.State, now: t + 2000);
        Assert.True(third.Changed);
        Assert.True(third.WeightOf(Mesh.Id("a")) < 400);
    }

    [Fact]
    public void Path_loss_and_degraded_uplinks_shift_weight_away()
    {
        var view = Mesh.Healthy(Mesh.Now, "node", ("a", 100, 0), ("b", 100, 0), ("c", 100, 0));
        var a = Mesh.Id("a");
        var lossy = new PathQualitySnapshot(ImmutableSortedDictionary<NodeId, PathEstimate>.Empty.Add(a, new PathEstimate(a, 5, 0.2, 0, false, Mesh.Now, 100)));
        var r = Compute(view, paths: lossy);
        Assert.InRange(r.WeightOf(a), 150, 200);   // (0.8)^4 ≈ 0.41 of an equal share
        var degraded = view with { Gateways = [.. view.Gateways.Select(g => g.Name == "b" ? g with { Summary = g.Summary! with { Uplink = UplinkState.Degraded } } : g)] };
        Assert.InRange(Compute(degraded).WeightOf(Mesh.Id("b")), 200 - 1, 200 + 1);
    }

    [Fact]
    public void Apportion_rounds_to_the_total_with_at_least_one_each()
    {
        var ids = Enumerable.Range(0, 7).Select(i => Mesh.Id($"g{i}")).ToList();
        var shares = ids.ToDictionary(id => id, id => id == ids[0] ? 1e9 : 1e-9);
        var w = WeightCalculator.Apportion(shares, 1000);
        Assert.Equal(1000, w.Values.Sum());
        Assert.All(ids.Skip(1), id => Assert.Equal(1, w[id]));
        var thirds = WeightCalculator.Apportion(ids.Take(3).ToDictionary(id => id, _ => 1.0 / 3), 1000);
        Assert.Equal(1000, thirds.Values.Sum());
        Assert.Equal([333, 333, 334], thirds.Values.Order());
    }

    [Fact]
    public void A_signed_capacity_change_moves_the_weights_to_the_new_capacity_share_at_once_and_pauses_the_integrator()
    {
        long t = Mesh.Now;
        // Balanced at 65 %: every gateway's load is in proportion to its capacity.
        var state = WeightState.Initial;
        static MeshView Before(long at) => Mesh.Healthy(at, "node", ("a", 100, 65), ("b", 50, 32.5), ("c", 250, 162.5));
        for (long at = t; at < t + 60_000; at += 1000) state = Compute(Before(at), state, now: at).State;
        Assert.InRange(Compute(Before(t + 60_000), state, now: t + 60_000).WeightOf(Mesh.Id("a")), 245, 255);

        // a's modem resyncs at half the rate; its load has not moved yet (busy flows), so it reads 130 % utilised.
        long step = t + 60_000;
        static MeshView After(long at) => Mesh.Healthy(at, "node", ("a", 50, 65), ("b", 50, 32.5), ("c", 250, 162.5));
        var after = After(step);
        var first = Compute(after, state, now: step);
        Assert.True(first.Changed);
        Assert.InRange(first.WeightOf(Mesh.Id("a")), 143 - 5, 143 + 5);   // 50 / 350
        Assert.InRange(first.WeightOf(Mesh.Id("b")), 143 - 5, 143 + 5);
        Assert.InRange(first.WeightOf(Mesh.Id("c")), 714 - 5, 714 + 5);

        // The stale load error is not integrated during the hold: no wind-up past the target. The fast correction is
        // zeroed and waits its own (shorter) hold; then it may lean against the stale load, bounded, but the balance
        // share itself stays on the capacity share.
        state = first.State;
        WeightResult r = first;
        for (long at = step + 1000; at < step + Defaults.CapacityStepHoldMs; at += 1000)
        {
            r = Compute(After(at), state, now: at);
            state = r.State;
            var a = r.Gateways.Single(g => g.Name == "a");
            Assert.InRange(a.BalanceShare, 50.0 / 350 - 1e-9, 50.0 / 350 + 1e-9);
            if (at < step + Defaults.CorrectionStepHoldMs)
            {
                Assert.False(r.Balanced);
                Assert.Equal(0, a.Correction);
            }
            // The reported correction is the proportional part plus the persistent part, each bounded.
            Assert.InRange(a.Correction, -(Defaults.CorrectionLimit + Defaults.PersistentLimit) * a.BalanceShare, 0);
        }
        Assert.InRange(r.WeightOf(Mesh.Id("a")), (int)(143 * (1 - Defaults.CorrectionLimit - Defaults.PersistentLimit)) - 5, 143 + 5);
        // Afterwards the integrator trims on the measured load again (here the stale error pulls a down).
        for (long at = step + Defaults.CapacityStepHoldMs; at < step + Defaults.CapacityStepHoldMs + 30_000; at += 1000)
        {
            r = Compute(After(at), state, now: at);
            state = r.State;
        }
        Assert.True(r.WeightOf(Mesh.Id("a")) < 143 - 5, $"weight {r.WeightOf(Mesh.Id("a"))}");
    }

    [Fact]
    public void The_fast_correction_leans_against_a_load_burst_within_seconds_and_lets_go_when_it_ends()
    {
        long t = Mesh.Now;
        static MeshView With(long at, double loadB) => Mesh.Healthy(at, "node", ("a", 100, 60), ("b", 100, loadB));
        var state = WeightState.Initial;
        WeightResult r = null!;
        for (long at = t; at < t + 60_000; at += 1000) { r = Compute(With(at, 60), state, now: at); state = r.State; }
        Assert.InRange(r.WeightOf(Mesh.Id("b")), 490, 510);

        // A burst of big flows: b carries 20 Mbit/s more than a for 10 s. New flows lean away from b within seconds ...
        for (long at = t + 60_000; at < t + 70_000; at += 1000) { r = Compute(With(at, 80), state, now: at); state = r.State; }
        var b = r.Gateways.Single(g => g.Name == "b");
        Assert.True(r.WeightOf(Mesh.Id("b")) < 420, $"b {r.WeightOf(Mesh.Id("b"))}");
        Assert.InRange(b.Correction, -Defaults.CorrectionLimit * b.BalanceShare, -0.05);
        // ... by the correction, not the slow integrator, which barely moved.
        Assert.InRange(b.BalanceShare, 0.48, 0.5);

        // The burst is over: the correction fades and b gets its share back (to within the hysteresis).
        for (long at = t + 70_000; at < t + 100_000; at += 1000) { r = Compute(With(at, 60), state, now: at); state = r.State; }
        b = r.Gateways.Single(g => g.Name == "b");
        Assert.InRange(b.Correction, -0.005, 0.005);
        Assert.InRange(r.WeightOf(Mesh.Id("b")), (int)(1000 * b.BalanceShare) - Defaults.HysteresisWeight, 510);
    }

    [Fact]
    public void An_excursion_that_persists_is_leaned_against_harder_than_the_proportional_part_alone_and_let_go_of_when_it_reverses()
    {
        long t = Mesh.Now;
        static MeshView With(long at, double loadB) => Mesh.Healthy(at, "node", ("a", 100, 60), ("b", 100, loadB));
        var proportionalOnly = new WeightOptions { PersistentTimeConstantMs = 0 };
        WeightState withState = WeightState.Initial, withoutState = WeightState.Initial;
        WeightResult with = null!, without = null!;
        for (long at = t; at < t + 60_000; at += 1000)
        {
            with = Compute(With(at, 60), withState, now: at); withState = with.State;
            without = Compute(With(at, 60), withoutState, options: proportionalOnly, now: at); withoutState = without.State;
        }
        Assert.Equal(0, with.Gateways.Single(g => g.Name == "b").Correction);

        // A long big flow: b carries 12 Mbit/s more than a (a 10 % share error) for 40 s. The proportional part alone
        // settles at about twice the error; the persistent part keeps adding while the error lasts, within its bound.
        for (long at = t + 60_000; at < t + 100_000; at += 1000)
        {
            with = Compute(With(at, 72), withState, now: at); withState = with.State;
            without = Compute(With(at, 72), withoutState, options: proportionalOnly, now: at); withoutState = without.State;
        }
        var b = with.Gateways.Single(g => g.Name == "b");
        var bWithout = without.Gateways.Single(g => g.Name == "b");
        Assert.True(b.Correction < bWithout.Correction - 0.03, $"with {b.Correction:F3}, proportional only {bWithout.Correction:F3}");
        Assert.InRange(b.Correction, -(Defaults.CorrectionLimit + Defaults.PersistentLimit) * b.BalanceShare, 0);
        Assert.True(with.WeightOf(Mesh.Id("b")) < without.WeightOf(Mesh.Id("b")) - 20);
        // The persistent part is the difference: the proportional parts are the same (same error, same gains).
        Assert.InRange(withState.Gateways[Mesh.Id("b")].Persistent, -Defaults.PersistentLimit * b.BalanceShare, -0.03);

        // The error reverses (b is now the lighter one): the persistent part is dropped at once, not unwound slowly.
        long reversed = t + 100_000;
        with = Compute(With(reversed, 50), withState, now: reversed);
        withState = with.State;
        for (long at = reversed + 1000; at < reversed + 6000 && with.State.Gateways[Mesh.Id("b")].Persistent < 0; at += 1000)
        {
            with = Compute(With(at, 50), withState, now: at);
            withState = with.State;
        }
        Assert.True(withState.Gateways[Mesh.Id("b")].Persistent >= 0, $"persistent {withState.Gateways[Mesh.Id("b")].Persistent:F3}");
    }

    [Fact]
    public void Small_errors_do_not_build_the_persistent_part()
    {
        long t = Mesh.Now;
        // b 3 % over its share for two minutes: below the threshold, left to the proportional part and the slow integrator.
        static MeshView With(long at) => Mesh.Healthy(at, "node", ("a", 100, 58.2), ("b", 100, 61.8));
        var state = WeightState.Initial;
        for (long at = t; at < t + 120_000; at += 1000) state = Compute(With(at), state, now: at).State;
        Assert.Equal(0, state.Gateways[Mesh.Id("b")].Persistent);
        Assert.True(state.Gateways[Mesh.Id("b")].Correction < 0);
    }

    [Fact]
    public void Capacity_jitter_below_the_step_fraction_does_not_reset_the_shares_but_a_drift_that_adds_up_does()
    {
        long t = Mesh.Now;
        static MeshView With(long at, double capacityA, double loadA) => Mesh.Healthy(at, "node", ("a", capacityA, loadA), ("b", 100, 40));
        var state = WeightState.Initial;
        // a is busier than its share: the integrator moves weight to b.
        for (long at = t; at < t + 120_000; at += 1000) state = Compute(With(at, 100, 80), state, now: at).State;
        int learned = state.Gateways[Mesh.Id("b")].Weight;
        Assert.True(learned > 520, $"b {learned}");

        // 3 % less capacity: jitter, no reset (the learned correction stays).
        var jitter = Compute(With(t + 120_000, 97, 80), state, now: t + 120_000);
        Assert.InRange(jitter.WeightOf(Mesh.Id("b")), learned - 15, learned + 15);
        // Another 3 % (6 % below the reference): a step, reset to the capacity shares 94 : 100.
        var step = Compute(With(t + 121_000, 94, 80), jitter.State, now: t + 121_000);
        Assert.InRange(step.WeightOf(Mesh.Id("b")), 515 - 3, 515 + 3);
    }
}
