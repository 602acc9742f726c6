using System.Collections.Immutable;
using System.Text;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Wire;
using FsCheck;
using FsCheck.Fluent;

using GossipMessage = Evernet.Gossip.Wire.Gossip;

namespace Evernet.Gossip.Tests;

/// <summary>
/// Generators for every message and item. Integers are drawn across all MessagePack size classes (and their
/// boundaries); strings mix 1- to 4-byte UTF-8 characters; a small share of values breaks a wire bound on purpose so
/// the properties also see what the encoder must refuse.
/// </summary>
public static class WireGenerators
{
    private static readonly Gen<int> Int32Any = Gen.Choose(int.MinValue, int.MaxValue);

    public static readonly Gen<byte> Byte = Gen.Choose(0, 255).Select(i => (byte)i);

    private static readonly Gen<ulong> Bits64 =
        from hi in Int32Any
        from lo in Int32Any
        select ((ulong)(uint)hi << 32) | (uint)lo;

    public static readonly Gen<ulong> UInt64 = Gen.Frequency(
        (1, Gen.Elements(0UL, 1UL, 0x7fUL, 0x80UL, 0xffUL, 0x100UL, 0xffffUL, 0x10000UL, 0xffff_ffffUL, 0x1_0000_0000UL, (ulong)long.MaxValue, ulong.MaxValue)),
        (3, from width in Gen.Choose(0, 64) from bits in Bits64 select width == 0 ? 0UL : bits >> (64 - width)));

    public static readonly Gen<uint> UInt32 = UInt64.Select(v => (uint)(v >> 32 == 0 ? v : v >> 32));
    public static readonly Gen<ushort> UInt16 = UInt64.Select(v => (ushort)(v & 0xffff));
    public static readonly Gen<long> Int64 = Gen.Frequency(
        (1, Gen.Elements(0L, -1L, -32L, -33L, -128L, -129L, -32768L, -32769L, int.MinValue, (long)int.MinValue - 1, long.MinValue, long.MaxValue)),
        (3, from v in UInt64 from negative in Gen.Elements(false, true) select negative ? -(long)(v >> 1) - 1 : (long)(v >> 1)));

    public static Gen<byte[]> Bytes(int length) => Gen.ArrayOf(Byte, length);

    public static readonly Gen<NodeId> NodeIds = Bytes(NodeId.Size).Select(b => NodeId.FromBytes(b));

    /// <summary>Mostly exact 64 bytes; rarely a wrong length, which the encoder must refuse.</summary>
    private static readonly Gen<ReadOnlyMemory<byte>> Signatures = Gen.Frequency(
        (40, Bytes(WireLimits.SignatureSize).Select(b => (ReadOnlyMemory<byte>)b)),
        (1, Gen.Elements(0, 63, 65).SelectMany(n => Bytes(n)).Select(b => (ReadOnlyMemory<byte>)b)));

    private static readonly string[] Pieces = ["a", "b", "z", "0", "9", ".", ":", "/", "-", "[", "]", " ", "ü", "ß", "中", "€", "😀", "🛰"];

    /// <summary>Strings of at most <paramref name="maxBytes"/> UTF-8 bytes (rarely a few more).</summary>
    public static Gen<string> Text(int maxBytes) =>
        from limit in Gen.Frequency((30, Gen.Constant(maxBytes)), (1, Gen.Constant(maxBytes + 8)))
        from count in Gen.Frequency((3, Gen.Choose(0, 12)), (1, Gen.Choose(0, 70)))
        from parts in Gen.ArrayOf(Gen.Elements(Pieces), count)
        select Truncate(parts, limit);

    private static string Truncate(string[] parts, int maxBytes)
    {
        var builder = new StringBuilder();
        int bytes = 0;
        foreach (var part in parts)
        {
            int size = Encoding.UTF8.GetByteCount(part);
            if (bytes + size > maxBytes) break;
            builder.Append(part);
            bytes += size;
        }
        return builder.ToString();
    }

