using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Evernet.Sim.Engine;

/// <summary>
/// Hashes every processed input and every core event in order (SHA-256 over a compact binary form), and optionally
/// writes a readable line per record. Two runs with the same seed produce the same hash only if every datagram byte,
/// every timer and every event happened identically and in the same order.
/// </summary>
public sealed class TraceRecorder : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly TextWriter? _text;
    private int _used;
    private string? _final;

    public TraceRecorder(TextWriter? text = null) => _text = text;

    public long Records { get; private set; }

    public bool WritesText => _text is not null;

    public void Datagram(long time, int from, int to, ReadOnlySpan<byte> payload, bool attacker)
    {
        Header(1, time, from, to, payload.Length + (attacker ? 1 << 30 : 0));
        Append(payload);
        _text?.WriteLine($"{time} deliver {from}->{to} len={payload.Length}{(attacker ? " attacker" : "")} {Convert.ToHexStringLower(SHA256.HashData(payload), 0, 6)}");
    }

    public void Timeout(long time, int node)
    {
        Header(2, time, node, 0, 0);
        _text?.WriteLine($"{time} timeout {node}");
    }

    public void Note(long time, int node, string what)
    {
        Header(3, time, node, 0, 0);
        AppendString(what);
        _text?.WriteLine($"{time} {node} {what}");
    }

    public void CoreEvent(long time, int node, object gossipEvent)
    {
        string text = gossipEvent.ToString() ?? string.Empty;
        Header(4, time, node, 0, 0);
        AppendString(text);
        _text?.WriteLine($"{time} event {node} {text}");
    }

    /// <summary>The hex SHA-256 of everything recorded; recording stops.</summary>
    public string Finish()
    {
        if (_final is not null) return _final;
        Flush();
        _final = Convert.ToHexStringLower(_hash.GetHashAndReset());
        _text?.Flush();
        return _final;
    }

    private void Header(byte kind, long time, int a, int b, int c)
    {
        Records++;
        if (_used + 21 > _buffer.Length) Flush();
        var span = _buffer.AsSpan(_used, 21);
        span[0] = kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], time);
        BinaryPrimitives.WriteInt32LittleEndian(span[9..], a);
        BinaryPrimitives.WriteInt32LittleEndian(span[13..], b);
        BinaryPrimitives.WriteInt32LittleEndian(span[17..], c);
        _used += 21;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                _hash.AppendData(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    private void AppendString(string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max > _buffer.Length - _used) Flush();
        if (max > _buffer.Length)
        {
            _hash.AppendData(Encoding.UTF8.GetBytes(s));
            return;
        }
        _used += Encoding.UTF8.GetBytes(s, _buffer.AsSpan(_used));
    }

    private void Flush()
    {
        if (_used == 0) return;
        _hash.AppendData(_buffer.AsSpan(0, _used));
        _used = 0;
    }

    public void Dispose()
    {
        _hash.Dispose();
        _text?.Dispose();
    }
}
