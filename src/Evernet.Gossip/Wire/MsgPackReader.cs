using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Evernet.Gossip.Identity;

namespace Evernet.Gossip.Wire;

/// <summary>
/// Reads MessagePack values from a span, accepting only the shortest form of each value (what
/// <see cref="MsgPackWriter"/> writes), so every message has exactly one encoding. Never throws: every method returns
/// <see cref="DecodeError.None"/> or the reason it refused, and lengths are checked against their bound before
/// anything is allocated.
/// </summary>
internal ref struct MsgPackReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public MsgPackReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Reads an array header and checks its count is within <paramref name="max"/>.</summary>
    public DecodeError ReadArrayHeader(int max, out int count)
    {
        count = 0;
        if (Remaining < 1) return DecodeError.Truncated;
        byte b = _buffer[_position];
        long value;
        int headerSize;
        if (b is >= 0x90 and <= 0x9f)
        {
            value = b & 0x0f;
            headerSize = 1;
        }
        else if (b == 0xdc)
        {
            if (Remaining < 3) return DecodeError.Truncated;
            value = BinaryPrimitives.ReadUInt16BigEndian(_buffer[(_position + 1)..]);
            if (value <= 15) return DecodeError.InvalidValue;
            headerSize = 3;
        }
        else if (b == 0xdd)
        {
            if (Remaining < 5) return DecodeError.Truncated;
            value = BinaryPrimitives.ReadUInt32BigEndian(_buffer[(_position + 1)..]);
            if (value <= ushort.MaxValue) return DecodeError.InvalidValue;
            headerSize = 5;
        }
        else
        {
            return DecodeError.BadFieldType;
        }
        if (value > max) return DecodeError.CountOutOfBounds;
        _position += headerSize;
        count = (int)value;
        return DecodeError.None;
    }

    /// <summary>An array that must have exactly <paramref name="arity"/> elements (a record's field list).</summary>
    public DecodeError ReadFixedArray(int arity)
    {
        var error = ReadArrayHeader(int.MaxValue, out int count);
        if (error != DecodeError.None) return error;
        return count == arity ? DecodeError.None : DecodeError.CountOutOfBounds;
    }

    public DecodeError ReadUInt(ulong max, out ulong value)
    {
        value = 0;
        if (Remaining < 1) return DecodeError.Truncated;
        byte b = _buffer[_position];
        int size;
        ulong min;
        if (b <= 0x7f)
        {
            value = b;
            size = 1;
            min = 0;
        }
        else
        {
            switch (b)
            {
                case 0xcc:
                    if (Remaining < 2) return DecodeError.Truncated;
                    value = _buffer[_position + 1];
                    size = 2;
                    min = 0x80;
                    break;
                case 0xcd:
                    if (Remaining < 3) return DecodeError.Truncated;
                    value = BinaryPrimitives.ReadUInt16BigEndian(_buffer[(_position + 1)..]);
                    size = 3;
                    min = (ulong)byte.MaxValue + 1;
                    break;
                case 0xce:
                    if (Remaining < 5) return DecodeError.Truncated;
                    value = BinaryPrimitives.ReadUInt32BigEndian(_buffer[(_position + 1)..]);
                    size = 5;
                    min = (ulong)ushort.MaxValue + 1;
                    break;
                case 0xcf:
                    if (Remaining < 9) return DecodeError.Truncated;
                    value = BinaryPrimitives.ReadUInt64BigEndian(_buffer[(_position + 1)..]);
                    size = 9;
                    min = (ulong)uint.MaxValue + 1;
                    break;
                default:
                    return DecodeError.BadFieldType;
            }
        }
        if (value < min || value > max)
        {
            value = 0;
            return DecodeError.InvalidValue;
        }
        _position += size;
        return DecodeError.None;
    }

    public DecodeError ReadUInt32(out uint value)
    {
        var error = ReadUInt(uint.MaxValue, out ulong v);
        value = (uint)v;
        return error;
    }

    public DecodeError ReadUInt16(out ushort value)
    {
        var error = ReadUInt(ushort.MaxValue, out ulong v);
        value = (ushort)v;
        return error;
    }

    public DecodeError ReadByte(byte max, out byte value)
    {
        var error = ReadUInt(max, out ulong v);
        value = (byte)v;
        return error;
    }

    public DecodeError ReadInt(out long value)
    {
        value = 0;
        if (Remaining < 1) return DecodeError.Truncated;
        byte b = _buffer[_position];
        if (b <= 0x7f || b is >= 0xcc and <= 0xcf)
        {
            var error = ReadUInt(long.MaxValue, out ulong u);
            value = (long)u;
            return error;
        }
        int size;
        long min, max;
        switch (b)
        {
            case >= 0xe0:
                value = (sbyte)b;
                _position += 1;
                return DecodeError.None;
            case 0xd0:
                if (Remaining < 2) return DecodeError.Truncated;
                value = (sbyte)_buffer[_position + 1];
                size = 2; min = sbyte.MinValue; max = -33;
                break;
            case 0xd1:
                if (Remaining < 3) return DecodeError.Truncated;
                value = BinaryPrimitives.ReadInt16BigEndian(_buffer[(_position + 1)..]);
                size = 3; min = short.MinValue; max = sbyte.MinValue - 1;
                break;
            case 0xd2:
                if (Remaining < 5) return DecodeError.Truncated;
                value = BinaryPrimitives.ReadInt32BigEndian(_buffer[(_position + 1)..]);
                size = 5; min = int.MinValue; max = short.MinValue - 1;
                break;
            case 0xd3:
                if (Remaining < 9) return DecodeError.Truncated;
                value = BinaryPrimitives.ReadInt64BigEndian(_buffer[(_position + 1)..]);
                size = 9; min = long.MinValue; max = (long)int.MinValue - 1;
                break;
            default:
                return DecodeError.BadFieldType;
        }
        if (value < min || value > max)
        {
            value = 0;
            return DecodeError.InvalidValue;
        }
        _position += size;
        return DecodeError.None;
    }

    public DecodeError ReadBool(out bool value)
    {
        value = false;
        if (Remaining < 1) return DecodeError.Truncated;
        switch (_buffer[_position])
        {
            case 0xc2: value = false; break;
            case 0xc3: value = true; break;
            default: return DecodeError.BadFieldType;
        }
        _position++;
        return DecodeError.None;
    }

    /// <summary>A UTF-8 string of at most <paramref name="maxBytes"/> bytes; invalid UTF-8 is refused (it could not round-trip).</summary>
    public DecodeError ReadString(int maxBytes, out string value)
    {
        value = string.Empty;
        if (Remaining < 1) return DecodeError.Truncated;
        byte b = _buffer[_position];
        long length;
        int headerSize;
        long minLength;
        if (b is >= 0xa0 and <= 0xbf)
        {
            length = b & 0x1f; headerSize = 1; minLength = 0;
        }
        else if (b == 0xd9)
        {
            if (Remaining < 2) return DecodeError.Truncated;
            length = _buffer[_position + 1]; headerSize = 2; minLength = 32;
        }
        else if (b == 0xda)
        {
            if (Remaining < 3) return DecodeError.Truncated;
            length = BinaryPrimitives.ReadUInt16BigEndian(_buffer[(_position + 1)..]); headerSize = 3; minLength = byte.MaxValue + 1;
        }
        else if (b == 0xdb)
        {
            if (Remaining < 5) return DecodeError.Truncated;
            length = BinaryPrimitives.ReadUInt32BigEndian(_buffer[(_position + 1)..]); headerSize = 5; minLength = ushort.MaxValue + 1;
        }
        else
        {
            return DecodeError.BadFieldType;
        }
        if (length > maxBytes) return DecodeError.LengthOutOfBounds;
        if (length < minLength) return DecodeError.InvalidValue;
        if (Remaining - headerSize < length) return DecodeError.Truncated;
        var bytes = _buffer.Slice(_position + headerSize, (int)length);
        if (!Utf8.IsValid(bytes)) return DecodeError.InvalidValue;
        value = bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
        _position += headerSize + (int)length;
        return DecodeError.None;
    }

    /// <summary>Binary of exactly <paramref name="size"/> bytes, as a view into the input (copy it to keep it).</summary>
    public DecodeError ReadBinary(int size, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (Remaining < 1) return DecodeError.Truncated;
        byte b = _buffer[_position];
        long length;
        int headerSize;
        long minLength;
        switch (b)
        {
            case 0xc4:
                if (Remaining < 2) return DecodeError.Truncated;
                length = _buffer[_position + 1]; headerSize = 2; minLength = 0;
                break;
            case 0xc5:
                if (Remaining < 3) return DecodeError.Truncated;
                length = BinaryPrimitives.ReadUInt16BigEndian(_buffer[(_position + 1)..]); headerSize = 3; minLength = byte.MaxValue + 1;
                break;
            case 0xc6:
                if (Remaining < 5) return DecodeError.Truncated;
                length = BinaryPrimitives.ReadUInt32BigEndian(_buffer[(_position + 1)..]); headerSize = 5; minLength = ushort.MaxValue + 1;
                break;
            default:
                return DecodeError.BadFieldType;
        }
        if (length != size) return DecodeError.LengthOutOfBounds;
        if (length < minLength) return DecodeError.InvalidValue;
        if (Remaining - headerSize < length) return DecodeError.Truncated;
        value = _buffer.Slice(_position + headerSize, size);
        _position += headerSize + size;
        return DecodeError.None;
    }

    public DecodeError ReadBinaryCopy(int size, out ReadOnlyMemory<byte> value)
    {
        var error = ReadBinary(size, out var span);
        value = error == DecodeError.None ? span.ToArray() : ReadOnlyMemory<byte>.Empty;
        return error;
    }

    public DecodeError ReadNodeId(out NodeId id)
    {
        var error = ReadBinary(NodeId.Size, out var span);
        id = error == DecodeError.None ? NodeId.FromBytes(span) : default;
        return error;
    }

    /// <summary>The bytes between two positions already read (an item's encoding, for the interner).</summary>
    public readonly ReadOnlySpan<byte> Consumed(int start) => _buffer[start.._position];

    private const int MaxSkipDepth = 8;

    /// <summary>
    /// Moves past one value, nested arrays included, without allocating or checking field meanings: only to find
    /// where an item ends. Accepts any well-formed MessagePack the writer can produce; the real reader still decides
    /// whether the value is valid.
    /// </summary>
    public DecodeError Skip(int depth = 0)
    {
        if (depth > MaxSkipDepth) return DecodeError.InvalidValue;
        if (Remaining < 1) return DecodeError.Truncated;
        byte b = _buffer[_position];
        long payload;
        int header;
        switch (b)
        {
            case <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3: payload = 0; header = 1; break;
            case >= 0xa0 and <= 0xbf: payload = b & 0x1f; header = 1; break;
            case 0xcc or 0xd0: payload = 1; header = 1; break;
            case 0xcd or 0xd1: payload = 2; header = 1; break;
            case 0xce or 0xd2: payload = 4; header = 1; break;
            case 0xcf or 0xd3: payload = 8; header = 1; break;
            case 0xc4 or 0xd9:
                if (Remaining < 2) return DecodeError.Truncated;
                payload = _buffer[_position + 1]; header = 2; break;
            case 0xc5 or 0xda:
                if (Remaining < 3) return DecodeError.Truncated;
                payload = BinaryPrimitives.ReadUInt16BigEndian(_buffer[(_position + 1)..]); header = 3; break;
            case 0xc6 or 0xdb:
                if (Remaining < 5) return DecodeError.Truncated;
                payload = BinaryPrimitives.ReadUInt32BigEndian(_buffer[(_position + 1)..]); header = 5; break;
            case >= 0x90 and <= 0x9f or 0xdc or 0xdd:
            {
                var error = ReadArrayHeader(int.MaxValue, out int count);
                if (error != DecodeError.None) return error;
                if (count > Remaining) return DecodeError.Truncated; // every element takes at least one byte
                for (int i = 0; i < count; i++)
                    if ((error = Skip(depth + 1)) != DecodeError.None) return error;
                return DecodeError.None;
            }
            default:
                return DecodeError.BadFieldType;
        }
        if (Remaining - header < payload) return DecodeError.Truncated;
        _position += header + (int)payload;
        return DecodeError.None;
    }
}
