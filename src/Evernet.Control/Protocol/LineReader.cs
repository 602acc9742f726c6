namespace Evernet.Control.Protocol;

internal enum LineStatus : byte
{
    Line,
    EndOfStream,
    TooLong,
}

/// <summary>
/// Reads newline-terminated lines from a stream without ever holding more than <c>maxLineBytes</c> of one line:
/// a peer that never sends a newline costs a bounded buffer, not unbounded memory.
/// </summary>
internal sealed class LineReader
{
    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public LineReader(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Min(4096, maxLineBytes + 2)];
    }

    /// <summary>The next line without its terminator (a trailing '\r' is dropped too). Valid until the next call.</summary>
    public async ValueTask<(LineStatus Status, ReadOnlyMemory<byte> Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        int searched = 0; // bytes after _start already known to hold no newline
        while (true)
        {
            int from = _start + searched;
            int newline = Array.IndexOf(_buffer, (byte)'\n', from, _end - from);
            if (newline >= 0)
            {
                int length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == (byte)'\r') length--;
                if (length > _maxLineBytes) return (LineStatus.TooLong, default);
                var line = new ReadOnlyMemory<byte>(_buffer, _start, length);
                _start = newline + 1;
                return (LineStatus.Line, line);
            }
            searched = _end - _start;
            // Room for a maximal line plus "\r": anything longer without a newline can never become valid.
            if (searched > _maxLineBytes + 1) return (LineStatus.TooLong, default);
            MakeRoom();
            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0) return (LineStatus.EndOfStream, default);
            _end += read;
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            // One byte beyond the limit is enough to tell "too long" from "exactly at the limit".
            int size = (int)Math.Min((long)_buffer.Length * 2, (long)_maxLineBytes + 2);
            Array.Resize(ref _buffer, size);
        }
    }
}