    private static Gen<ImmutableArray<T>> ArrayOf<T>(Gen<T> element, int max) =>
        from count in Gen.Frequency((20, Gen.Choose(0, Math.Min(max, 4))), (2, Gen.Choose(0, max)), (1, Gen.Constant(max + 1)))
        from items in Gen.ArrayOf(element, count)
        select items.ToImmutableArray();

    public static readonly Gen<MembershipCertificate> Certificates =
        from node in NodeIds
        from key in Gen.Frequency((40, Bytes(32)), (1, Bytes(31)))
        from name in Text(WireLimits.MaxStringBytes)
        from roles in Gen.Frequency((40, Gen.Choose(0, 3)), (1, Gen.Constant(4)))
        from serial in UInt64
        from notBefore in Int64
        from notAfter in Int64
        from authority in NodeIds
        from signature in Signatures
        select new MembershipCertificate(node, key, name, (NodeRoles)roles, serial, notBefore, notAfter, authority, signature);

    public static readonly Gen<NodeRecord> NodeRecords =
        from origin in NodeIds
        from version in UInt64
        from timestamp in Int64
        from incarnation in UInt32
        from left in Gen.Elements(false, true)
        from addresses in ArrayOf(Text(WireLimits.MaxAddressBytes), WireLimits.MaxAddresses)
        from prefixes in ArrayOf(Text(WireLimits.MaxStringBytes), WireLimits.MaxClientPrefixes)
        from certificate in Certificates
        from signature in Signatures
        select new NodeRecord(origin, version, timestamp, incarnation, left, addresses, prefixes, certificate, signature);

    private static readonly Gen<ProbeTargetStats> ProbeTargets =
        from target in Text(WireLimits.MaxStringBytes)
        from loss in Gen.Frequency((40, Gen.Choose(0, 1000)), (1, Gen.Choose(1001, 65535)))
        from rtt in UInt32
        from jitter in UInt32
        select new ProbeTargetStats(target, (ushort)loss, rtt, jitter);

    public static readonly Gen<GatewaySummary> GatewaySummaries =
        from origin in NodeIds
        from version in UInt64
        from timestamp in Int64
        from uplink in Gen.Frequency((40, Gen.Choose(0, 2)), (1, Gen.Constant(3)))
        from targets in ArrayOf(ProbeTargets, WireLimits.MaxProbeTargets)
        from loads in Gen.ArrayOf(UInt64, 4)
        from flows in UInt32
        from clients in UInt32
        from draining in Gen.Elements(false, true)
        from signature in Signatures
        select new GatewaySummary(origin, version, timestamp, (UplinkState)uplink, targets, loads[0], loads[1], loads[2], loads[3], flows, clients, draining, signature);

    public static readonly Gen<Accusation> Accusations =
        from target in NodeIds
        from incarnation in UInt32
        from verdict in Gen.Frequency((40, Gen.Choose(1, 2)), (1, Gen.Elements(0, 3)))
        from accuser in NodeIds
        from timestamp in Int64
        from signature in Signatures
        select new Accusation(target, incarnation, (Verdict)verdict, accuser, timestamp, signature);

    public static readonly Gen<Revocation> Revocations =
        from node in NodeIds
        from serial in UInt64
        from revokedAt in Int64
        from reason in Text(WireLimits.MaxStringBytes)
        from authority in NodeIds
        from signature in Signatures
        select new Revocation(node, serial, revokedAt, reason, authority, signature);

    public static readonly Gen<IGossipItem> Items = Gen.OneOf(
        NodeRecords.Select(x => (IGossipItem)x),
        GatewaySummaries.Select(x => (IGossipItem)x),
        Accusations.Select(x => (IGossipItem)x),
        Revocations.Select(x => (IGossipItem)x));

    /// <summary>Item lists: mostly what fits a datagram, sometimes more (the encoder must refuse those).</summary>
    private static readonly Gen<ImmutableArray<IGossipItem>> ItemLists =
        from count in Gen.Frequency((6, Gen.Choose(0, 2)), (2, Gen.Choose(3, 8)), (1, Gen.Choose(9, 34)))
        from items in Gen.ArrayOf(Items, count)
        from asDefault in Gen.Frequency((20, Gen.Constant(false)), (1, Gen.Constant(true)))
        select count == 0 && asDefault ? default : items.ToImmutableArray();

