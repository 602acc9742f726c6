using Evernet.Gossip.Records;

namespace Evernet.Gossip.Wire;

/// <summary>
/// The versioned MessagePack envelope with hand-written formatters (docs/protocol.md).
/// STUB (contract): implemented in the wire/crypto work item.
/// </summary>
public static class WireCodec
{
    /// <summary>Encodes into <paramref name="destination"/>; false if it does not fit (nothing partial is meaningful then).</summary>
    public static bool TryEncode(Message message, Span<byte> destination, out int written) => throw new NotImplementedException();
    /// <summary>Never throws: any malformed, oversized or out-of-bounds input yields false and a typed error.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, out Message? message, out DecodeError error) => throw new NotImplementedException();
    /// <summary>Exact encoded size of one item inside a message's item array.</summary>
    public static int MeasureItem(IGossipItem item) => throw new NotImplementedException();
    /// <summary>Exact encoded size of <paramref name="message"/> with an empty item array; items add their MeasureItem and at most 3 bytes of array header.</summary>
    public static int MeasureEnvelope(Message message) => throw new NotImplementedException();
}
