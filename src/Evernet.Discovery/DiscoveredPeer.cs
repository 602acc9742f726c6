using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Runtime;

namespace Evernet.Discovery;

/// <summary>
/// A neighbour that announced the Evernet service on a mesh interface. Only a candidate: the gossip layer admits it
/// once it has seen a valid certificate, and the fingerprint here is a hint, never proof of identity.
/// </summary>
/// <param name="InstanceName">The DNS-SD instance label (the peer's node name, sanitised).</param>
/// <param name="Interface">The mesh interface it was seen on.</param>
/// <param name="Addresses">Gossip endpoints, most preferred first: IPv4, then routable IPv6, then link-local IPv6 (with %interface).</param>
/// <param name="Fingerprint">TXT fp: first 8 bytes of the peer's node key, 16 hex digits.</param>
/// <param name="ProtocolVersion">TXT pv.</param>
/// <param name="Role">TXT role (gateway or node; None when the peer sent a value we do not know).</param>
public sealed record DiscoveredPeer(
    string InstanceName,
    string Interface,
    ImmutableArray<PeerAddress> Addresses,
    string Fingerprint,
    byte ProtocolVersion,
    NodeRoles Role)
{
    /// <summary>The preferred gossip endpoint, the one to hand to GossipNode.AddCandidate.</summary>
    public PeerAddress Address => Addresses[0];

    public bool IsGateway => (Role & NodeRoles.Gateway) != 0;

    /// <summary>Value equality including the address list (records compare ImmutableArray by reference).</summary>
    public bool SameAs(DiscoveredPeer? other) =>
        other is not null && InstanceName == other.InstanceName && Interface == other.Interface
        && Fingerprint == other.Fingerprint && ProtocolVersion == other.ProtocolVersion && Role == other.Role
        && Addresses.SequenceEqual(other.Addresses);
}

public enum PeerLostReason : byte
{
    /// <summary>The peer sent a goodbye (TTL 0) because it stopped.</summary>
    Goodbye = 1,
    /// <summary>Its records' TTL ran out without a refresh.</summary>
    Expired = 2,
    /// <summary>Its records changed into something unusable (bad TXT, no address).</summary>
    Invalidated = 3,
}

public abstract record DiscoveryEvent;

/// <summary>A new peer, or a known one whose addresses, role or version changed.</summary>
public sealed record PeerDiscovered(DiscoveredPeer Peer) : DiscoveryEvent;

public sealed record PeerLost(DiscoveredPeer Peer, PeerLostReason Reason) : DiscoveryEvent;
