using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Wire;
using FsCheck.Xunit;
using Xunit.Abstractions;
using static Evernet.Gossip.Tests.TestIdentities;
using GossipMessage = Evernet.Gossip.Wire.Gossip;

namespace Evernet.Gossip.Tests;

public sealed class WireCodecTests(ITestOutputHelper output)
{
    private static readonly ISignatureVerifier Verifier = new Ed25519Verifier();

    private static byte[] Encode(Message message)
    {
        Assert.True(WireCodec.TryEncode(message, out byte[]? bytes));
        return bytes;
    }

    private static DecodeError DecodeError(byte[] datagram)
    {
        Assert.False(WireCodec.TryDecodeCore(datagram, out var message, out var error));
        Assert.Null(message);
        return error;
    }

    private static byte[] Raw(byte type, Action<MsgPackWriterBox> body)
    {
        var box = new MsgPackWriterBox();
        body(box);
        return [WireCodec.Magic0, WireCodec.Magic1, WireLimits.ProtocolVersion, type, .. box.Bytes];
    }

    /// <summary>Hand-built bodies for inputs the encoder would never produce.</summary>
    private sealed class MsgPackWriterBox
    {
        private readonly List<byte> _bytes = [];
        public byte[] Bytes => [.. _bytes];
        public MsgPackWriterBox Raw(params byte[] bytes) { _bytes.AddRange(bytes); return this; }
        public MsgPackWriterBox UInt(ulong value) => With((ref MsgPackWriter w) => w.WriteUInt(value), MsgPackSize.UInt(value));
        public MsgPackWriterBox Str(string value) => With((ref MsgPackWriter w) => w.WriteString(value), MsgPackSize.String(value));
        public MsgPackWriterBox Array(int count) => With((ref MsgPackWriter w) => w.WriteArrayHeader(count), MsgPackSize.ArrayHeader(count));
        private delegate void Write(ref MsgPackWriter writer);
        private MsgPackWriterBox With(Write write, int size)
        {
            var buffer = new byte[size];
            var writer = new MsgPackWriter(buffer);
            write(ref writer);
            _bytes.AddRange(buffer);
            return this;
        }
    }

    [Fact]
    public void Header_errors_are_typed()
    {
        var nack = Encode(new Nack(1, 2));
        Assert.Equal([0x45, 0x47, 0x01, (byte)MessageType.Nack], nack[..4]);
        Assert.Equal(Wire.DecodeError.Truncated, DecodeError([]));
        Assert.Equal(Wire.DecodeError.Truncated, DecodeError([0x45]));
        Assert.Equal(Wire.DecodeError.Truncated, DecodeError([0x45, 0x47, 0x01]));
        Assert.Equal(Wire.DecodeError.BadMagic, DecodeError([0x00]));
        Assert.Equal(Wire.DecodeError.BadMagic, DecodeError([0x45, 0x48, 0x01, 0x04, 0x92, 0x01, 0x02]));
        Assert.Equal(Wire.DecodeError.UnsupportedVersion, DecodeError([0x45, 0x47, 0x02, 0x04, 0x92, 0x01, 0x02]));
        Assert.Equal(Wire.DecodeError.UnsupportedVersion, DecodeError([0x45, 0x47, 0x00, 0x04]));
        Assert.Equal(Wire.DecodeError.UnknownMessageType, DecodeError([0x45, 0x47, 0x01, 0x00, 0x92, 0x01, 0x02]));
        Assert.Equal(Wire.DecodeError.UnknownMessageType, DecodeError([0x45, 0x47, 0x01, 0x09, 0x92, 0x01, 0x02]));
        Assert.Equal(Wire.DecodeError.TooLarge, DecodeError([.. nack, .. new byte[WireLimits.MaxDatagram + 1 - nack.Length]]));
        Assert.Equal(Wire.DecodeError.TrailingBytes, DecodeError([.. nack, 0x00]));
    }

