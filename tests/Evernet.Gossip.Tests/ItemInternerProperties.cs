using Evernet.Gossip.Records;
using Evernet.Gossip.Wire;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Evernet.Gossip.Tests;

/// <summary>Decoding through an <see cref="ItemInterner"/> must be indistinguishable from decoding without one.</summary>
public sealed class ItemInternerProperties
{
    private static IReadOnlyList<IGossipItem> ItemsOf(Message? message) => message switch
    {
        Ping p => p.Piggyback,
        PingReq r => r.Piggyback,
        Ack a => a.Piggyback,
        Wire.Gossip g => g.Items,
        PushPullRecords r => r.Items,
        _ => [],
    };

    /// <summary>Mutated encodings (flipped, truncated, extended) give the same verdict, error and message with a warm interner.</summary>
    [Property(Arbitrary = [typeof(WireCodecProperties.Mutations)], MaxTest = 3000)]
    public void Decoding_with_an_interner_gives_the_same_result((byte[] Original, byte[] Mutated, string How) sample)
    {
        var interner = new ItemInterner(capacity: 64);
        // Warm it with the original, so that mutated items near a known one exercise the byte comparison.
        WireCodec.TryDecodeCore(sample.Original, interner, out _, out _);
        bool plain = WireCodec.TryDecodeCore(sample.Mutated, out var expected, out var expectedError);
        bool interned = WireCodec.TryDecodeCore(sample.Mutated, interner, out var actual, out var actualError);
        Assert.Equal(plain, interned);
        Assert.Equal(expectedError, actualError);
        if (plain) Assert.Null(WireEquality.Difference(expected!, actual!));
    }

    [Fact]
    public void The_same_bytes_decode_to_the_same_item_objects()
    {
        var interner = new ItemInterner();
        var samples = WireGenerators.ValidEncodings.Sample(100, 30);
        int shared = 0;
        foreach (var bytes in samples)
        {
            Assert.True(WireCodec.TryDecodeCore(bytes, interner, out var first, out _));
            Assert.True(WireCodec.TryDecodeCore(bytes, interner, out var second, out _));
            Assert.Null(WireEquality.Difference(first!, second!));
            var a = ItemsOf(first);
            var b = ItemsOf(second);
            Assert.Equal(a.Count, b.Count);
            for (int i = 0; i < a.Count; i++)
            {
                Assert.Same(a[i], b[i]);
                shared++;
            }
        }
        Assert.True(shared > 0, "the samples carried no items");
        Assert.True(interner.Hits >= shared);
    }

    [Fact]
    public void A_full_interner_evicts_the_oldest_and_keeps_its_bound()
    {
        var interner = new ItemInterner(capacity: 4);
        var samples = WireGenerators.ValidEncodings.Sample(100, 60);
        foreach (var bytes in samples) WireCodec.TryDecodeCore(bytes, interner, out _, out _);
        Assert.InRange(interner.Count, 1, 4);
    }

    [Fact]
    public void Only_held_items_keep_a_verified_mark_and_lose_it_when_evicted()
    {
        var interner = new ItemInterner(capacity: 1);
        var encodings = WireGenerators.ValidEncodings.Sample(100, 200)
            .Where(b => WireCodec.TryDecodeCore(b, out var m, out _) && ItemsOf(m).Count > 0).Take(2).ToArray();
        Assert.Equal(2, encodings.Length);

        Assert.True(WireCodec.TryDecodeCore(encodings[0], out var plain, out _));
        var stranger = ItemsOf(plain)[0];
        interner.MarkVerified(stranger); // decoded without the interner: not held, so not remembered
        Assert.False(interner.IsVerified(stranger));

        Assert.True(WireCodec.TryDecodeCore(encodings[0], interner, out var first, out _));
        var held = ItemsOf(first)[^1]; // with room for one entry, the last item decoded is the one held
        Assert.False(interner.IsVerified(held));
        interner.MarkVerified(held);
        Assert.True(interner.IsVerified(held));

        Assert.True(WireCodec.TryDecodeCore(encodings[1], interner, out var second, out _));
        bool sameBytes = ItemsOf(second).Any(i => ReferenceEquals(i, held));
        if (!sameBytes) Assert.False(interner.IsVerified(held)); // evicted with its entry
    }

    [Fact]
    public void A_records_signature_mark_does_not_vouch_for_its_certificate()
    {
        var interner = new ItemInterner();
        var encoding = WireGenerators.ValidEncodings.Sample(100, 400)
            .First(b => WireCodec.TryDecodeCore(b, out var m, out _) && ItemsOf(m).OfType<Evernet.Gossip.Records.NodeRecord>().Any());
        Assert.True(WireCodec.TryDecodeCore(encoding, interner, out var message, out _));
        var record = ItemsOf(message).OfType<Evernet.Gossip.Records.NodeRecord>().First();
        interner.MarkVerified(record);
        Assert.True(interner.IsVerified(record));
        Assert.False(interner.IsCertificateVerified(record));
        interner.MarkCertificateVerified(record);
        Assert.True(interner.IsCertificateVerified(record));
        Assert.True(interner.IsVerified(record));
    }
}
