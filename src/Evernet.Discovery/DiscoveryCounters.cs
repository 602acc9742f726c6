namespace Evernet.Discovery;

/// <summary>Monotonic counters, safe to read from any thread (metrics, evernetctl).</summary>
public sealed class DiscoveryCounters
{
    private long _packetsReceived, _malformedPackets, _ignoredPackets, _packetsSent, _sendErrors, _receiveErrors,
        _inboxDropped, _queriesAnswered, _invalidServiceRecords, _nameConflicts, _peersDiscovered, _peersLost, _cacheFull;

    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);
    /// <summary>Packets that failed the structural check or Makaretu's parser: dropped, nothing else happened.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformedPackets);
    /// <summary>Well-formed but not for us to act on (non-zero opcode or rcode, responses not from port 5353).</summary>
    public long IgnoredPackets => Interlocked.Read(ref _ignoredPackets);
    public long PacketsSent => Interlocked.Read(ref _packetsSent);
    public long SendErrors => Interlocked.Read(ref _sendErrors);
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);
    /// <summary>Packets dropped because the processing loop fell behind.</summary>
    public long InboxDropped => Interlocked.Read(ref _inboxDropped);
    public long QueriesAnswered => Interlocked.Read(ref _queriesAnswered);
    /// <summary>Evernet service records with an unusable TXT (missing or bad fp/pv).</summary>
    public long InvalidServiceRecords => Interlocked.Read(ref _invalidServiceRecords);
    /// <summary>Another key announced our instance name.</summary>
    public long NameConflicts => Interlocked.Read(ref _nameConflicts);
    public long PeersDiscovered => Interlocked.Read(ref _peersDiscovered);
    public long PeersLost => Interlocked.Read(ref _peersLost);
    /// <summary>Records not cached because the instance, host or address bound was reached.</summary>
    public long CacheFullDrops => Interlocked.Read(ref _cacheFull);

    internal void PacketReceived() => Interlocked.Increment(ref _packetsReceived);
    internal void Malformed() => Interlocked.Increment(ref _malformedPackets);
    internal void Ignored() => Interlocked.Increment(ref _ignoredPackets);
    internal void Sent() => Interlocked.Increment(ref _packetsSent);
    internal void SendError() => Interlocked.Increment(ref _sendErrors);
    internal void ReceiveError() => Interlocked.Increment(ref _receiveErrors);
    internal void InboxDrop() => Interlocked.Increment(ref _inboxDropped);
    internal void QueryAnswered() => Interlocked.Increment(ref _queriesAnswered);
    internal void InvalidServiceRecord() => Interlocked.Increment(ref _invalidServiceRecords);
    internal void NameConflict() => Interlocked.Increment(ref _nameConflicts);
    internal void PeerDiscovered() => Interlocked.Increment(ref _peersDiscovered);
    internal void PeerLost() => Interlocked.Increment(ref _peersLost);
    internal void CacheFull() => Interlocked.Increment(ref _cacheFull);
}
