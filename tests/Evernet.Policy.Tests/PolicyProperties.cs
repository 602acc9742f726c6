using System.Collections.Immutable;
using System.Net;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Evernet.Policy.Tests;

/// <summary>One generated gateway: everything that can make it (un)usable, its load, and this node's path to it.</summary>
public sealed record GatewayCase(
    int Index, bool ViewUsable, UplinkState Uplink, bool Draining, bool Revoked, bool Expired, bool HasSummary, bool IsMember,
    int CapacityMbps, int LoadMbps, bool PathDead, int RttMs, int LossPercent);

/// <summary>One generated member for peer-list properties.</summary>
public sealed record MemberCase(
    int Index, NodeRoles Roles, MemberState State, int StateAgeSeconds, int RevokedSerial, bool Expired, bool ShortKey, int[] PrefixPicks);

public sealed class PolicyProperties
{
    private static readonly WeightOptions Weights = new();

    private static Gen<GatewayCase> GatewayGen(int index) =>
        from viewUsable in Gen.Elements(true, true, true, false)
        from uplink in Gen.Elements(UplinkState.Up, UplinkState.Up, UplinkState.Degraded, UplinkState.Down)
        from draining in Gen.Elements(false, false, false, true)
        from revoked in Gen.Elements(false, false, false, false, true)
        from expired in Gen.Elements(false, false, false, false, true)
        from hasSummary in Gen.Elements(true, true, true, false)
        from isMember in Gen.Elements(true, true, true, true, false)
        from capacity in Gen.Choose(0, 500)
        from load in Gen.Choose(0, 700)
        from pathDead in Gen.Elements(false, false, false, true)
        from rtt in Gen.Choose(1, 400)
        from loss in Gen.Choose(0, 60)
        select new GatewayCase(index, viewUsable, uplink, draining, revoked, expired, hasSummary, isMember, capacity, load, pathDead, rtt, loss);

    /// <summary>A run: a few gateways, evolving over several steps (each step regenerates every gateway's condition).</summary>
    private static Gen<(GatewayCase[][] Steps, ulong Seed)> RunGen =>
        from count in Gen.Choose(0, 6)
        from stepCount in Gen.Choose(1, 8)
        from steps in Gen.ArrayOf(Gen.CollectToArray(Enumerable.Range(0, count).Select(GatewayGen)), stepCount)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        select (steps, (ulong)(uint)seed);

    private static (MeshView View, PathQualitySnapshot Paths) Build(GatewayCase[] gateways, long now, bool shuffled = false)
    {
        var members = new List<MemberView>();
        var views = new List<GatewayView>();
        var revocations = new List<Revocation>();
        var paths = ImmutableSortedDictionary<NodeId, PathEstimate>.Empty;
        foreach (var g in gateways)
        {
            string name = $"gw{g.Index}";
            var cert = Mesh.Cert(name, NodeRoles.Gateway, notAfter: g.Expired ? now / 1000 - 1 : long.MaxValue / 2);
            if (g.IsMember) members.Add(Mesh.Member(name, NodeRoles.Gateway, cert: cert));
            if (g.Revoked) revocations.Add(Mesh.Revoke(name));
            var summary = g.HasSummary ? Mesh.Summary(name, g.Uplink, g.CapacityMbps, g.LoadMbps, g.Draining, at: now - 2000) : null;
            views.Add(Mesh.Gateway(name, summary, g.ViewUsable, g.ViewUsable ? UsabilityReason.Usable : UsabilityReason.Unreachable, rttMs: g.RttMs, loss: g.LossPercent / 100.0));
            paths = paths.Add(Mesh.Id(name), new PathEstimate(Mesh.Id(name), g.RttMs, g.LossPercent / 100.0, g.PathDead ? 3 : 0, g.PathDead, now, 20));
        }
        if (shuffled)
        {
            members.Reverse();
            views.Reverse();
            revocations.Reverse();
        }
        return (Mesh.View(now, Mesh.Id("self"), members, views, revocations), new PathQualitySnapshot(paths));
    }

