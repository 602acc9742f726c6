namespace Evernet.Control.Dtos;

public sealed record MembersData(long AtUnixMs, IReadOnlyList<MemberStatus> Members);

/// <summary>
/// One member. <see cref="State"/> is "alive", "suspect", "dead" or "left"; <see cref="SinceUnixMs"/> when it entered that state
/// and <see cref="SinceSeconds"/> how long ago that was. <see cref="Addresses"/> are its gossip addresses from its signed record.
/// </summary>
public sealed record MemberStatus(
    string Name,
    string NodeId,
    string Fingerprint,
    IReadOnlyList<string> Roles,
    string State,
    uint Incarnation,
    IReadOnlyList<string> Addresses,
    long SinceUnixMs,
    double SinceSeconds,
    ulong CertificateSerial,
    long CertificateNotAfterUnixSeconds);
