using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Gossip.Membership;

/// <summary>
/// The merge rules of signed state, as total orders: the kept record is the maximum. Ties in version (an origin that
/// signed two different records with one version: equivocation) are broken by the signature bytes, so every node keeps
/// the same one whatever the order of arrival.
/// </summary>
public static class MergeRules
{
    public static int Compare(NodeRecord a, NodeRecord b)
    {
        int c = a.Version.CompareTo(b.Version);
        return c != 0 ? c : a.Signature.Span.SequenceCompareTo(b.Signature.Span);
    }

    public static int Compare(GatewaySummary a, GatewaySummary b)
    {
        int c = a.Version.CompareTo(b.Version);
        return c != 0 ? c : a.Signature.Span.SequenceCompareTo(b.Signature.Span);
    }

    /// <summary>Accusations about one target: by the liveness they claim, then by accuser and signature.</summary>
    public static int Compare(Accusation a, Accusation b)
    {
        int c = LivenessOf(a).CompareTo(LivenessOf(b));
        if (c != 0) return c;
        c = b.Accuser.CompareTo(a.Accuser); // lower accuser id wins: any fixed order would do
        return c != 0 ? c : a.Signature.Span.SequenceCompareTo(b.Signature.Span);
    }

    public static T? Max<T>(T? a, T? b, Func<T, T, int> compare) where T : class =>
        a is null ? b : b is null ? a : compare(a, b) >= 0 ? a : b;

    public static NodeRecord? Merge(NodeRecord? a, NodeRecord? b) => Max(a, b, Compare);
    public static GatewaySummary? Merge(GatewaySummary? a, GatewaySummary? b) => Max(a, b, Compare);
    public static Accusation? Merge(Accusation? a, Accusation? b) => Max(a, b, Compare);

    public static Liveness LivenessOf(NodeRecord r) => new(r.Incarnation, r.Left ? MemberState.Left : MemberState.Alive);

    public static Liveness LivenessOf(Accusation a) => new(a.Incarnation, a.Verdict == Verdict.Dead ? MemberState.Dead : MemberState.Suspect);

    /// <summary>A revocation's identity in the revocation set (merge = union).</summary>
    public static (NodeId Node, ulong Serial, NodeId Authority) KeyOf(Revocation r) => (r.Node, r.Serial, r.Authority);
}
