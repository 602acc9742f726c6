using System.Buffers.Binary;
using System.Text;
using Evernet.Gossip.Identity;

namespace Evernet.Gossip.Wire;

/// <summary>
/// Writes the canonical (shortest) MessagePack form of each value into a span that the caller has sized with
/// <see cref="MsgPackSize"/>. Shortest form everywhere is what makes encodings unique, so a decoder can insist on it
/// and signed bytes can be rebuilt from decoded fields.
/// </summary>
internal ref struct MsgPackWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public MsgPackWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Written => _position;

    public void WriteRawByte(byte value) => _buffer[_position++] = value;

    public void WriteArrayHeader(int count)
    {
        if (count <= 15)
        {
            _buffer[_position++] = (byte)(0x90 | count);
        }
        else if (count <= ushort.MaxValue)
        {
            _buffer[_position] = 0xdc;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_position + 1)..], (ushort)count);
            _position += 3;
        }
        else
        {
            _buffer[_position] = 0xdd;
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[(_position + 1)..], (uint)count);
            _position += 5;
        }
    }

    public void WriteUInt(ulong value)
    {
        if (value <= 0x7f)
        {
            _buffer[_position++] = (byte)value;
        }
        else if (value <= byte.MaxValue)
        {
            _buffer[_position] = 0xcc;
            _buffer[_position + 1] = (byte)value;
            _position += 2;
        }
        else if (value <= ushort.MaxValue)
        {
            _buffer[_position] = 0xcd;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_position + 1)..], (ushort)value);
            _position += 3;
        }
        else if (value <= uint.MaxValue)
        {
            _buffer[_position] = 0xce;
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[(_position + 1)..], (uint)value);
            _position += 5;
        }
        else
        {
            _buffer[_position] = 0xcf;
            BinaryPrimitives.WriteUInt64BigEndian(_buffer[(_position + 1)..], value);
            _position += 9;
        }
    }

    /// <summary>Non-negative values take the unsigned formats (as MessagePack-CSharp does); negative ones the shortest signed one.</summary>
    public void WriteInt(long value)
    {
        if (value >= 0)
        {
            WriteUInt((ulong)value);
        }
        else if (value >= -32)
        {
            _buffer[_position++] = unchecked((byte)(sbyte)value);
        }
        else if (value >= sbyte.MinValue)
        {
            _buffer[_position] = 0xd0;
            _buffer[_position + 1] = unchecked((byte)(sbyte)value);
            _position += 2;
        }
        else if (value >= short.MinValue)
        {
            _buffer[_position] = 0xd1;
            BinaryPrimitives.WriteInt16BigEndian(_buffer[(_position + 1)..], (short)value);
            _position += 3;
        }
        else if (value >= int.MinValue)
        {
            _buffer[_position] = 0xd2;
            BinaryPrimitives.WriteInt32BigEndian(_buffer[(_position + 1)..], (int)value);
            _position += 5;
        }
        else
        {
            _buffer[_position] = 0xd3;
            BinaryPrimitives.WriteInt64BigEndian(_buffer[(_position + 1)..], value);
            _position += 9;
        }
    }

    public void WriteBool(bool value) => _buffer[_position++] = value ? (byte)0xc3 : (byte)0xc2;

    /// <summary>UTF-8; a null string is written as the empty string (only the signing path can meet one).</summary>
    public void WriteString(string? value)
    {
        value ??= string.Empty;
        int length = Encoding.UTF8.GetByteCount(value);
        WriteStringHeader(length);
        _position += Encoding.UTF8.GetBytes(value, _buffer[_position..]);
    }

    public void WriteStringUtf8(ReadOnlySpan<byte> utf8)
    {
        WriteStringHeader(utf8.Length);
        utf8.CopyTo(_buffer[_position..]);
        _position += utf8.Length;
    }

    private void WriteStringHeader(int length)
    {
        if (length <= 31)
        {
            _buffer[_position++] = (byte)(0xa0 | length);
        }
        else if (length <= byte.MaxValue)
        {
            _buffer[_position] = 0xd9;
            _buffer[_position + 1] = (byte)length;
            _position += 2;
        }
        else if (length <= ushort.MaxValue)
        {
            _buffer[_position] = 0xda;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_position + 1)..], (ushort)length);
            _position += 3;
        }
        else
        {
            _buffer[_position] = 0xdb;
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[(_position + 1)..], (uint)length);
            _position += 5;
        }
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        if (value.Length <= byte.MaxValue)
        {
            _buffer[_position] = 0xc4;
            _buffer[_position + 1] = (byte)value.Length;
            _position += 2;
        }
        else if (value.Length <= ushort.MaxValue)
        {
            _buffer[_position] = 0xc5;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_position + 1)..], (ushort)value.Length);
            _position += 3;
        }
        else
        {
            _buffer[_position] = 0xc6;
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[(_position + 1)..], (uint)value.Length);
            _position += 5;
        }
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    public void WriteNodeId(NodeId id)
    {
        _buffer[_position] = 0xc4;
        _buffer[_position + 1] = NodeId.Size;
        id.CopyTo(_buffer.Slice(_position + 2, NodeId.Size));
        _position += MsgPackSize.NodeId;
    }
}

/// <summary>Exact sizes of what <see cref="MsgPackWriter"/> writes.</summary>
internal static class MsgPackSize
{
    public const int Bool = 1;
    /// <summary>bin8 header (2 bytes) and the 32 key bytes.</summary>
    public const int NodeId = 2 + Identity.NodeId.Size;

    public static int ArrayHeader(int count) => count <= 15 ? 1 : count <= ushort.MaxValue ? 3 : 5;

    public static int UInt(ulong value) =>
        value <= 0x7f ? 1 : value <= byte.MaxValue ? 2 : value <= ushort.MaxValue ? 3 : value <= uint.MaxValue ? 5 : 9;

    public static int Int(long value) =>
        value >= 0 ? UInt((ulong)value)
        : value >= -32 ? 1
        : value >= sbyte.MinValue ? 2
        : value >= short.MinValue ? 3
        : value >= int.MinValue ? 5
        : 9;

    public static int StringHeader(int byteCount) => byteCount <= 31 ? 1 : byteCount <= byte.MaxValue ? 2 : byteCount <= ushort.MaxValue ? 3 : 5;

    public static int Utf8Length(string? value) => value is null ? 0 : Encoding.UTF8.GetByteCount(value);

    public static int String(string? value)
    {
        int length = Utf8Length(value);
        return StringHeader(length) + length;
    }

    public static int Binary(int length) => (length <= byte.MaxValue ? 2 : length <= ushort.MaxValue ? 3 : 5) + length;
}
