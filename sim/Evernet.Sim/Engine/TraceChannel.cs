using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Evernet.Sim.Engine;

/// <summary>
/// One ordered stream of trace records, hashed incrementally through a small buffer (records are tens of bytes). The
/// hash tells two runs apart, it does not defend against anyone: XXH3-128, an order of magnitude cheaper than SHA-256
/// over the gigabytes of datagrams a 1,000-node run delivers.
/// </summary>
internal sealed class TraceChannel
{
    private const int HeaderBytes = 21;
    private readonly XxHash128 _hash = new();
    private readonly byte[] _buffer;
    private int _used;
    private byte[]? _final;

    public TraceChannel(int bufferBytes) => _buffer = new byte[bufferBytes];

    public long Records { get; private set; }

    public void Header(byte kind, long time, int a, int b, int c)
    {
        Records++;
        if (_used + HeaderBytes > _buffer.Length) Flush();
        var span = _buffer.AsSpan(_used, HeaderBytes);
        span[0] = kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], time);
        BinaryPrimitives.WriteInt32LittleEndian(span[9..], a);
        BinaryPrimitives.WriteInt32LittleEndian(span[13..], b);
        BinaryPrimitives.WriteInt32LittleEndian(span[17..], c);
        _used += HeaderBytes;
    }

    public void AppendUInt64(ulong value)
    {
        if (_used + 8 > _buffer.Length) Flush();
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_used), value);
        _used += 8;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                _hash.Append(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    public void AppendString(string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max > _buffer.Length - _used) Flush();
        if (max > _buffer.Length)
        {
            _hash.Append(Encoding.UTF8.GetBytes(s));
            return;
        }
        _used += Encoding.UTF8.GetBytes(s, _buffer.AsSpan(_used));
    }

    public byte[] Finish()
    {
        if (_final is not null) return _final;
        Flush();
        _final = _hash.GetHashAndReset();
        return _final;
    }

    private void Flush()
    {
        if (_used == 0) return;
        _hash.Append(_buffer.AsSpan(0, _used));
        _used = 0;
    }
}