    private static readonly Gen<DigestEntry> DigestEntries =
        from origin in UInt64
        from kind in Gen.Frequency((40, Gen.Choose(1, 4)), (1, Gen.Elements(0, 5)))
        from version in UInt64
        select new DigestEntry(origin, (GossipItemKind)kind, version);

    private static readonly Gen<DigestRange> DigestRanges =
        from bounds in Gen.ArrayOf(UInt64, 2)
        from inverted in Gen.Frequency((40, Gen.Constant(false)), (1, Gen.Constant(true)))
        from count in UInt32
        from hash in UInt64
        let start = inverted == (bounds[0] <= bounds[1]) ? bounds[1] : bounds[0]
        let end = inverted == (bounds[0] <= bounds[1]) ? bounds[0] : bounds[1]
        select new DigestRange(start, end, count, hash);

    public static readonly Gen<Message> Messages = Gen.OneOf(
        from sender in UInt64 from seq in UInt32 from target in UInt64 from known in UInt64 from items in ItemLists
        select (Message)new Ping(sender, seq, target, known, items),
        from sender in UInt64 from seq in UInt32 from target in UInt64 from address in Text(WireLimits.MaxAddressBytes) from items in ItemLists
        select (Message)new PingReq(sender, seq, target, address, items),
        from sender in UInt64 from seq in UInt32 from responder in UInt64 from items in ItemLists
        select (Message)new Ack(sender, seq, responder, items),
        from sender in UInt64 from seq in UInt32
        select (Message)new Nack(sender, seq),
        from sender in UInt64 from urgent in Gen.Elements(false, true) from items in ItemLists
        select (Message)new GossipMessage(sender, urgent, items),
        from sender in UInt64 from exchange in UInt32 from reply in Gen.Elements(false, true)
        from count in Gen.Frequency((40, UInt16.Where(c => c > 0)), (1, Gen.Constant((ushort)0)))
        from index in Gen.Frequency((40, Gen.Choose(0, Math.Max(0, count - 1))), (1, Gen.Constant((int)count)))
        from bounds in Gen.ArrayOf(UInt64, 2)
        from inverted in Gen.Frequency((40, Gen.Constant(false)), (1, Gen.Constant(true)))
        let rangeStart = inverted == (bounds[0] <= bounds[1]) ? bounds[1] : bounds[0]
        let rangeEnd = inverted == (bounds[0] <= bounds[1]) ? bounds[0] : bounds[1]
        from entryCount in Gen.Frequency((6, Gen.Choose(0, 15)), (3, Gen.Choose(16, 64)), (1, Gen.Choose(65, 70)))
        from entries in Gen.ArrayOf(DigestEntries, entryCount)
        select (Message)new PushPullDigest(sender, exchange, reply, (ushort)index, count, rangeStart, rangeEnd, entries.ToImmutableArray()),
        from sender in UInt64 from exchange in UInt32 from items in ItemLists
        select (Message)new PushPullRecords(sender, exchange, items),
        from sender in UInt64 from exchange in UInt32
        from rangeCount in Gen.Frequency((6, Gen.Choose(0, 12)), (3, Gen.Choose(13, 32)), (1, Gen.Choose(33, 36)))
        from ranges in Gen.ArrayOf(DigestRanges, rangeCount)
        select (Message)new PushPullSummary(sender, exchange, ranges.ToImmutableArray()));


    /// <summary>Encodings of valid messages that fit a datagram.</summary>
    public static readonly Gen<byte[]> ValidEncodings =
        Messages.Select(m => WireCodec.TryEncode(m, out byte[]? bytes) ? bytes : null).Where(b => b is not null).Select(b => b!);

    public static Arbitrary<Message> Message() => Arb.From(Messages);
    public static Arbitrary<IGossipItem> Item() => Arb.From(Items);
}
