using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Membership;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;
using FsCheck.Xunit;

namespace Evernet.Gossip.Tests;

/// <summary>The merge rules are a join-semilattice: commutative, associative, idempotent; delivery order cannot matter.</summary>
public sealed class MergeProperties
{
    private static readonly NodeId[] Origins = Enumerable.Range(0, 4).Select(i =>
    {
        var b = new byte[32];
        b[0] = (byte)(i + 1);
        b[31] = 7;
        return NodeId.FromBytes(b);
    }).ToArray();

    private static Liveness L(uint inc, byte state) => new(inc % 4, (MemberState)(state % 4));

    [Property]
    public bool Liveness_merge_is_commutative(uint i1, byte s1, uint i2, byte s2) =>
        Liveness.Merge(L(i1, s1), L(i2, s2)) == Liveness.Merge(L(i2, s2), L(i1, s1));

    [Property]
    public bool Liveness_merge_is_associative(uint i1, byte s1, uint i2, byte s2, uint i3, byte s3) =>
        Liveness.Merge(Liveness.Merge(L(i1, s1), L(i2, s2)), L(i3, s3)) == Liveness.Merge(L(i1, s1), Liveness.Merge(L(i2, s2), L(i3, s3)));

    [Property]
    public bool Liveness_merge_is_idempotent(uint i, byte s) => Liveness.Merge(L(i, s), L(i, s)) == L(i, s);

    [Property]
    public bool Record_merge_is_commutative_associative_idempotent(int seed)
    {
        var r = new Random(seed);
        var a = Record(r, 0); var b = Record(r, 0); var c = Record(r, 0);
        return ReferenceEquals(MergeRules.Merge(a, b), MergeRules.Merge(b, a))
            && ReferenceEquals(MergeRules.Merge(MergeRules.Merge(a, b), c), MergeRules.Merge(a, MergeRules.Merge(b, c)))
            && ReferenceEquals(MergeRules.Merge(a, a), a);
    }

    [Property]
    public bool Summary_and_accusation_merges_are_commutative_and_associative(int seed)
    {
        var r = new Random(seed);
        var a = Summary(r, 0); var b = Summary(r, 0); var c = Summary(r, 0);
        var x = Accusation(r, 1); var y = Accusation(r, 1); var z = Accusation(r, 1);
        return ReferenceEquals(MergeRules.Merge(a, b), MergeRules.Merge(b, a))
            && ReferenceEquals(MergeRules.Merge(MergeRules.Merge(a, b), c), MergeRules.Merge(a, MergeRules.Merge(b, c)))
            && ReferenceEquals(MergeRules.Merge(x, y), MergeRules.Merge(y, x))
            && ReferenceEquals(MergeRules.Merge(MergeRules.Merge(x, y), z), MergeRules.Merge(x, MergeRules.Merge(y, z)));
    }

    /// <summary>Any order of delivery of the same updates, with duplicates, yields the same state.</summary>
    [Property(MaxTest = 200)]
    public bool Any_delivery_order_gives_the_same_state(int seed, int shuffleSeed)
    {
        var r = new Random(seed);
        var items = new List<IGossipItem>();
        for (int i = 0; i < 24; i++)
        {
            int origin = r.Next(Origins.Length);
            items.Add(r.Next(4) switch
            {
                0 => Record(r, origin),
                1 => Summary(r, origin),
                2 => Accusation(r, origin),
                _ => Revocation(r, origin),
            });
        }
        var inOrder = Apply(items);
        var rs = new Random(shuffleSeed);
        var shuffled = items.Concat(items.Take(6)).OrderBy(_ => rs.Next()).ToList();
        return inOrder == Apply(shuffled);
    }

    internal static string Apply(IEnumerable<IGossipItem> items) => StateOf(items).Fingerprint();

    internal static MeshState StateOf(IEnumerable<IGossipItem> items)
    {
        var state = new MeshState();
        foreach (var item in items)
        {
            switch (item)
            {
                case NodeRecord n: state.Apply(n, out _); break;
                case GatewaySummary g: state.Apply(g, out _); break;
                case Accusation a: state.Apply(a, out _); break;
                case Revocation v: state.Apply(v); break;
            }
        }
        return state;
    }

    private static byte[] Sig(Random r) { var s = new byte[64]; r.NextBytes(s); s[0] &= 0x3; return s; }

    private static MembershipCertificate Cert(int origin) =>
        new(Origins[origin], new byte[32], $"n{origin}", origin < 2 ? NodeRoles.Gateway : NodeRoles.Node, 1, 0, long.MaxValue, Origins[3], new byte[64]);

    internal static NodeRecord Record(Random r, int origin)
    {
        ulong version = (ulong)r.Next(1, 4);
        return new NodeRecord(Origins[origin], version, 1000, (uint)r.Next(0, 3), r.Next(8) == 0, ImmutableArray.Create("sim:1"), [], Cert(origin), Sig(r));
    }

    internal static GatewaySummary Summary(Random r, int origin) =>
        new(Origins[origin], (ulong)r.Next(1, 4), 1000, (UplinkState)r.Next(3), [], 100, 10, (ulong)r.Next(100), 1, 0, 0, false, Sig(r));

    internal static Accusation Accusation(Random r, int target) =>
        new(Origins[target], (uint)r.Next(0, 3), r.Next(2) == 0 ? Verdict.Suspect : Verdict.Dead, Origins[(target + 1 + r.Next(3)) % Origins.Length], 1000, Sig(r));

    internal static Revocation Revocation(Random r, int node) => new(Origins[node], (ulong)r.Next(0, 3), 1000, "x", Origins[3], Sig(r));
}
