using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;

namespace Evernet.Gossip;

/// <summary>
/// One member of the mesh, sans-IO: the host feeds it datagrams and timeouts, and polls datagrams to send and events.
/// Time comes from the injected <see cref="TimeProvider"/>, randomness from the injected <see cref="IRandomSource"/>.
/// Not thread-safe: one event loop owns it.
/// SKELETON (contract): bodies being implemented.
/// </summary>
public sealed class GossipNode
{
    public GossipNode(GossipNodeSetup setup, GossipOptions options, TimeProvider time, IRandomSource random) => throw new NotImplementedException();

    public Identity.NodeId Id => throw new NotImplementedException();
    public GossipCounters Counters => throw new NotImplementedException();

    /// <summary>Begins: signs the local record, contacts seeds, arms timers.</summary>
    public void Start() => throw new NotImplementedException();

    /// <summary>A datagram arrived from <paramref name="from"/>. Never throws on bad input: it is counted and dropped.</summary>
    public void HandleDatagram(PeerAddress from, ReadOnlySpan<byte> datagram) => throw new NotImplementedException();

    /// <summary>Call when <see cref="NextTimeout"/> has passed (calling early is harmless).</summary>
    public void HandleTimeout() => throw new NotImplementedException();

    /// <summary>The earliest moment the node needs <see cref="HandleTimeout"/>; null when idle (not started or stopped).</summary>
    public DateTimeOffset? NextTimeout => throw new NotImplementedException();

    public bool TryPollTransmit(out Transmit transmit) => throw new NotImplementedException();

    public bool TryPollEvent(out GossipEvent? gossipEvent) => throw new NotImplementedException();

    /// <summary>Gateway role: sign and disseminate a new summary. A change of uplink state (or drain) is pushed urgently.</summary>
    public void PublishGatewaySummary(GatewayHealthReport report) => throw new NotImplementedException();

    /// <summary>Change this node's addresses or client prefixes; re-signs and gossips the node record.</summary>
    public void UpdateLocalRecord(System.Collections.Immutable.ImmutableArray<string> addresses, System.Collections.Immutable.ImmutableArray<string> clientPrefixes) => throw new NotImplementedException();

    /// <summary>Accept a new own certificate (renewal) without a restart.</summary>
    public void ReplaceCertificate(Identity.MembershipCertificate certificate) => throw new NotImplementedException();

    /// <summary>Offer a revocation from the operator (evernetctl); verified, stored and gossiped like a received one.</summary>
    public bool SubmitRevocation(Identity.Revocation revocation) => throw new NotImplementedException();

    /// <summary>Add a discovered neighbour (mDNS) or seed as a candidate to contact; admission still needs its certificate.</summary>
    public void AddCandidate(PeerAddress address) => throw new NotImplementedException();

    /// <summary>Announce a graceful leave (signed), then stop probing.</summary>
    public void Leave() => throw new NotImplementedException();

    public MeshView Snapshot() => throw new NotImplementedException();

    /// <summary>Everything worth persisting for a warm start (verified items: records, summaries, revocations).</summary>
    public IReadOnlyList<IGossipItem> ExportState() => throw new NotImplementedException();
}
