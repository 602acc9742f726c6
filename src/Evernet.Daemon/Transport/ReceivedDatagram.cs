using System.Buffers;
using Evernet.Gossip.Runtime;

namespace Evernet.Daemon.Transport;

/// <summary>
/// One received datagram in a pooled buffer. The reader must call <see cref="Release"/> once it has handed
/// <see cref="Payload"/> to the core (GossipNode.HandleDatagram copies what it keeps); using Payload after that is a bug.
/// </summary>
public sealed class ReceivedDatagram
{
    private byte[]? _buffer;
    private readonly int _length;

    internal ReceivedDatagram(PeerAddress from, byte[] buffer, int length, DateTimeOffset receivedAt)
    {
        From = from;
        _buffer = buffer;
        _length = length;
        ReceivedAt = receivedAt;
    }

    public PeerAddress From { get; }
    public DateTimeOffset ReceivedAt { get; }

    public ReadOnlySpan<byte> Payload =>
        _buffer is { } buffer ? buffer.AsSpan(0, _length) : throw new ObjectDisposedException(nameof(ReceivedDatagram), "the datagram was released");

    /// <summary>Returns the buffer to the pool. Idempotent.</summary>
    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }
}
