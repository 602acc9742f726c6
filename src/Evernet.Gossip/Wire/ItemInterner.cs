using Evernet.Gossip.Records;

namespace Evernet.Gossip.Wire;

/// <summary>
/// Decoded gossip items by their exact encoding, so that the same bytes arriving again (a node hears every update
/// many times; the simulator runs a thousand nodes in one process and shares one interner) yield the same immutable
/// object instead of a fresh copy of its certificate, strings and signature. A hit is confirmed by comparing the
/// bytes, so it returns exactly what decoding would have returned. Only items that decoded cleanly are kept. Capacity
/// is fixed; when full the oldest entry is evicted (FIFO ring). Safe for concurrent use.
/// </summary>
public sealed class ItemInterner
{
    public const int DefaultCapacity = 1 << 14;

    private readonly Dictionary<byte[], IGossipItem> _items;
    private readonly Dictionary<byte[], IGossipItem>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly byte[]?[] _ring;
    // The held items by reference, with the signature checks they already passed.
    private readonly Dictionary<IGossipItem, Checks> _held = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _lock = new();
    private int _next;
    private long _hits;
    private long _misses;

    public ItemInterner(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new Dictionary<byte[], IGossipItem>(capacity, BytesComparer.Instance);
        _bySpan = _items.GetAlternateLookup<ReadOnlySpan<byte>>();
        _ring = new byte[capacity][];
    }

    public int Count
    {
        get { lock (_lock) return _items.Count; }
    }

    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);

    public bool TryGet(ReadOnlySpan<byte> encoded, out IGossipItem item)
    {
        lock (_lock)
        {
            if (_bySpan.TryGetValue(encoded, out item!))
            {
                _hits++;
                return true;
            }
            _misses++;
            return false;
        }
    }

    public void Add(ReadOnlySpan<byte> encoded, IGossipItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            if (_bySpan.ContainsKey(encoded)) return;
            if (_ring[_next] is { } evicted && _items.Remove(evicted, out var gone)) _held.Remove(gone);
            var key = encoded.ToArray();
            _ring[_next] = key;
            _items[key] = item;
            _held.TryAdd(item, Checks.None);
            _next = (_next + 1) % _ring.Length;
        }
    }

    /// <summary>
    /// Whether this very object (an interned item) already passed signature verification in this process. A
    /// signature's validity depends only on the item's bytes and its signer's key, so every node sharing the interner
    /// (and a correct verifier) can skip repeating it. Admission of the certificate is not covered: it depends on each
    /// node's trust store and clock, and is checked by each node.
    /// </summary>
    public bool IsVerified(IGossipItem item) => Passed(item, Checks.Signature);

    /// <summary>Remembers a verified item, if it is one this interner holds (others are not retained).</summary>
    public void MarkVerified(IGossipItem item) => Mark(item, Checks.Signature);

    /// <summary>
    /// Whether the certificate inside this very node record (an interned object) already verified against the
    /// authority key it names. Like an item's signature that depends only on bytes and key; whether that authority is
    /// trusted, the certificate revoked or within its validity is still each node's own check.
    /// </summary>
    public bool IsCertificateVerified(NodeRecord record) => Passed(record, Checks.Certificate);

    public void MarkCertificateVerified(NodeRecord record) => Mark(record, Checks.Certificate);

    private bool Passed(IGossipItem item, Checks check)
    {
        lock (_lock) return _held.TryGetValue(item, out var passed) && (passed & check) != 0;
    }

    private void Mark(IGossipItem item, Checks check)
    {
        lock (_lock)
        {
            if (_held.TryGetValue(item, out var passed)) _held[item] = passed | check;
        }
    }

    [Flags]
    private enum Checks : byte
    {
        None = 0,
        Signature = 1,
        Certificate = 2,
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly BytesComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] bytes) => Hash(bytes);
        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);
        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
