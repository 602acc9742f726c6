using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Evernet.Gossip.Records;

namespace Evernet.Gossip.Wire;

/// <summary>
/// The versioned MessagePack envelope with hand-written formatters (docs/protocol.md).
/// <para>
/// A datagram is a 4-byte header — magic <c>0x45 0x47</c> ("EG"), <see cref="WireLimits.ProtocolVersion"/>, the
/// <see cref="MessageType"/> — followed by exactly one MessagePack array holding the message's fields in declaration
/// order. Every value is in its shortest MessagePack form and the decoder accepts nothing else, so each message has
/// exactly one encoding: <c>Encode(Decode(b)) == b</c> for every datagram that decodes.
/// </para>
/// <para>
/// Size rule for filling a datagram: the encoded size of a message with items <c>i₁…iₙ</c> is exactly
/// <c>MeasureEnvelope(m) + Σ MeasureItem(iₖ) + ItemArrayHeaderGrowth(n)</c>, where the growth is 0 for n ≤ 15 and 2
/// for 16 ≤ n ≤ 32 (the item array header goes from a 1-byte fixarray to a 3-byte array16). The same rule holds for a
/// <see cref="PushPullDigest"/> with <see cref="MeasureDigestEntry"/> in place of MeasureItem.
/// <see cref="MeasureMessage"/> gives the total directly. A datagram must not exceed <see cref="WireLimits.MaxDatagram"/>.
/// </para>
/// </summary>
public static class WireCodec
{
    public const byte Magic0 = 0x45; // 'E'
    public const byte Magic1 = 0x47; // 'G'
    public const int HeaderSize = 4;

    /// <summary>
    /// The largest item that can travel at all: alone in a <see cref="PushPullRecords"/> (or <see cref="Gossip"/>)
    /// with the widest sender and exchange id. A bigger item (say a node record with many long addresses and
    /// prefixes) fits no datagram and must be refused where it is made.
    /// </summary>
    public const int MaxSingleItemSize = WireLimits.MaxDatagram - (HeaderSize + 1 + 9 + 5 + 1);

    private const int PingFields = 5, PingReqFields = 5, AckFields = 4, NackFields = 2, GossipFields = 3, DigestFields = 8, RecordsFields = 3, SummaryFields = 3;
    private const int DigestEntryFields = 3, DigestRangeFields = 4;

    /// <summary>
    /// Encodes into <paramref name="destination"/>; false if it does not fit <paramref name="destination"/> or
    /// <see cref="WireLimits.MaxDatagram"/>, or if the message breaks a wire bound (see <see cref="Validate"/>): nothing
    /// partial is meaningful then.
    /// </summary>
    public static bool TryEncode(Message message, Span<byte> destination, out int written)
    {
        written = 0;
        if (message is null || Validate(message) != DecodeError.None) return false;
        int size = MeasureMessage(message);
        if (size > WireLimits.MaxDatagram || size > destination.Length) return false;
        var writer = new MsgPackWriter(destination);
        WriteMessage(ref writer, message);
        written = writer.Written;
        return true;
    }

    /// <summary>Encodes into a new array of exactly the encoded size (what <c>Transmit</c> carries).</summary>
    public static bool TryEncode(Message message, [NotNullWhen(true)] out byte[]? payload)
    {
        payload = null;
        if (message is null || Validate(message) != DecodeError.None) return false;
        int size = MeasureMessage(message);
        if (size > WireLimits.MaxDatagram) return false;
        payload = new byte[size];
        var writer = new MsgPackWriter(payload);
        WriteMessage(ref writer, message);
        return true;
    }

    /// <summary>Never throws: any malformed, oversized or out-of-bounds input yields false and a typed error.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, out Message? message, out DecodeError error) =>
        TryDecode(datagram, interner: null, out message, out error);

