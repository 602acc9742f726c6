using Evernet.Gossip.Identity;

namespace Evernet.Gossip.Records;

public enum Verdict : byte
{
    Suspect = 1,
    Dead = 2,
}

/// <summary>
/// A member's signed claim that <see cref="Target"/> at <see cref="Incarnation"/> failed its probes.
/// Signed by the accuser so that Lifeguard can count independent confirmations and nobody outside the mesh can fake them.
/// </summary>
public sealed record Accusation(
    NodeId Target,
    uint Incarnation,
    Verdict Verdict,
    NodeId Accuser,
    long TimestampUnixMs,
    ReadOnlyMemory<byte> Signature) : IGossipItem
{
    public GossipItemKind Kind => GossipItemKind.Accusation;
}