    private static List<WeightResult> Drive(GatewayCase[][] steps, ulong seed, bool shuffled = false)
    {
        var state = WeightState.Initial;
        var results = new List<WeightResult>();
        for (int i = 0; i < steps.Length; i++)
        {
            long now = Mesh.Now + i * 1_700L;
            var (view, paths) = Build(steps[i], now, shuffled);
            var r = WeightCalculator.Compute(view, paths, Weights, state, now, seed);
            results.Add(r);
            state = r.State;
        }
        return results;
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Weights_are_non_negative_zero_when_unusable_and_sum_to_the_total_when_anything_is_usable() =>
        Prop.ForAll(RunGen.ToArbitrary(), run =>
        {
            var results = Drive(run.Steps, run.Seed);
            for (int i = 0; i < results.Count; i++)
            {
                var r = results[i];
                long now = Mesh.Now + i * 1_700L;
                var (view, paths) = Build(run.Steps[i], now);
                bool anyUsable = false;
                foreach (var g in view.Gateways)
                {
                    // Independent oracle for usability, straight from the generated case.
                    var c = run.Steps[i].Single(x => $"gw{x.Index}" == g.Name);
                    bool usable = c.ViewUsable && c.HasSummary && c.IsMember && !c.Revoked && !c.Expired && c.Uplink != UplinkState.Down && !c.Draining && !c.PathDead;
                    anyUsable |= usable;
                    int w = r.WeightOf(g.Id);
                    if (w < 0) return false;
                    if (!usable && w != 0) return false;
                }
                if (r.TotalWeight != (anyUsable ? Weights.Total : 0)) return false;
            }
            return true;
        });

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Same_inputs_and_seed_give_the_same_weights_in_any_order() =>
        Prop.ForAll(RunGen.ToArbitrary(), run =>
        {
            var a = Drive(run.Steps, run.Seed);
            var b = Drive(run.Steps, run.Seed);
            var shuffled = Drive(run.Steps, run.Seed, shuffled: true);
            return a.Zip(b).All(p => p.First.Gateways.SequenceEqual(p.Second.Gateways))
                && a.Zip(shuffled).All(p => p.First.Gateways.SequenceEqual(p.Second.Gateways));
        });

    // ---- peer lists ----

    private static readonly string[] PrefixPool =
    [
        "10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25", "10.2.0.0/16", "10.2.0.0/16", "192.168.1.0/24", "192.168.1.7/32",
        "fd00:1::/48", "fd00:1:2::/64", "2001:db8::/32", "0.0.0.0/0", "::/0", "10.127.5.0/24", "fd65:766e:6574::/80",
        "not-a-prefix", "10.0.0.0/4", "172.16.0.0/12",
    ];

    private static Gen<MemberCase> MemberGen(int index) =>
        from roles in Gen.Elements(NodeRoles.Node, NodeRoles.Node, NodeRoles.Node, NodeRoles.Gateway, NodeRoles.Gateway | NodeRoles.Node, NodeRoles.None)
        from state in Gen.Elements(MemberState.Alive, MemberState.Alive, MemberState.Suspect, MemberState.Dead, MemberState.Left)
        from age in Gen.Choose(0, 1200)
        from revoked in Gen.Elements(0, 0, 0, 0, 1, 2)
        from expired in Gen.Elements(false, false, false, false, true)
        from shortKey in Gen.Elements(false, false, false, false, false, false, true)
        from picks in Gen.ArrayOf(Gen.Choose(0, PrefixPool.Length - 1), 3)
        select new MemberCase(index, roles, state, age, revoked, expired, shortKey, picks);

    private static Gen<MemberCase[]> MembersGen =>
        from count in Gen.Choose(0, 25)
        from members in Gen.CollectToArray(Enumerable.Range(0, count).Select(MemberGen))
        select members;

    private static MeshView BuildMembers(MemberCase[] cases, long now, bool shuffled = false)
    {
        var members = new List<MemberView>();
        var revocations = new List<Revocation>();
        foreach (var m in cases)
        {
            string name = $"m{m.Index}";
            var key = m.ShortKey ? Mesh.WgKey(name)[..31] : Mesh.WgKey(name);
            var cert = Mesh.Cert(name, m.Roles, serial: 1, notAfter: m.Expired ? now / 1000 - 1 : long.MaxValue / 2, wgKey: key);
            var prefixes = m.PrefixPicks.Distinct().Select(i => PrefixPool[i]).ToArray();
            members.Add(Mesh.Member(name, m.Roles, [$"10.0.9.{m.Index}:7946"], prefixes, m.State, now - m.StateAgeSeconds * 1000L, cert));
            // Serial 1 revokes this certificate, 2 another one (must not matter).
            if (m.RevokedSerial > 0) revocations.Add(Mesh.Revoke(name, (ulong)m.RevokedSerial));
        }
        if (shuffled)
        {
            members.Reverse();
            revocations.Reverse();
        }
        return Mesh.View(now, Mesh.Id("self"), members, [], revocations);
    }

    private static bool OracleCertified(MemberCase m, NodeRoles role) =>
        m.RevokedSerial != 1 && !m.Expired && !m.ShortKey && (m.Roles & role) == role;

    private static bool OracleRetained(MemberCase m, int removeAfterMs) =>
        m.State is MemberState.Alive or MemberState.Suspect || m.StateAgeSeconds * 1000L < removeAfterMs;

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Gateway_peers_are_certified_and_never_overlap() =>
        Prop.ForAll(MembersGen.ToArbitrary(), cases =>
        {
            var options = new PolicyOptions();
            var view = BuildMembers(cases, Mesh.Now);
            var self = Mesh.Local("self", NodeRoles.Gateway, "192.168.1.0/24");
            var plan = DataplanePlanner.Plan(new PlanInputs(view, self, PathQualitySnapshot.Empty, options, PolicyState.Initial, Mesh.Now, 1));
            var iface = Assert.Single(plan.Dataplane.Interfaces);
            var expected = cases
                .Where(m => OracleCertified(m, NodeRoles.Node) && OracleRetained(m, options.WireGuard.RemoveAfterMs))
                .Select(m => Convert.ToBase64String(Mesh.WgKey($"m{m.Index}")))
                .Order(StringComparer.Ordinal);
            Assert.Equal(expected, iface.Peers.Select(p => p.PublicKey));
            var all = iface.Peers.SelectMany(p => p.AllowedIps.Select(a => (Peer: p.PublicKey, Prefix: IPNetwork.Parse(a)))).ToList();
            foreach (var x in all)
                foreach (var y in all)
                    Assert.False(x.Peer != y.Peer && Prefixes.Overlap(x.Prefix, y.Prefix), $"{x.Peer} {x.Prefix} overlaps {y.Peer} {y.Prefix}");
            // Nothing outside the rules: no default, nothing inside the tunnel subnet except the peers' own host addresses,
            // nothing overlapping the gateway's own client prefix.
            var tunnel4 = IPNetwork.Parse(options.Tunnel.IPv4Prefix);
            var tunnel6 = IPNetwork.Parse(options.Tunnel.IPv6Prefix);
            foreach (var (_, p) in all)
            {
                bool inTunnel = Prefixes.Overlap(p, tunnel4) || Prefixes.Overlap(p, tunnel6);
                Assert.False(p.PrefixLength == 0 || (inTunnel && p.PrefixLength is not (32 or 128)), $"{p} allowed");
                Assert.False(Prefixes.Overlap(p, IPNetwork.Parse("192.168.1.0/24")), $"{p} overlaps own prefix");
            }
            // Every peer has its tunnel host addresses.
            Assert.All(iface.Peers, p => Assert.True(p.AllowedIps.Count(a => a.EndsWith("/32") || a.EndsWith("/128")) >= 2));
            // The same set in another order gives the same interface.
            var shuffledPlan = DataplanePlanner.Plan(new PlanInputs(BuildMembers(cases, Mesh.Now, shuffled: true), self, PathQualitySnapshot.Empty, options, PolicyState.Initial, Mesh.Now, 1));
            Assert.Equal(plan.Dataplane.ToCanonicalString(), shuffledPlan.Dataplane.ToCanonicalString());
            return shuffledPlan.Dataplane == plan.Dataplane;
        });

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Node_tunnels_go_only_to_certified_gateways_with_valid_distinct_names() =>
        Prop.ForAll(MembersGen.ToArbitrary(), cases =>
        {
            var options = new PolicyOptions();
            var view = BuildMembers(cases, Mesh.Now);
            var self = Mesh.Local("self", NodeRoles.Node, "192.168.50.0/24");
            var plan = DataplanePlanner.Plan(new PlanInputs(view, self, PathQualitySnapshot.Empty, options, PolicyState.Initial, Mesh.Now, 1));
            var expected = cases
                .Where(m => OracleCertified(m, NodeRoles.Gateway) && OracleRetained(m, options.WireGuard.RemoveAfterMs))
                .Select(m => Convert.ToBase64String(Mesh.WgKey($"m{m.Index}")))
                .Order(StringComparer.Ordinal);
            var interfaces = plan.Dataplane.Interfaces;
            if (!interfaces.Select(i => Assert.Single(i.Peers).PublicKey).Order(StringComparer.Ordinal).SequenceEqual(expected)) return false;
            if (interfaces.Select(i => i.Name).Distinct().Count() != interfaces.Length) return false;
            if (!interfaces.All(i => InterfaceNames.IsValidName(i.Name) && i.Name.StartsWith("evg-", StringComparison.Ordinal))) return false;
            if (!interfaces.All(i => i.Peers[0].AllowedIps.SequenceEqual(["0.0.0.0/0", "::/0"]))) return false;
            var shuffledPlan = DataplanePlanner.Plan(new PlanInputs(BuildMembers(cases, Mesh.Now, shuffled: true), self, PathQualitySnapshot.Empty, options, PolicyState.Initial, Mesh.Now, 1));
            return shuffledPlan.Dataplane == plan.Dataplane;
        });

    // ---- tunnel addressing ----

    private static Gen<byte[][]> KeysGen(int max) =>
        from count in Gen.Choose(1, max)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        from duplicates in Gen.Choose(0, 3)
        select MakeKeys(count, (ulong)(uint)seed, duplicates);

    private static byte[][] MakeKeys(int count, ulong seed, int duplicates)
    {
        var random = new SeededRandom(seed);
        var keys = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            var key = new byte[32];
            for (int j = 0; j < 32; j += 8) BitConverter.TryWriteBytes(key.AsSpan(j), random.NextUInt64());
            keys.Add(key);
        }
        for (int i = 0; i < duplicates && keys.Count > 0; i++) keys.Add(keys[i % keys.Count]);
        return [.. keys];
    }

