namespace Evernet.Gossip.Records;

public enum GossipItemKind : byte
{
    NodeRecord = 1,
    GatewaySummary = 2,
    Accusation = 3,
    Revocation = 4,
}

/// <summary>A signed item that travels piggybacked on probes, in urgent pushes and in push-pull exchanges.</summary>
public interface IGossipItem
{
    GossipItemKind Kind { get; }
}
