using System.Collections.Immutable;

namespace Evernet.Dataplane.State;

/// <summary>
/// A WireGuard device as <c>wg show NAME dump</c> reports it. The private key itself is never kept: only its SHA-256
/// fingerprint, enough to tell whether the key file changed.
/// </summary>
internal sealed record WireGuardDeviceState(
    string? PrivateKeyFingerprint,
    string? PublicKey,
    int ListenPort,
    ImmutableArray<WireGuardPeerState> Peers);

internal sealed record WireGuardPeerState(
    string PublicKey,
    string? Endpoint,
    ImmutableArray<IpPrefix> AllowedIps,
    int PersistentKeepaliveSeconds,
    DateTimeOffset? LatestHandshake,
    long ReceivedBytes,
    long TransmittedBytes);