    [Fact]
    public void Non_canonical_and_out_of_range_values_are_refused()
    {
        const byte nack = (byte)MessageType.Nack;
        Assert.True(WireCodec.TryDecodeCore(Raw(nack, b => b.Array(2).UInt(1).UInt(5)), out var ok, out _));
        Assert.Equal(new Nack(1, 5), ok);
        Assert.Equal(Wire.DecodeError.InvalidValue, DecodeError(Raw(nack, b => b.Array(2).UInt(1).Raw(0xcc, 0x05))));           // uint8 for a fixint
        Assert.Equal(Wire.DecodeError.InvalidValue, DecodeError(Raw(nack, b => b.Array(2).UInt(1).Raw(0xcd, 0x00, 0xff))));     // uint16 for a uint8
        Assert.Equal(Wire.DecodeError.InvalidValue, DecodeError(Raw(nack, b => b.Array(2).UInt(1).UInt(uint.MaxValue + 1UL)))); // seq beyond uint32
        Assert.Equal(Wire.DecodeError.BadFieldType, DecodeError(Raw(nack, b => b.Array(2).UInt(1).Raw(0xff))));                 // negative fixint
        Assert.Equal(Wire.DecodeError.BadFieldType, DecodeError(Raw(nack, b => b.Array(2).Str("1").UInt(5))));
        Assert.Equal(Wire.DecodeError.BadFieldType, DecodeError(Raw(nack, b => b.Raw(0x80))));                                   // a map
        Assert.Equal(Wire.DecodeError.CountOutOfBounds, DecodeError(Raw(nack, b => b.Array(3).UInt(1).UInt(5).UInt(0))));
        Assert.Equal(Wire.DecodeError.InvalidValue, DecodeError(Raw(nack, b => b.Raw(0xdc, 0x00, 0x02).UInt(1).UInt(5))));     // array16 for 2
        Assert.Equal(Wire.DecodeError.Truncated, DecodeError(Raw(nack, b => b.Array(2).UInt(1).Raw(0xce, 0x00))));

        const byte gossip = (byte)MessageType.Gossip;
        Assert.Equal(Wire.DecodeError.BadFieldType, DecodeError(Raw(gossip, b => b.Array(3).UInt(1).Raw(0x01).Array(0))));      // 1 is no bool
        Assert.Equal(Wire.DecodeError.CountOutOfBounds, DecodeError(Raw(gossip, b => b.Array(3).UInt(1).Raw(0xc2).Array(33))));
        Assert.Equal(Wire.DecodeError.CountOutOfBounds, DecodeError(Raw(gossip, b => b.Array(3).UInt(1).Raw(0xc2).Raw(0xdd, 0xff, 0xff, 0xff, 0xff))));
        Assert.Equal(Wire.DecodeError.UnknownItemKind, DecodeError(Raw(gossip, b => b.Array(3).UInt(1).Raw(0xc2).Array(1).Array(7).UInt(9))));
        Assert.Equal(Wire.DecodeError.UnknownItemKind, DecodeError(Raw(gossip, b => b.Array(3).UInt(1).Raw(0xc2).Array(1).Array(7).UInt(0))));
        Assert.Equal(Wire.DecodeError.CountOutOfBounds, DecodeError(Raw(gossip, b => b.Array(3).UInt(1).Raw(0xc2).Array(1).Array(8).UInt(3))));

        const byte pingReq = (byte)MessageType.PingReq;
        Assert.Equal(Wire.DecodeError.LengthOutOfBounds, DecodeError(Raw(pingReq, b => b.Array(5).UInt(1).UInt(2).UInt(3).Str(new string('a', 65)).Array(0))));
        Assert.Equal(Wire.DecodeError.InvalidValue, DecodeError(Raw(pingReq, b => b.Array(5).UInt(1).UInt(2).UInt(3).Raw(0xa2, 0xc3, 0x28).Array(0))));   // bad UTF-8
        Assert.Equal(Wire.DecodeError.InvalidValue, DecodeError(Raw(pingReq, b => b.Array(5).UInt(1).UInt(2).UInt(3).Raw(0xd9, 0x01, 0x61).Array(0))));   // str8 for 1 byte
        Assert.Equal(Wire.DecodeError.LengthOutOfBounds, DecodeError(Raw(pingReq, b => b.Array(5).UInt(1).UInt(2).UInt(3).Raw(0xdb, 0xff, 0xff, 0xff, 0xff))));
    }

