using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Evernet.Gossip.Identity;

/// <summary>
/// An <see cref="ISignatureVerifier"/> that remembers signatures it has already seen verify, so a process that checks
/// the same bytes many times (the simulator runs a thousand nodes in one process and shares one cache; a node sees
/// every record once per gossip path) pays libsodium once.
/// <para>
/// Entries are keyed by SHA-256 over signer, signature and data. A cryptographic hash, not a fast one: a collision
/// would let a forged message ride on a verified one, so the key must be as hard to collide as the signature is to
/// forge. Only successes are cached, so a flood of forgeries cannot push verified entries out. Capacity is fixed;
/// when full the oldest entry is evicted (FIFO ring). Safe for concurrent use (one lock around the table; the
/// expensive verification runs outside it).
/// </para>
/// </summary>
public sealed class CachingVerifier : ISignatureVerifier
{
    public const int DefaultCapacity = 1 << 16;
    private const int StackLimit = 2048;

    private readonly ISignatureVerifier _inner;
    private readonly HashSet<Digest> _entries;
    private readonly Digest[] _ring;
    private readonly Lock _lock = new();
    private int _next;
    private long _hits;
    private long _misses;

    public CachingVerifier(ISignatureVerifier inner, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _inner = inner;
        _entries = new HashSet<Digest>(capacity);
        _ring = new Digest[capacity];
    }

    public int Capacity => _ring.Length;

    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    /// <summary>Verifications answered from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Verifications passed to the inner verifier (successful or not).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    public bool Verify(NodeId signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Wire.WireLimits.SignatureSize) return false;
        var key = Digest.Of(signer, data, signature);
        lock (_lock)
        {
            if (_entries.Contains(key))
            {
                _hits++;
                return true;
            }
            _misses++;
        }
        if (!_inner.Verify(signer, data, signature)) return false;
        lock (_lock)
        {
            if (_entries.Contains(key)) return true;
            if (_entries.Count == _ring.Length) _entries.Remove(_ring[_next]);
            _ring[_next] = key;
            _entries.Add(key);
            _next = (_next + 1) % _ring.Length;
        }
        return true;
    }

    private readonly record struct Digest(ulong A, ulong B, ulong C, ulong D)
    {
        public static Digest Of(NodeId signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
        {
            // signer (32) || signature (64) || data: both prefixes have fixed sizes, so the concatenation is unambiguous.
            int size = NodeId.Size + signature.Length + data.Length;
            byte[]? rented = null;
            Span<byte> buffer = size <= StackLimit ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size));
            try
            {
                signer.CopyTo(buffer);
                signature.CopyTo(buffer[NodeId.Size..]);
                data.CopyTo(buffer[(NodeId.Size + signature.Length)..]);
                Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
                SHA256.HashData(buffer[..size], hash);
                return new Digest(
                    BinaryPrimitives.ReadUInt64LittleEndian(hash),
                    BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]));
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
