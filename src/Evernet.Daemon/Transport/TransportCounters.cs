namespace Evernet.Daemon.Transport;

/// <summary>Monotonic counters of the gossip socket, safe to read from any thread.</summary>
public sealed class TransportCounters
{
    private long _received, _bytesReceived, _oversize, _queueDropped, _sent, _bytesSent, _sendErrors, _badAddresses, _receiveErrors, _oversizeSends;

    public long DatagramsReceived => Interlocked.Read(ref _received);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    /// <summary>Larger than WireLimits.MaxDatagram: dropped before anything decodes them.</summary>
    public long OversizeDropped => Interlocked.Read(ref _oversize);
    /// <summary>Dropped because the event loop did not keep up (oldest first).</summary>
    public long QueueDropped => Interlocked.Read(ref _queueDropped);
    public long DatagramsSent => Interlocked.Read(ref _sent);
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long SendErrors => Interlocked.Read(ref _sendErrors);
    /// <summary>Sends to a destination that is not an IP endpoint ("ip:port" / "[v6]:port") or has no socket of its family.</summary>
    public long BadAddresses => Interlocked.Read(ref _badAddresses);
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);
    /// <summary>Payloads larger than WireLimits.MaxDatagram the host asked us to send (a bug upstream): refused.</summary>
    public long OversizeSendsRefused => Interlocked.Read(ref _oversizeSends);

    internal void Received(int bytes) { Interlocked.Increment(ref _received); Interlocked.Add(ref _bytesReceived, bytes); }
    internal void Oversize() => Interlocked.Increment(ref _oversize);
    internal void QueueDrop() => Interlocked.Increment(ref _queueDropped);
    internal void Sent(int bytes) { Interlocked.Increment(ref _sent); Interlocked.Add(ref _bytesSent, bytes); }
    internal void SendError() => Interlocked.Increment(ref _sendErrors);
    internal void BadAddress() => Interlocked.Increment(ref _badAddresses);
    internal void ReceiveError() => Interlocked.Increment(ref _receiveErrors);
    internal void OversizeSend() => Interlocked.Increment(ref _oversizeSends);
}