    public static TheoryData<string, DecodeError> InvalidItems => new()
    {
        { "9 addresses", Wire.DecodeError.CountOutOfBounds },
        { "17 prefixes", Wire.DecodeError.CountOutOfBounds },
        { "65-byte address", Wire.DecodeError.LengthOutOfBounds },
        { "31-byte WireGuard key", Wire.DecodeError.LengthOutOfBounds },
        { "63-byte certificate signature", Wire.DecodeError.LengthOutOfBounds },
        { "roles 4", Wire.DecodeError.InvalidValue },
        { "65-byte record signature", Wire.DecodeError.LengthOutOfBounds },
        { "uplink 3", Wire.DecodeError.InvalidValue },
        { "9 targets", Wire.DecodeError.CountOutOfBounds },
        { "loss 1001", Wire.DecodeError.InvalidValue },
        { "verdict 3", Wire.DecodeError.InvalidValue },
        { "verdict 0", Wire.DecodeError.InvalidValue },
        { "65-byte reason", Wire.DecodeError.LengthOutOfBounds },
        { "unsigned accusation", Wire.DecodeError.LengthOutOfBounds },
    };

    /// <summary>The encoder refuses each bound the decoder enforces, and names the same error.</summary>
    [Theory]
    [MemberData(nameof(InvalidItems))]
    public void Every_item_bound_is_enforced_on_both_sides(string what, DecodeError expected)
    {
        using var authority = Key(1);
        using var node = Key(2);
        var record = Record(node, Certificate(authority, node.Id));
        var summary = Summary(node);
        var accusation = Accusation(node, authority.Id);
        IGossipItem item = what switch
        {
            "9 addresses" => record with { Addresses = Enumerable.Repeat("a", 9).ToImmutableArray() },
            "17 prefixes" => record with { ClientPrefixes = Enumerable.Repeat("p", 17).ToImmutableArray() },
            "65-byte address" => record with { Addresses = [new string('a', 65)] },
            "31-byte WireGuard key" => record with { Certificate = record.Certificate with { WireGuardPublicKey = new byte[31] } },
            "63-byte certificate signature" => record with { Certificate = record.Certificate with { Signature = new byte[63] } },
            "roles 4" => record with { Certificate = record.Certificate with { Roles = (NodeRoles)4 } },
            "65-byte record signature" => record with { Signature = new byte[65] },
            "uplink 3" => summary with { Uplink = (UplinkState)3 },
            "9 targets" => summary with { Targets = Enumerable.Repeat(summary.Targets[0], 9).ToImmutableArray() },
            "loss 1001" => summary with { Targets = [summary.Targets[0] with { LossPermille = 1001 }] },
            "verdict 3" => accusation with { Verdict = (Verdict)3 },
            "verdict 0" => accusation with { Verdict = 0 },
            "65-byte reason" => new Revocation(node.Id, 1, 0, new string('r', 65), authority.Id, new byte[64]),
            "unsigned accusation" => accusation with { Signature = ReadOnlyMemory<byte>.Empty },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        Assert.Equal(expected, WireCodec.ValidateItem(item));
        var message = new GossipMessage(1, false, [item]);
        Assert.Equal(expected, WireCodec.Validate(message));
        Assert.False(WireCodec.TryEncode(message, out byte[]? _));

        var buffer = new byte[4096];
        int length = WireCodec.EncodeUnchecked(message, buffer);
        if (length <= WireLimits.MaxDatagram) Assert.Equal(expected, DecodeError(buffer[..length]));
    }

    /// <summary>The encoder refuses the message and the decoder refuses its forced encoding, with the same error.</summary>
    private static void AssertRefusedOnBothSides(Message message, DecodeError expected)
    {
        Assert.Equal(expected, WireCodec.Validate(message));
        Assert.False(WireCodec.TryEncode(message, out byte[]? _));
        var buffer = new byte[4096];
        int length = WireCodec.EncodeUnchecked(message, buffer);
        Assert.Equal(expected, DecodeError(buffer[..length]));
    }

    [Fact]
    public void Digest_bounds_are_enforced_on_both_sides()
    {
        var entry = new DigestEntry(ulong.MaxValue, GossipItemKind.NodeRecord, 3);
        AssertRefusedOnBothSides(new PushPullDigest(1, 2, false, 0, 0, 0, ulong.MaxValue, []), Wire.DecodeError.InvalidValue);
        AssertRefusedOnBothSides(new PushPullDigest(1, 2, false, 3, 3, 0, ulong.MaxValue, []), Wire.DecodeError.InvalidValue);
        AssertRefusedOnBothSides(new PushPullDigest(1, 2, false, 0, 1, 0, ulong.MaxValue, [entry with { Kind = (GossipItemKind)5 }]), Wire.DecodeError.UnknownItemKind);
        AssertRefusedOnBothSides(new PushPullDigest(1, 2, false, 0, 1, 5, 4, []), Wire.DecodeError.InvalidValue);
        AssertRefusedOnBothSides(new PushPullDigest(1, 2, false, 0, 1, 0, ulong.MaxValue, Enumerable.Repeat(entry with { Origin = 1, Version = 1 }, 65).ToImmutableArray()), Wire.DecodeError.CountOutOfBounds);
        Assert.True(WireCodec.TryEncode(new PushPullDigest(1, 2, true, 0, 1, 0, ulong.MaxValue, Enumerable.Repeat(entry, 64).ToImmutableArray()), out byte[]? full));
        Assert.True(full.Length <= WireLimits.MaxDatagram);
    }

    [Fact]
    public void Summary_bounds_are_enforced_on_both_sides()
    {
        var widest = new DigestRange(ulong.MaxValue - 1, ulong.MaxValue, uint.MaxValue, ulong.MaxValue);
        AssertRefusedOnBothSides(new PushPullSummary(1, 2, [widest with { Start = 5, End = 4 }]), Wire.DecodeError.InvalidValue);
        AssertRefusedOnBothSides(new PushPullSummary(1, 2, Enumerable.Repeat(widest, WireLimits.MaxSummaryRangesPerMessage + 1).ToImmutableArray()), Wire.DecodeError.CountOutOfBounds);
        // The most ranges of the widest encoding still fit one datagram.
        Assert.True(WireCodec.TryEncode(new PushPullSummary(ulong.MaxValue, uint.MaxValue, Enumerable.Repeat(widest, WireLimits.MaxSummaryRangesPerMessage).ToImmutableArray()), out byte[]? full));
        Assert.Equal(1_078, full.Length);
    }

    /// <summary>What the decoder refuses and what Validate names are the same, for any generated message.</summary>
    [Property(Arbitrary = [typeof(WireGenerators)], MaxTest = 1500)]
    public void Validate_names_the_error_the_decoder_meets(Message message)
    {
        var buffer = new byte[WireCodec.MeasureMessage(message)];
        int length = WireCodec.EncodeUnchecked(message, buffer);
        if (length > WireLimits.MaxDatagram) return;
        WireCodec.TryDecodeCore(buffer, out _, out var error);
        Assert.Equal(WireCodec.Validate(message), error);
    }

    /// <summary>
    /// A signed item on the wire with any single bit flipped: either the datagram is refused, or the flip landed
    /// outside the item (the item decodes unchanged), or the decoded item does not verify.
    /// </summary>
    [Fact]
    public void Every_single_bit_flip_of_a_signed_item_is_refused_or_fails_verification()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var items = new IGossipItem[]
        {
            Record(node, Certificate(authority, node.Id)),
            Summary(node),
            Accusation(node, authority.Id),
            new CertificateAuthority(authority).Revoke(node.Id, 3, Now, "stolen"),
        };
        foreach (var item in items)
        {
            Assert.True(Signing.VerifyItem(item, Verifier));
            var encoded = Encode(new GossipMessage(0x0102030405060708, true, [item]));
            int refused = 0, outside = 0, failed = 0;
            for (int bit = 0; bit < encoded.Length * 8; bit++)
            {
                var flipped = (byte[])encoded.Clone();
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                if (!WireCodec.TryDecodeCore(flipped, out var message, out _)) { refused++; continue; }
                var decoded = ((GossipMessage)message!).Items.Single();
                if (WireEquality.Difference(item, decoded) is null) { outside++; continue; }
                Assert.False(Signing.VerifyItem(decoded, Verifier), $"{item.Kind}: bit {bit} flipped and the item still verifies");
                failed++;
            }
            output.WriteLine($"{item.Kind}: {encoded.Length} bytes, {refused} flips refused, {outside} outside the item, {failed} decoded but failed verification");
            Assert.True(failed > encoded.Length * 4, "most flips land in field values and must reach the verifier");
        }
    }

