using Evernet.Gossip.Dissemination;
using Evernet.Gossip.Records;
using FsCheck.Xunit;

namespace Evernet.Gossip.Tests;

/// <summary>What a digest says a peer lacks: the same answer whatever order the peer's entries come in.</summary>
public sealed class DigestProperties
{
    [Property(MaxTest = 300)]
    public bool Missing_does_not_depend_on_the_order_of_the_peers_entries(int seedOurs, int seedTheirs, int shuffleSeed)
    {
        var ours = MergeProperties.StateOf(Items(new Random(seedOurs)));
        var theirs = Digest.Build(MergeProperties.StateOf(Items(new Random(seedTheirs))));
        var rs = new Random(shuffleSeed);
        var shuffled = theirs.OrderBy(_ => rs.Next()).ToList();
        var fromSorted = Digest.Missing(ours, 0, ulong.MaxValue, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(theirs));
        var fromShuffled = Digest.Missing(ours, 0, ulong.MaxValue, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        return fromSorted.SequenceEqual(fromShuffled, ReferenceEqualityComparer.Instance);
    }

    private static List<IGossipItem> Items(Random r)
    {
        var items = new List<IGossipItem>();
        int count = r.Next(0, 16);
        for (int i = 0; i < count; i++)
        {
            int origin = r.Next(4);
            items.Add(r.Next(4) switch
            {
                0 => MergeProperties.Record(r, origin),
                1 => MergeProperties.Summary(r, origin),
                2 => MergeProperties.Accusation(r, origin),
                _ => MergeProperties.Revocation(r, origin),
            });
        }
        return items;
    }
}
