using System.Collections.Immutable;
using Evernet.Gossip.Identity;

namespace Evernet.Gossip.Records;

/// <summary>
/// The record only <see cref="Origin"/> can write: where it is reachable, which client prefixes it serves, its SWIM incarnation.
/// It embeds the origin's certificate so that it can be verified on its own, wherever it arrives.
/// <see cref="Left"/> is the origin's own, signed statement that it leaves the mesh.
/// </summary>
public sealed record NodeRecord(
    NodeId Origin,
    ulong Version,
    long TimestampUnixMs,
    uint Incarnation,
    bool Left,
    ImmutableArray<string> Addresses,
    ImmutableArray<string> ClientPrefixes,
    MembershipCertificate Certificate,
    ReadOnlyMemory<byte> Signature) : IGossipItem
{
    public GossipItemKind Kind => GossipItemKind.NodeRecord;
}