    [Fact]
    public void Typical_sizes_fit_the_budget()
    {
        using var authority = Key(1);
        using var gateway = Key(2);
        const ulong shortId = 0x9c3a_51f2_0d44_e17bUL;
        var certificate = new CertificateAuthority(authority).Issue(gateway.Id, WireGuardKey(2), "gw-nord-01", NodeRoles.Node | NodeRoles.Gateway, 17,
            Now, Now.AddDays(365));
        var record = Signing.SignNodeRecord(new NodeRecord(gateway.Id, 1_760_000_000_123, Now.ToUnixTimeMilliseconds(), 4, false,
            ["10.31.0.1:7946", "[fd31::1]:7946"], ["10.31.64.0/22"], certificate, ReadOnlyMemory<byte>.Empty), gateway);
        var summary = Signing.SignGatewaySummary(new GatewaySummary(gateway.Id, 1_760_000_000_456, Now.ToUnixTimeMilliseconds(), UplinkState.Up,
            [new ProbeTargetStats("9.9.9.9", 0, 14_250, 900), new ProbeTargetStats("1.1.1.1", 3, 12_100, 700), new ProbeTargetStats("8.8.8.8", 0, 13_800, 650)],
            100_000_000, 40_000_000, 38_500_000, 6_200_000, 1_874, 212, false, ReadOnlyMemory<byte>.Empty), gateway);
        var accusation = Accusation(gateway, authority.Id);
        var revocation = new CertificateAuthority(authority).Revoke(gateway.Id, 17, Now, "decommissioned");

        int ping = Encode(new Ping(shortId, 70_000, shortId ^ 1, 0, [])).Length;
        int pingWithVersion = Encode(new Ping(shortId, 70_000, shortId ^ 1, 1_760_000_000_456, [])).Length;
        int ack = Encode(new Ack(shortId, 70_000, shortId ^ 1, [])).Length;
        int nack = Encode(new Nack(shortId, 70_000)).Length;
        int pingReq = Encode(new PingReq(shortId, 70_000, shortId ^ 1, "[fd31::1]:7946", [])).Length;
        int recordSize = WireCodec.MeasureItem(record);
        int summarySize = WireCodec.MeasureItem(summary);
        int accusationSize = WireCodec.MeasureItem(accusation);
        int revocationSize = WireCodec.MeasureItem(revocation);
        int ackWithSummary = Encode(new Ack(shortId, 70_000, shortId ^ 1, [summary])).Length;
        var digest = new PushPullDigest(shortId, 9, false, 0, 1, 0, ulong.MaxValue,
            Enumerable.Range(0, 64).Select(i => new DigestEntry(shortId + (ulong)i, GossipItemKind.NodeRecord, 1_760_000_000_123 + (ulong)i)).ToImmutableArray());
        int digestSize = WireCodec.MeasureMessage(digest);

        output.WriteLine($"ping {ping} (with summary version {pingWithVersion}), ack {ack}, nack {nack}, ping-req {pingReq}");
        output.WriteLine($"node record {recordSize}, gateway summary (3 targets) {summarySize}, accusation {accusationSize}, revocation {revocationSize}");
        output.WriteLine($"ack carrying a summary {ackWithSummary}; digest of 64 entries with 64-bit ids and versions {digestSize}");

        Assert.Equal(ackWithSummary, ack + summarySize);
        Assert.InRange(ping, 20, 40);
        Assert.InRange(ack, 20, 40);
        Assert.InRange(recordSize, 300, 500);
        Assert.InRange(summarySize, 150, 300);
        Assert.True(ping + 2 * recordSize + summarySize <= WireLimits.MaxDatagram, "a ping must carry two records and a summary");

        // Fill a datagram by the documented rule and check it is exact at the boundary.
        var piggyback = new List<IGossipItem>();
        var probe = new Ping(shortId, 1, 2, 0, []);
        int used = WireCodec.MeasureEnvelope(probe);
        while (true)
        {
            var next = piggyback.Count % 2 == 0 ? (IGossipItem)accusation : revocation;
            int grown = used + WireCodec.MeasureItem(next) + WireCodec.ItemArrayHeaderGrowth(piggyback.Count + 1) - WireCodec.ItemArrayHeaderGrowth(piggyback.Count);
            if (grown > WireLimits.MaxDatagram) break;
            piggyback.Add(next);
            used = grown;
        }
        var packed = probe with { Piggyback = [.. piggyback] };
        Assert.Equal(used, Encode(packed).Length);
        var overfull = packed with { Piggyback = [.. piggyback, accusation] };
        Assert.False(WireCodec.TryEncode(overfull, out byte[]? _));
        Assert.False(WireCodec.TryEncode(packed, new byte[used - 1], out _));
        output.WriteLine($"a ping packs {piggyback.Count} accusations/revocations into {used} bytes");
    }