    [FsCheck.Xunit.Property(MaxTest = 100)]
    public Property Tunnel_addresses_are_unique_inside_the_subnets_and_order_independent() =>
        Prop.ForAll(KeysGen(254).ToArbitrary(), keys =>
        {
            // A /24 and a /120: 254 and 255 host addresses, so collisions are frequent and must all be resolved.
            var addressing = new TunnelAddressing(new TunnelAddressingOptions { IPv4Prefix = "10.127.9.0/24", IPv6Prefix = "fd65::/120" });
            var a = addressing.Assign(keys.Select(k => (ReadOnlyMemory<byte>)k));
            var b = addressing.Assign(keys.Reverse().Select(k => (ReadOnlyMemory<byte>)k));
            int distinct = keys.Select(Convert.ToBase64String).Distinct().Count();
            var v4 = a.ByKey.Values.Select(x => x.IPv4).ToList();
            var v6 = a.ByKey.Values.Select(x => x.IPv6).ToList();
            return a.ByKey.Count == distinct
                && a.Unassigned.IsEmpty
                && v4.Distinct().Count() == distinct
                && v6.Distinct().Count() == distinct
                && v4.All(ip => addressing.IPv4Network.Contains(ip) && ip.GetAddressBytes()[3] is not (0 or 255))
                && v6.All(ip => addressing.IPv6Network.Contains(ip) && !ip.Equals(addressing.IPv6Network.BaseAddress))
                && a.ByKey.SequenceEqual(b.ByKey)
                && a.Collisions.SequenceEqual(b.Collisions, CollisionComparer.Instance);
        });

