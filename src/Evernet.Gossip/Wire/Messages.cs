using System.Collections.Immutable;
using Evernet.Gossip.Records;

namespace Evernet.Gossip.Wire;

public enum MessageType : byte
{
    Ping = 1,
    PingReq = 2,
    Ack = 3,
    Nack = 4,
    Gossip = 5,
    PushPullDigest = 6,
    PushPullRecords = 7,
    PushPullSummary = 8,
}

/// <summary>
/// One datagram. Members are named on the wire by <see cref="ShortId"/>, the first 8 bytes of their key: full keys travel
/// only inside signed records, which is what keeps a probe at a few dozen bytes.
/// </summary>
public abstract record Message(ulong Sender)
{
    public abstract MessageType Type { get; }
}

/// <summary>
/// Direct probe. <see cref="KnownSummaryVersion"/> is the newest summary version the prober holds of the target
/// (0 if none or the target is no gateway), so a gateway can answer with its newer summary in the ack.
/// </summary>
public sealed record Ping(ulong Sender, uint Seq, ulong Target, ulong KnownSummaryVersion, ImmutableArray<IGossipItem> Piggyback) : Message(Sender)
{
    public override MessageType Type => MessageType.Ping;
}

/// <summary>Ask the receiver to probe <see cref="Target"/> at <see cref="TargetAddress"/> and relay the ack (or a nack).</summary>
public sealed record PingReq(ulong Sender, uint Seq, ulong Target, string TargetAddress, ImmutableArray<IGossipItem> Piggyback) : Message(Sender)
{
    public override MessageType Type => MessageType.PingReq;
}

/// <summary>Answer to a ping. <see cref="Responder"/> is the probed member (differs from Sender when relayed).</summary>
public sealed record Ack(ulong Sender, uint Seq, ulong Responder, ImmutableArray<IGossipItem> Piggyback) : Message(Sender)
{
    public override MessageType Type => MessageType.Ack;
}

/// <summary>Lifeguard: the relay did not hear from the target in time; tells the requester its own path is fine.</summary>
public sealed record Nack(ulong Sender, uint Seq) : Message(Sender)
{
    public override MessageType Type => MessageType.Nack;
}

/// <summary>Items pushed without a probe. Urgent items are forwarded at once by every receiver that had not seen them.</summary>
public sealed record Gossip(ulong Sender, bool Urgent, ImmutableArray<IGossipItem> Items) : Message(Sender)
{
    public override MessageType Type => MessageType.Gossip;
}

/// <summary>One entry of an anti-entropy digest: what version of which item the sender holds.</summary>
public readonly record struct DigestEntry(ulong Origin, GossipItemKind Kind, ulong Version);

/// <summary>
/// Anti-entropy, step 1 (and 2 when <see cref="IsReply"/>): the sender's digest, in chunks that each fit a datagram.
/// Each chunk is self-contained: it lists everything the sender holds with an origin in [RangeStart, RangeEnd], so a
/// lost chunk only delays that range. The receiver answers with the records the sender lacks or holds older
/// (<see cref="PushPullRecords"/>) and, if not a reply, with its own digest.
/// </summary>
public sealed record PushPullDigest(ulong Sender, uint ExchangeId, bool IsReply, ushort ChunkIndex, ushort ChunkCount, ulong RangeStart, ulong RangeEnd, ImmutableArray<DigestEntry> Entries) : Message(Sender)
{
    public override MessageType Type => MessageType.PushPullDigest;
}

/// <summary>One range of a digest, summarised: how many entries the sender holds with an origin in [Start, End] and a hash of them (<see cref="Dissemination.Digest.HashOf"/>).</summary>
public readonly record struct DigestRange(ulong Start, ulong End, uint Count, ulong Hash);

/// <summary>
/// Anti-entropy, step 0: the sender's digest as range hashes, so that two members that already agree (the common case
/// once the mesh has converged) exchange one datagram instead of their whole digest. For every range whose count or
/// hash differs from its own, the receiver starts an ordinary digest exchange for that range only
/// (<see cref="PushPullDigest"/>, not a reply).
/// </summary>
public sealed record PushPullSummary(ulong Sender, uint ExchangeId, ImmutableArray<DigestRange> Ranges) : Message(Sender)
{
    public override MessageType Type => MessageType.PushPullSummary;
}

/// <summary>Anti-entropy, step 3: records the peer lacks, as many as fit one datagram.</summary>
public sealed record PushPullRecords(ulong Sender, uint ExchangeId, ImmutableArray<IGossipItem> Items) : Message(Sender)
{
    public override MessageType Type => MessageType.PushPullRecords;
}
