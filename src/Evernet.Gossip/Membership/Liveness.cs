using Evernet.Gossip.View;

namespace Evernet.Gossip.Membership;

/// <summary>
/// SWIM's view of one member as a point in a join-semilattice: ordered by incarnation, then by state
/// (alive &lt; suspect &lt; dead &lt; left). Merging is taking the maximum, which is commutative, associative and idempotent.
/// </summary>
public readonly record struct Liveness(uint Incarnation, MemberState State) : IComparable<Liveness>
{
    private static int Rank(MemberState s) => s switch
    {
        MemberState.Alive => 0,
        MemberState.Suspect => 1,
        MemberState.Dead => 2,
        _ => 3,
    };

    public int CompareTo(Liveness other)
    {
        int c = Incarnation.CompareTo(other.Incarnation);
        return c != 0 ? c : Rank(State).CompareTo(Rank(other.State));
    }

    public static Liveness Merge(Liveness a, Liveness b) => a.CompareTo(b) >= 0 ? a : b;

    public bool IsDown => State is MemberState.Dead or MemberState.Left;
}