    [Fact]
    public void Decoded_items_verify_like_the_originals()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var record = Record(node, Certificate(authority, node.Id));
        var bytes = Encode(new PushPullRecords(7, 9, [record, Summary(node), Accusation(node, authority.Id)]));
        Assert.True(WireCodec.TryDecode(bytes, out var message, out _));
        var decoded = ((PushPullRecords)message!).Items;
        Assert.All(decoded, item => Assert.True(Signing.VerifyItem(item, Verifier)));
        var decodedRecord = (NodeRecord)decoded[0];
        Assert.Equal(AdmissionResult.Valid, new TrustStore([authority.Id]).Check(decodedRecord.Certificate, Now.ToUnixTimeSeconds(), Verifier));
    }

    [Fact]
    public void Default_arrays_encode_as_empty()
    {
        var bytes = Encode(new GossipMessage(1, false, default));
        Assert.Equal(WireCodec.MeasureEnvelope(new GossipMessage(1, false, default)), bytes.Length);
        Assert.True(WireCodec.TryDecode(bytes, out var message, out _));
        Assert.Empty(((GossipMessage)message!).Items);
        Assert.False(((GossipMessage)message!).Items.IsDefault);
    }

    [Fact]
    public void The_largest_single_item_fits_exactly()
    {
        var widest = new PushPullRecords(ulong.MaxValue, uint.MaxValue, []);
        Assert.Equal(WireLimits.MaxDatagram, WireCodec.MeasureEnvelope(widest) + WireCodec.MaxSingleItemSize);
        var widestGossip = new GossipMessage(ulong.MaxValue, true, []);
        Assert.True(WireCodec.MeasureEnvelope(widestGossip) + WireCodec.MaxSingleItemSize <= WireLimits.MaxDatagram);

        using var authority = Key(1);
        using var node = Key(2);
        var record = Record(node, Certificate(authority, node.Id));
        var biggest = record with
        {
            Addresses = Enumerable.Range(0, WireLimits.MaxAddresses).Select(i => new string((char)('a' + i), WireLimits.MaxAddressBytes)).ToImmutableArray(),
            ClientPrefixes = Enumerable.Range(0, WireLimits.MaxClientPrefixes).Select(i => new string((char)('a' + i), WireLimits.MaxStringBytes)).ToImmutableArray(),
        };
        Assert.Equal(Wire.DecodeError.None, WireCodec.ValidateItem(biggest));
        Assert.True(WireCodec.MeasureItem(biggest) > WireCodec.MaxSingleItemSize, "a record at every bound cannot travel: the node must refuse to make one");
        Assert.False(WireCodec.TryEncode(new PushPullRecords(1, 1, [biggest]), out byte[]? _));
    }
}