    /// <summary>
    /// As <see cref="TryDecode(ReadOnlySpan{byte}, out Message?, out DecodeError)"/>; items whose exact bytes the
    /// <paramref name="interner"/> has seen decode to the object it holds (same content, no new allocation).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, ItemInterner? interner, out Message? message, out DecodeError error)
    {
        try
        {
            return TryDecodeCore(datagram, interner, out message, out error);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Last resort only: the decoder validates everything it reads, so reaching this is a bug (tests call
            // TryDecodeCore to surface it); a receiver still only counts and drops the datagram.
            message = null;
            error = DecodeError.InvalidValue;
            return false;
        }
    }

    /// <summary>Exact encoded size of one item inside a message's item array.</summary>
    public static int MeasureItem(IGossipItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return ItemFormat.Measure(item, canonical: false);
    }

    /// <summary>
    /// Exact encoded size of <paramref name="message"/> with an empty item array (entry array for a
    /// <see cref="PushPullDigest"/>; the whole message for a <see cref="Nack"/>). Each item then adds its
    /// <see cref="MeasureItem"/>, and the array header grows by <see cref="ItemArrayHeaderGrowth"/> (2 bytes once
    /// there are 16 or more items).
    /// </summary>
    public static int MeasureEnvelope(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        const int emptyArray = 1;
        return HeaderSize + message switch
        {
            Ping p => MsgPackSize.ArrayHeader(PingFields) + MsgPackSize.UInt(p.Sender) + MsgPackSize.UInt(p.Seq)
                + MsgPackSize.UInt(p.Target) + MsgPackSize.UInt(p.KnownSummaryVersion) + emptyArray,
            PingReq q => MsgPackSize.ArrayHeader(PingReqFields) + MsgPackSize.UInt(q.Sender) + MsgPackSize.UInt(q.Seq)
                + MsgPackSize.UInt(q.Target) + MsgPackSize.String(q.TargetAddress) + emptyArray,
            Ack a => MsgPackSize.ArrayHeader(AckFields) + MsgPackSize.UInt(a.Sender) + MsgPackSize.UInt(a.Seq)
                + MsgPackSize.UInt(a.Responder) + emptyArray,
            Nack n => MsgPackSize.ArrayHeader(NackFields) + MsgPackSize.UInt(n.Sender) + MsgPackSize.UInt(n.Seq),
            Gossip g => MsgPackSize.ArrayHeader(GossipFields) + MsgPackSize.UInt(g.Sender) + MsgPackSize.Bool + emptyArray,
            PushPullDigest d => MsgPackSize.ArrayHeader(DigestFields) + MsgPackSize.UInt(d.Sender) + MsgPackSize.UInt(d.ExchangeId)
                + MsgPackSize.Bool + MsgPackSize.UInt(d.ChunkIndex) + MsgPackSize.UInt(d.ChunkCount)
                + MsgPackSize.UInt(d.RangeStart) + MsgPackSize.UInt(d.RangeEnd) + emptyArray,
            PushPullRecords r => MsgPackSize.ArrayHeader(RecordsFields) + MsgPackSize.UInt(r.Sender) + MsgPackSize.UInt(r.ExchangeId) + emptyArray,
            PushPullSummary s => MsgPackSize.ArrayHeader(SummaryFields) + MsgPackSize.UInt(s.Sender) + MsgPackSize.UInt(s.ExchangeId) + emptyArray,
            _ => throw new ArgumentException($"unknown message type {message.GetType().Name}", nameof(message)),
        };
    }

    /// <summary>How much the item (or digest entry) array header grows over the empty one for <paramref name="count"/> elements.</summary>
    public static int ItemArrayHeaderGrowth(int count) => MsgPackSize.ArrayHeader(count) - 1;

    /// <summary>Exact encoded size of one digest entry inside a <see cref="PushPullDigest"/>.</summary>
    public static int MeasureDigestEntry(DigestEntry entry) =>
        MsgPackSize.ArrayHeader(DigestEntryFields) + MsgPackSize.UInt(entry.Origin) + MsgPackSize.UInt((byte)entry.Kind) + MsgPackSize.UInt(entry.Version);

    /// <summary>Exact encoded size of one range inside a <see cref="PushPullSummary"/>.</summary>
    public static int MeasureDigestRange(DigestRange range) =>
        MsgPackSize.ArrayHeader(DigestRangeFields) + MsgPackSize.UInt(range.Start) + MsgPackSize.UInt(range.End) + MsgPackSize.UInt(range.Count) + MsgPackSize.UInt(range.Hash);

    /// <summary>Exact encoded size of the whole message, items included.</summary>
    public static int MeasureMessage(Message message)
    {
        int size = MeasureEnvelope(message);
        if (message is PushPullSummary summary)
        {
            var ranges = summary.Ranges.IsDefault ? [] : summary.Ranges.AsSpan();
            foreach (var range in ranges) size += MeasureDigestRange(range);
            return size + ItemArrayHeaderGrowth(ranges.Length);
        }
        if (message is PushPullDigest d)
        {
            var entries = d.Entries.IsDefault ? [] : d.Entries.AsSpan();
            foreach (var entry in entries) size += MeasureDigestEntry(entry);
            return size + ItemArrayHeaderGrowth(entries.Length);
        }
        var items = ItemsOf(message);
        if (items.IsDefault) return size;
        foreach (var item in items) size += MeasureItem(item);
        return size + ItemArrayHeaderGrowth(items.Length);
    }

    /// <summary>
    /// The error the decoder would report for the encoding of <paramref name="item"/> (a bound broken, a signature
    /// not 64 bytes, an enum out of range, a null), or None. Lets a node refuse to gossip what nobody could receive.
    /// </summary>
    public static DecodeError ValidateItem(IGossipItem item) => ItemFormat.Validate(item);

    /// <summary>The first wire-bound violation in <paramref name="message"/>, or None (size is not checked here).</summary>
    public static DecodeError Validate(Message message)
    {
        switch (message)
        {
            case null:
                return DecodeError.InvalidValue;
            case PingReq q when q.TargetAddress is null:
                return DecodeError.InvalidValue;
            case PingReq q when MsgPackSize.Utf8Length(q.TargetAddress) > WireLimits.MaxAddressBytes:
                return DecodeError.LengthOutOfBounds;
            case PushPullDigest d:
                if (d.ChunkIndex >= d.ChunkCount || d.RangeStart > d.RangeEnd) return DecodeError.InvalidValue;
                if (!d.Entries.IsDefault)
                {
                    if (d.Entries.Length > WireLimits.MaxDigestEntriesPerMessage) return DecodeError.CountOutOfBounds;
                    foreach (var entry in d.Entries)
                        if (!IsKnownKind(entry.Kind)) return DecodeError.UnknownItemKind;
                }
                return DecodeError.None;
            case PushPullSummary s:
                if (!s.Ranges.IsDefault)
                {
                    if (s.Ranges.Length > WireLimits.MaxSummaryRangesPerMessage) return DecodeError.CountOutOfBounds;
                    foreach (var range in s.Ranges)
                        if (range.Start > range.End) return DecodeError.InvalidValue;
                }
                return DecodeError.None;
            case Ping or PingReq or Ack or Nack or Gossip or PushPullRecords:
                break;
            default:
                return DecodeError.UnknownMessageType;
        }
        var items = ItemsOf(message);
        if (items.IsDefault) return DecodeError.None;
        if (items.Length > WireLimits.MaxItemsPerMessage) return DecodeError.CountOutOfBounds;
        foreach (var item in items)
        {
            var e = ItemFormat.Validate(item);
            if (e != DecodeError.None) return e;
        }
        return DecodeError.None;
    }

    private static bool IsKnownKind(GossipItemKind kind) => kind is >= GossipItemKind.NodeRecord and <= GossipItemKind.Revocation;

    private static ImmutableArray<IGossipItem> ItemsOf(Message message) => message switch
    {
        Ping p => p.Piggyback,
        PingReq q => q.Piggyback,
        Ack a => a.Piggyback,
        Gossip g => g.Items,
        PushPullRecords r => r.Items,
        _ => default,
    };

    // ---- encoding ----------------------------------------------------------------------------------------------

    private static void WriteMessage(ref MsgPackWriter w, Message message)
    {
        w.WriteRawByte(Magic0);
        w.WriteRawByte(Magic1);
        w.WriteRawByte(WireLimits.ProtocolVersion);
        w.WriteRawByte((byte)message.Type);
        switch (message)
        {
            case Ping p:
                w.WriteArrayHeader(PingFields);
                w.WriteUInt(p.Sender);
                w.WriteUInt(p.Seq);
                w.WriteUInt(p.Target);
                w.WriteUInt(p.KnownSummaryVersion);
                WriteItems(ref w, p.Piggyback);
                break;
            case PingReq q:
                w.WriteArrayHeader(PingReqFields);
                w.WriteUInt(q.Sender);
                w.WriteUInt(q.Seq);
                w.WriteUInt(q.Target);
                w.WriteString(q.TargetAddress);
                WriteItems(ref w, q.Piggyback);
                break;
            case Ack a:
                w.WriteArrayHeader(AckFields);
                w.WriteUInt(a.Sender);
                w.WriteUInt(a.Seq);
                w.WriteUInt(a.Responder);
                WriteItems(ref w, a.Piggyback);
                break;
            case Nack n:
                w.WriteArrayHeader(NackFields);
                w.WriteUInt(n.Sender);
                w.WriteUInt(n.Seq);
                break;
            case Gossip g:
                w.WriteArrayHeader(GossipFields);
                w.WriteUInt(g.Sender);
                w.WriteBool(g.Urgent);
                WriteItems(ref w, g.Items);
                break;
            case PushPullDigest d:
                w.WriteArrayHeader(DigestFields);
                w.WriteUInt(d.Sender);
                w.WriteUInt(d.ExchangeId);
                w.WriteBool(d.IsReply);
                w.WriteUInt(d.ChunkIndex);
                w.WriteUInt(d.ChunkCount);
                w.WriteUInt(d.RangeStart);
                w.WriteUInt(d.RangeEnd);
                var entries = d.Entries.IsDefault ? [] : d.Entries.AsSpan();
                w.WriteArrayHeader(entries.Length);
                foreach (var entry in entries)
                {
                    w.WriteArrayHeader(DigestEntryFields);
                    w.WriteUInt(entry.Origin);
                    w.WriteUInt((byte)entry.Kind);
                    w.WriteUInt(entry.Version);
                }
                break;
            case PushPullRecords r:
                w.WriteArrayHeader(RecordsFields);
                w.WriteUInt(r.Sender);
                w.WriteUInt(r.ExchangeId);
                WriteItems(ref w, r.Items);
                break;
            case PushPullSummary summary:
                w.WriteArrayHeader(SummaryFields);
                w.WriteUInt(summary.Sender);
                w.WriteUInt(summary.ExchangeId);
                var ranges = summary.Ranges.IsDefault ? [] : summary.Ranges.AsSpan();
                w.WriteArrayHeader(ranges.Length);
                foreach (var range in ranges)
                {
                    w.WriteArrayHeader(DigestRangeFields);
                    w.WriteUInt(range.Start);
                    w.WriteUInt(range.End);
                    w.WriteUInt(range.Count);
                    w.WriteUInt(range.Hash);
                }
                break;
        }
    }

    private static void WriteItems(ref MsgPackWriter w, ImmutableArray<IGossipItem> items)
    {
        if (items.IsDefault)
        {
            w.WriteArrayHeader(0);
            return;
        }
        w.WriteArrayHeader(items.Length);
        foreach (var item in items) ItemFormat.Write(ref w, item, canonical: false);
    }

    /// <summary>Writes without validation or the datagram bound (tests check the size rule beyond 1,200 bytes).</summary>
    internal static int EncodeUnchecked(Message message, Span<byte> destination)
    {
        var writer = new MsgPackWriter(destination);
        WriteMessage(ref writer, message);
        return writer.Written;
    }

    // ---- decoding ----------------------------------------------------------------------------------------------

    /// <summary>The decoder without the last-resort catch, so tests see any exception a bug would raise.</summary>
    internal static bool TryDecodeCore(ReadOnlySpan<byte> datagram, out Message? message, out DecodeError error) =>
        TryDecodeCore(datagram, interner: null, out message, out error);

    internal static bool TryDecodeCore(ReadOnlySpan<byte> datagram, ItemInterner? interner, out Message? message, out DecodeError error)
    {
        message = null;
        error = DecodeHeader(datagram, out var type);
        if (error == DecodeError.None)
        {
            var reader = new MsgPackReader(datagram[HeaderSize..]);
            error = DecodeBody(ref reader, type, interner, out message);
            if (error == DecodeError.None && reader.Remaining != 0) error = DecodeError.TrailingBytes;
        }
        if (error != DecodeError.None) message = null;
        return error == DecodeError.None;
    }

    private static DecodeError DecodeHeader(ReadOnlySpan<byte> datagram, out MessageType type)
    {
        type = default;
        if (datagram.Length > WireLimits.MaxDatagram) return DecodeError.TooLarge;
        if (datagram.Length >= 1 && datagram[0] != Magic0) return DecodeError.BadMagic;
        if (datagram.Length >= 2 && datagram[1] != Magic1) return DecodeError.BadMagic;
        if (datagram.Length < HeaderSize) return DecodeError.Truncated;
        if (datagram[2] != WireLimits.ProtocolVersion) return DecodeError.UnsupportedVersion;
        type = (MessageType)datagram[3];
        return type is >= MessageType.Ping and <= MessageType.PushPullSummary ? DecodeError.None : DecodeError.UnknownMessageType;
    }

    private static DecodeError DecodeBody(ref MsgPackReader r, MessageType type, ItemInterner? interner, out Message? message)
    {
        message = null;
        DecodeError e;
        ulong sender;
        uint seq, exchangeId;
        ulong target;
        ImmutableArray<IGossipItem> items;
        switch (type)
        {
            case MessageType.Ping:
                if ((e = r.ReadFixedArray(PingFields)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out sender)) != DecodeError.None) return e;
                if ((e = r.ReadUInt32(out seq)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out target)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out ulong knownSummaryVersion)) != DecodeError.None) return e;
                if ((e = ReadItems(ref r, interner, out items)) != DecodeError.None) return e;
                message = new Ping(sender, seq, target, knownSummaryVersion, items);
                return DecodeError.None;
            case MessageType.PingReq:
                if ((e = r.ReadFixedArray(PingReqFields)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out sender)) != DecodeError.None) return e;
                if ((e = r.ReadUInt32(out seq)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out target)) != DecodeError.None) return e;
                if ((e = r.ReadString(WireLimits.MaxAddressBytes, out var address)) != DecodeError.None) return e;
                if ((e = ReadItems(ref r, interner, out items)) != DecodeError.None) return e;
                message = new PingReq(sender, seq, target, address, items);
                return DecodeError.None;
            case MessageType.Ack:
                if ((e = r.ReadFixedArray(AckFields)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out sender)) != DecodeError.None) return e;
                if ((e = r.ReadUInt32(out seq)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out ulong responder)) != DecodeError.None) return e;
                if ((e = ReadItems(ref r, interner, out items)) != DecodeError.None) return e;
                message = new Ack(sender, seq, responder, items);
                return DecodeError.None;
            case MessageType.Nack:
                if ((e = r.ReadFixedArray(NackFields)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out sender)) != DecodeError.None) return e;
                if ((e = r.ReadUInt32(out seq)) != DecodeError.None) return e;
                message = new Nack(sender, seq);
                return DecodeError.None;
            case MessageType.Gossip:
                if ((e = r.ReadFixedArray(GossipFields)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out sender)) != DecodeError.None) return e;
                if ((e = r.ReadBool(out bool urgent)) != DecodeError.None) return e;
                if ((e = ReadItems(ref r, interner, out items)) != DecodeError.None) return e;
                message = new Gossip(sender, urgent, items);
                return DecodeError.None;
            case MessageType.PushPullDigest:
                return DecodeDigest(ref r, out message);
            case MessageType.PushPullSummary:
                return DecodeSummary(ref r, out message);
            default:
                if ((e = r.ReadFixedArray(RecordsFields)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out sender)) != DecodeError.None) return e;
                if ((e = r.ReadUInt32(out exchangeId)) != DecodeError.None) return e;
                if ((e = ReadItems(ref r, interner, out items)) != DecodeError.None) return e;
                message = new PushPullRecords(sender, exchangeId, items);
                return DecodeError.None;
        }
    }

    private static DecodeError DecodeDigest(ref MsgPackReader r, out Message? message)
    {
        message = null;
        DecodeError e;
        if ((e = r.ReadFixedArray(DigestFields)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong sender)) != DecodeError.None) return e;
        if ((e = r.ReadUInt32(out uint exchangeId)) != DecodeError.None) return e;
        if ((e = r.ReadBool(out bool isReply)) != DecodeError.None) return e;
        if ((e = r.ReadUInt16(out ushort chunkIndex)) != DecodeError.None) return e;
        if ((e = r.ReadUInt16(out ushort chunkCount)) != DecodeError.None) return e;
        if (chunkIndex >= chunkCount) return DecodeError.InvalidValue;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong rangeStart)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong rangeEnd)) != DecodeError.None) return e;
        if (rangeStart > rangeEnd) return DecodeError.InvalidValue;
        if ((e = r.ReadArrayHeader(WireLimits.MaxDigestEntriesPerMessage, out int count)) != DecodeError.None) return e;
        var entries = ImmutableArray<DigestEntry>.Empty;
        if (count > 0)
        {
            var array = new DigestEntry[count];
            for (int i = 0; i < count; i++)
            {
                if ((e = r.ReadFixedArray(DigestEntryFields)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out ulong origin)) != DecodeError.None) return e;
                if ((e = r.ReadByte(byte.MaxValue, out byte kind)) != DecodeError.None) return e;
                if (!IsKnownKind((GossipItemKind)kind)) return DecodeError.UnknownItemKind;
                if ((e = r.ReadUInt(ulong.MaxValue, out ulong version)) != DecodeError.None) return e;
                array[i] = new DigestEntry(origin, (GossipItemKind)kind, version);
            }
            entries = ImmutableCollectionsMarshal.AsImmutableArray(array);
        }
        message = new PushPullDigest(sender, exchangeId, isReply, chunkIndex, chunkCount, rangeStart, rangeEnd, entries);
        return DecodeError.None;
    }

    private static DecodeError DecodeSummary(ref MsgPackReader r, out Message? message)
    {
        message = null;
        DecodeError e;
        if ((e = r.ReadFixedArray(SummaryFields)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong sender)) != DecodeError.None) return e;
        if ((e = r.ReadUInt32(out uint exchangeId)) != DecodeError.None) return e;
        if ((e = r.ReadArrayHeader(WireLimits.MaxSummaryRangesPerMessage, out int count)) != DecodeError.None) return e;
        var ranges = ImmutableArray<DigestRange>.Empty;
        if (count > 0)
        {
            var array = new DigestRange[count];
            for (int i = 0; i < count; i++)
            {
                if ((e = r.ReadFixedArray(DigestRangeFields)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out ulong start)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out ulong end)) != DecodeError.None) return e;
                if (start > end) return DecodeError.InvalidValue;
                if ((e = r.ReadUInt32(out uint entries)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(ulong.MaxValue, out ulong hash)) != DecodeError.None) return e;
                array[i] = new DigestRange(start, end, entries, hash);
            }
            ranges = ImmutableCollectionsMarshal.AsImmutableArray(array);
        }
        message = new PushPullSummary(sender, exchangeId, ranges);
        return DecodeError.None;
    }

    private static DecodeError ReadItems(ref MsgPackReader r, ItemInterner? interner, out ImmutableArray<IGossipItem> items)
    {
        items = ImmutableArray<IGossipItem>.Empty;
        DecodeError e;
        if ((e = r.ReadArrayHeader(WireLimits.MaxItemsPerMessage, out int count)) != DecodeError.None) return e;
        if (count == 0) return DecodeError.None;
        var array = new IGossipItem[count];
        for (int i = 0; i < count; i++)
        {
            if ((e = ReadItem(ref r, interner, out var item)) != DecodeError.None) return e;
            array[i] = item!;
        }
        items = ImmutableCollectionsMarshal.AsImmutableArray(array);
        return DecodeError.None;
    }

    private static DecodeError ReadItem(ref MsgPackReader r, ItemInterner? interner, out IGossipItem? item)
    {
        if (interner is null) return ItemFormat.ReadItem(ref r, out item);
        int start = r.Position;
        var extent = r;
        if (extent.Skip() != DecodeError.None) return ItemFormat.ReadItem(ref r, out item); // let the reader name the error
        if (interner.TryGet(extent.Consumed(start), out var known))
        {
            r = extent;
            item = known;
            return DecodeError.None;
        }
        var e = ItemFormat.ReadItem(ref r, out item);
        if (e == DecodeError.None && r.Position == extent.Position) interner.Add(r.Consumed(start), item!);
        return e;
    }
}
