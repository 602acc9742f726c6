namespace Evernet.Dataplane.Planning;

/// <summary>
/// How evernet's 64 Ki nexthop id block is split: 4 Ki ids each for IPv4 members, IPv6 members, IPv4 groups, IPv6 groups,
/// and the top ids for capability probes. Ids are reused from what is installed, so they stay stable across restarts.
/// </summary>
internal sealed class NexthopIdLayout(uint baseId)
{
    private const uint BlockSize = 0x1000;

    public uint ProbeMember => baseId + 0xFFFE;

    public uint ProbeGroup => baseId + 0xFFFF;

    public bool IsOwned(uint id) => id >= baseId && id - baseId <= 0xFFFF;

    public bool IsMember(uint id, IpFamily family) => InBlock(id, MemberBlock(family));

    public bool IsGroup(uint id, IpFamily family) => InBlock(id, GroupBlock(family));

    public uint FirstMember(IpFamily family) => baseId + (MemberBlock(family) * BlockSize) + 1;

    public uint FirstGroup(IpFamily family) => baseId + (GroupBlock(family) * BlockSize) + 1;

    /// <summary>Lowest id of the block starting at <paramref name="first"/> not in <paramref name="taken"/>; marks it taken.</summary>
    public static uint Allocate(uint first, ISet<uint> taken)
    {
        for (var id = first; id < first + BlockSize - 1; id++)
        {
            if (taken.Add(id))
            {
                return id;
            }
        }

        throw new DataplaneConfigurationException("evernet's nexthop id block is exhausted");
    }

    private static uint MemberBlock(IpFamily family) => family == IpFamily.V6 ? 1u : 0u;

    private static uint GroupBlock(IpFamily family) => family == IpFamily.V6 ? 3u : 2u;

    private bool InBlock(uint id, uint block)
    {
        var start = baseId + (block * BlockSize);
        return id > start && id < start + BlockSize;
    }
}
