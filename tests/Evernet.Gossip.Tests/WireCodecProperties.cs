using Evernet.Gossip.Records;
using Evernet.Gossip.Wire;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using GossipMessage = Evernet.Gossip.Wire.Gossip;

namespace Evernet.Gossip.Tests;

public sealed class WireCodecProperties
{
    /// <summary>
    /// Every valid message that fits a datagram round-trips field for field, and re-encodes to the same bytes;
    /// everything else is refused by the encoder, never half-written.
    /// </summary>
    [Property(Arbitrary = [typeof(WireGenerators)], MaxTest = 1500)]
    public void Encode_then_decode_round_trips_every_message_type(Message message)
    {
        var buffer = new byte[WireLimits.MaxDatagram + 64];
        bool valid = WireCodec.Validate(message) == DecodeError.None;
        int size = WireCodec.MeasureMessage(message);
        bool encoded = WireCodec.TryEncode(message, buffer, out int written);
        Assert.Equal(valid && size <= WireLimits.MaxDatagram, encoded);
        if (!encoded)
        {
            Assert.Equal(0, written);
            return;
        }
        Assert.Equal(size, written);

        Assert.True(WireCodec.TryDecodeCore(buffer.AsSpan(0, written), out var decoded, out var error), $"decode failed: {error}");
        Assert.Equal(DecodeError.None, error);
        Assert.Null(WireEquality.Difference(message, decoded!));

        Assert.True(WireCodec.TryEncode(decoded!, out byte[]? again));
        Assert.Equal(buffer.AsSpan(0, written).ToArray(), again);
    }

    /// <summary>The documented size rule, checked beyond the datagram bound too.</summary>
    [Property(Arbitrary = [typeof(WireGenerators)], MaxTest = 500)]
    public void Measure_is_exact_and_follows_the_documented_rule(Message message)
    {
        if (message is PushPullDigest { ChunkIndex: var i, ChunkCount: var c } && i >= c) return;
        int total = WireCodec.MeasureMessage(message);
        var buffer = new byte[total + 16];
        Assert.Equal(total, WireCodec.EncodeUnchecked(message, buffer));

        int rule = WireCodec.MeasureEnvelope(message);
        switch (message)
        {
            case PushPullDigest d:
                rule += d.Entries.Sum(WireCodec.MeasureDigestEntry) + WireCodec.ItemArrayHeaderGrowth(d.Entries.Length);
                break;
            case PushPullSummary s:
                rule += s.Ranges.Sum(WireCodec.MeasureDigestRange) + WireCodec.ItemArrayHeaderGrowth(s.Ranges.Length);
                break;
            case Nack:
                break;
            default:
                var items = message switch
                {
                    Ping p => p.Piggyback,
                    PingReq q => q.Piggyback,
                    Ack a => a.Piggyback,
                    GossipMessage g => g.Items,
                    PushPullRecords r => r.Items,
                    _ => throw new InvalidOperationException(),
                };
                if (!items.IsDefault) rule += items.Sum(WireCodec.MeasureItem) + WireCodec.ItemArrayHeaderGrowth(items.Length);
                break;
        }
        Assert.Equal(total, rule);
    }

    [Fact]
    public void Item_array_header_grows_by_two_bytes_from_sixteen_items()
    {
        Assert.Equal(0, WireCodec.ItemArrayHeaderGrowth(0));
        Assert.Equal(0, WireCodec.ItemArrayHeaderGrowth(15));
        Assert.Equal(2, WireCodec.ItemArrayHeaderGrowth(16));
        Assert.Equal(2, WireCodec.ItemArrayHeaderGrowth(WireLimits.MaxItemsPerMessage));
        Assert.Equal(2, WireCodec.ItemArrayHeaderGrowth(WireLimits.MaxDigestEntriesPerMessage));
    }

    /// <summary>Anything at all: never throws, and whatever does decode is the one canonical encoding of its message.</summary>
    [Property(MaxTest = 3000)]
    public void Random_bytes_never_throw_and_whatever_decodes_is_canonical(byte[] body, bool withHeader, byte type)
    {
        byte[] datagram = withHeader
            ? [WireCodec.Magic0, WireCodec.Magic1, WireLimits.ProtocolVersion, (byte)(type % 9), .. body]
            : body;
        bool ok = WireCodec.TryDecodeCore(datagram, out var message, out var error);
        Assert.Equal(ok, error == DecodeError.None);
        Assert.Equal(ok, message is not null);
        if (ok)
        {
            Assert.True(WireCodec.TryEncode(message!, out byte[]? again));
            Assert.Equal(datagram, again);
        }
    }

    public static class Mutations
    {
        public static Arbitrary<(byte[] Original, byte[] Mutated, string How)> Mutated() => Arb.From(
            from original in WireGenerators.ValidEncodings
            from how in Gen.Elements("flip", "truncate", "extend", "replace", "insert", "delete")
            from position in Gen.Choose(0, original.Length - 1)
            from bit in Gen.Choose(0, 7)
            from extra in Gen.Sized(n => Gen.ArrayOf(WireGenerators.Byte, 1 + n % 40))
            select (original, Mutate(original, how, position, bit, extra), how));

        private static byte[] Mutate(byte[] original, string how, int position, int bit, byte[] extra)
        {
            var copy = (byte[])original.Clone();
            switch (how)
            {
                case "flip":
                    copy[position] ^= (byte)(1 << bit);
                    return copy;
                case "truncate":
                    return copy[..position];
                case "extend":
                    return [.. copy, .. extra];
                case "replace":
                    copy[position] = (byte)(copy[position] == extra[0] ? extra[0] + 1 : extra[0]);
                    return copy;
                case "insert":
                    return [.. copy[..position], extra[0], .. copy[position..]];
                default:
                    return [.. copy[..position], .. copy[(position + 1)..]];
            }
        }
    }

    /// <summary>
    /// Mutated valid encodings never throw; truncations and extensions are refused for the right reason; a mutation
    /// that still decodes yields a different message (each message has one encoding).
    /// </summary>
    [Property(Arbitrary = [typeof(Mutations)], MaxTest = 4000)]
    public void Mutated_encodings_never_throw((byte[] Original, byte[] Mutated, string How) sample)
    {
        var (original, mutated, how) = sample;
        bool ok = WireCodec.TryDecodeCore(mutated, out var message, out var error);
        Assert.True(WireCodec.TryDecode(mutated, out _, out var publicError) == ok && publicError == error);
        switch (how)
        {
            case "truncate":
                Assert.False(ok);
                Assert.Equal(DecodeError.Truncated, error);
                break;
            case "extend":
                Assert.False(ok);
                Assert.Equal(mutated.Length > WireLimits.MaxDatagram ? DecodeError.TooLarge : DecodeError.TrailingBytes, error);
                break;
            default:
                if (ok)
                {
                    Assert.True(WireCodec.TryEncode(message!, out byte[]? again));
                    Assert.Equal(mutated, again);
                    Assert.NotEqual(original, mutated);
                }
                break;
        }
    }

    [Fact]
    public void Seeded_fuzz_of_a_hundred_thousand_mutations_never_throws()
    {
        var random = new Random(20260101);
        var samples = WireGenerators.ValidEncodings.Sample(200, 40);
        int decoded = 0;
        for (int i = 0; i < 100_000; i++)
        {
            var bytes = (byte[])samples[random.Next(samples.Length)].Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            if (WireCodec.TryDecodeCore(bytes, out _, out _)) decoded++;
        }
        Assert.InRange(decoded, 1, 99_999);
    }
}
