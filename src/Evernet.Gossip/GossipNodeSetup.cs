using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;

namespace Evernet.Gossip;

/// <summary>Everything a node needs to start. <see cref="WarmState"/>: items persisted by a previous run, verified again like received ones.</summary>
public sealed record GossipNodeSetup(
    NodeKeyPair Key,
    MembershipCertificate Certificate,
    TrustStore Trust,
    IVersionStore Versions,
    ISignatureVerifier Verifier,
    ImmutableArray<string> Addresses,
    ImmutableArray<string> ClientPrefixes,
    ImmutableArray<PeerAddress> Seeds,
    ImmutableArray<IGossipItem> WarmState = default)
{
    /// <summary>Optional: shares decoded items by their bytes (see <see cref="Wire.ItemInterner"/>); may be shared by many nodes.</summary>
    public Wire.ItemInterner? Interner { get; init; }
}
