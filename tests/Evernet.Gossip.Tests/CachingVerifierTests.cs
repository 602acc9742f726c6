using Evernet.Gossip.Identity;
using static Evernet.Gossip.Tests.TestIdentities;

namespace Evernet.Gossip.Tests;

public sealed class CachingVerifierTests
{
    /// <summary>The real Ed25519 verifier, counting how often it is reached.</summary>
    private sealed class CountingVerifier : ISignatureVerifier
    {
        private readonly Ed25519Verifier _inner = new();
        private int _calls;
        public int Calls => _calls;
        public bool Verify(NodeId signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
        {
            Interlocked.Increment(ref _calls);
            return _inner.Verify(signer, data, signature);
        }
    }

    private static (NodeId Signer, byte[] Data, byte[] Signature) Signed(NodeKeyPair key, int i)
    {
        var data = BitConverter.GetBytes(i);
        return (key.Id, data, key.Sign(data));
    }

    [Fact]
    public void The_same_bytes_are_verified_by_libsodium_once()
    {
        using var key = Key(1);
        var inner = new CountingVerifier();
        var cache = new CachingVerifier(inner);
        var (signer, data, signature) = Signed(key, 1);
        for (int i = 0; i < 100; i++) Assert.True(cache.Verify(signer, data, signature));
        Assert.Equal(1, inner.Calls);
        Assert.Equal(99, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void Cache_never_turns_a_bad_signature_good()
    {
        using var key = Key(1);
        using var other = Key(2);
        var inner = new CountingVerifier();
        var cache = new CachingVerifier(inner);
        var (signer, data, signature) = Signed(key, 1);
        Assert.True(cache.Verify(signer, data, signature));

        var flipped = (byte[])signature.Clone();
        flipped[0] ^= 1;
        Assert.False(cache.Verify(signer, data, flipped));
        Assert.False(cache.Verify(other.Id, data, signature));
        Assert.False(cache.Verify(signer, [.. data, 0], signature));
        Assert.False(cache.Verify(signer, data, signature.AsSpan(0, 63)));
        // Failures are not cached: a second try asks libsodium again.
        int before = inner.Calls;
        Assert.False(cache.Verify(signer, data, flipped));
        Assert.Equal(before + 1, inner.Calls);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_full_cache_evicts_its_oldest_entry()
    {
        using var key = Key(1);
        var inner = new CountingVerifier();
        var cache = new CachingVerifier(inner, capacity: 2);
        var a = Signed(key, 1);
        var b = Signed(key, 2);
        var c = Signed(key, 3);
        cache.Verify(a.Signer, a.Data, a.Signature);
        cache.Verify(b.Signer, b.Data, b.Signature);
        cache.Verify(c.Signer, c.Data, c.Signature);
        Assert.Equal(3, inner.Calls);
        Assert.Equal(2, cache.Count);
        cache.Verify(c.Signer, c.Data, c.Signature);
        cache.Verify(b.Signer, b.Data, b.Signature);
        Assert.Equal(3, inner.Calls);
        cache.Verify(a.Signer, a.Data, a.Signature); // evicted: verified again
        Assert.Equal(4, inner.Calls);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Large_data_is_hashed_correctly()
    {
        using var key = Key(1);
        var inner = new CountingVerifier();
        var cache = new CachingVerifier(inner);
        var data = new byte[10_000];
        new Random(4).NextBytes(data);
        var signature = key.Sign(data);
        Assert.True(cache.Verify(key.Id, data, signature));
        Assert.True(cache.Verify(key.Id, data, signature));
        data[9_999] ^= 1;
        Assert.False(cache.Verify(key.Id, data, signature));
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public void Concurrent_use_is_safe()
    {
        using var key = Key(1);
        var inner = new CountingVerifier();
        var cache = new CachingVerifier(inner, capacity: 16);
        var items = Enumerable.Range(0, 64).Select(i => Signed(key, i)).ToArray();
        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var (signer, data, signature) = items[i % items.Length];
            Assert.True(cache.Verify(signer, data, signature));
        });
        Assert.True(cache.Count <= 16);
        Assert.Equal(4_000, cache.Hits + cache.Misses);
    }

    [Fact]
    public void Signing_paths_work_through_the_cache()
    {
        using var authority = Key(1);
        using var node = Key(2);
        var inner = new CountingVerifier();
        var cache = new CachingVerifier(inner);
        var store = new TrustStore([authority.Id]);
        var certificate = Certificate(authority, node.Id);
        for (int i = 0; i < 10; i++)
            Assert.Equal(AdmissionResult.Valid, store.Check(certificate, Now.ToUnixTimeSeconds(), cache));
        Assert.Equal(1, inner.Calls);
        Assert.Equal(AdmissionResult.BadSignature, store.Check(certificate with { Serial = 9 }, Now.ToUnixTimeSeconds(), cache));
    }
}
