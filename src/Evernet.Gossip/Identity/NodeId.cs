using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Evernet.Gossip.Identity;

/// <summary>
/// A 32-byte Ed25519 public key used as a node's (or an authority's) identity.
/// Stored as four words so equality, hashing and ordering never allocate: the simulator compares ids millions of times.
/// </summary>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    public const int Size = 32;
    private readonly ulong _a, _b, _c, _d;

    private NodeId(ulong a, ulong b, ulong c, ulong d) { _a = a; _b = b; _c = c; _d = d; }

    public static NodeId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"a node id is {Size} bytes, got {bytes.Length}", nameof(bytes));
        return new NodeId(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    public static bool TryParseHex(string hex, out NodeId id)
    {
        id = default;
        if (hex is null || hex.Length != Size * 2) return false;
        Span<byte> buf = stackalloc byte[Size];
        if (Convert.FromHexString(hex, buf, out _, out int written) != System.Buffers.OperationStatus.Done || written != Size) return false;
        id = FromBytes(buf);
        return true;
    }

    /// <summary>The first 8 bytes as a number: how the wire names members (see Wire/Messages.cs).</summary>
    public ulong ShortId => _a;

    public bool IsEmpty => (_a | _b | _c | _d) == 0;

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    public string ToHex()
    {
        Span<byte> buf = stackalloc byte[Size];
        CopyTo(buf);
        return Convert.ToHexStringLower(buf);
    }

    /// <summary>Short, human-readable form for logs and tables: the first 8 bytes in hex.</summary>
    public string Fingerprint => _a.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public bool Equals(NodeId other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;
    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode() => HashCode.Combine(_a, _d);
    public int CompareTo(NodeId other)
    {
        int c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }
    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);
    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);
    public static bool operator <(NodeId left, NodeId right) => left.CompareTo(right) < 0;
    public static bool operator >(NodeId left, NodeId right) => left.CompareTo(right) > 0;
    public static bool operator <=(NodeId left, NodeId right) => left.CompareTo(right) <= 0;
    public static bool operator >=(NodeId left, NodeId right) => left.CompareTo(right) >= 0;
    public override string ToString() => Fingerprint;
}