    [Fact]
    public void A_full_subnet_reports_the_keys_left_over()
    {
        var addressing = new TunnelAddressing(new TunnelAddressingOptions { IPv4Prefix = "10.127.9.0/24" });
        var keys = MakeKeys(260, 99, 0);
        var a = addressing.Assign(keys.Select(k => (ReadOnlyMemory<byte>)k));
        Assert.Equal(254, a.ByKey.Count);
        Assert.Equal(6, a.Unassigned.Length);
        Assert.Equal(254, a.ByKey.Values.Select(x => x.IPv4).Distinct().Count());
    }

    [Fact]
    public void A_key_keeps_its_address_when_unrelated_keys_join()
    {
        var addressing = new TunnelAddressing(new TunnelAddressingOptions());
        var keys = MakeKeys(120, 5, 0);
        var before = addressing.Assign(keys.Take(100).Select(k => (ReadOnlyMemory<byte>)k));
        var after = addressing.Assign(keys.Select(k => (ReadOnlyMemory<byte>)k));
        int moved = before.ByKey.Count(kv => !after.ByKey[kv.Key].Equals(kv.Value));
        // In a /16 with 120 keys a collision is rare; a join may move at most the keys it collides with.
        Assert.True(moved <= after.Collisions.Length, $"{moved} addresses moved");
    }

    private sealed class CollisionComparer : IEqualityComparer<AddressCollision>
    {
        public static CollisionComparer Instance { get; } = new();
        public bool Equals(AddressCollision? x, AddressCollision? y) =>
            x is not null && y is not null && x.Address == y.Address && x.Winner == y.Winner && x.Keys.SequenceEqual(y.Keys);
        public int GetHashCode(AddressCollision obj) => obj.Address.GetHashCode();
    }
}
