using System.Net;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Wire;

namespace Evernet.Discovery;

/// <summary>What this node advertises over mDNS and how it browses. Built by the host from the daemon configuration.</summary>
public sealed class DiscoveryOptions
{
    /// <summary>The node name; becomes the DNS-SD instance name (see <see cref="DnsSdNames.ToInstanceLabel"/>).</summary>
    public required string NodeName { get; init; }
    /// <summary>The node key's fingerprint (<see cref="NodeId.Fingerprint"/>, 16 hex digits), advertised as TXT fp=.</summary>
    public required string Fingerprint { get; init; }
    public NodeRoles Role { get; init; } = NodeRoles.Node;
    public byte ProtocolVersion { get; init; } = WireLimits.ProtocolVersion;
    /// <summary>The UDP port of the gossip socket, advertised in the SRV record.</summary>
    public required int GossipPort { get; init; }
    /// <summary>Mesh interfaces (by name) to announce and browse on.</summary>
    public required IReadOnlyList<string> Interfaces { get; init; }

    public bool UseIPv4 { get; init; } = true;
    public bool UseIPv6 { get; init; } = true;
    /// <summary>Deliver our own multicast back to local sockets: needed for two responders on one host, off in production.</summary>
    public bool MulticastLoopback { get; init; }
    /// <summary>Addresses to put into A/AAAA records. Empty: the mesh interface's own addresses, filtered by the two flags below.</summary>
    public IReadOnlyList<IPAddress> AdvertisedAddresses { get; init; } = [];
    /// <summary>Advertise the interface's IPv4 addresses (set false when the gossip socket does not listen on IPv4).</summary>
    public bool AdvertiseIPv4 { get; init; } = true;
    /// <summary>Advertise the interface's IPv6 addresses (set false when the gossip socket does not listen on IPv6).</summary>
    public bool AdvertiseIPv6 { get; init; } = true;

    /// <summary>The mDNS port; only tests change it.</summary>
    public int MdnsPort { get; init; } = 5353;
    /// <summary>First gap between announcements; it doubles after each up to <see cref="MaxAnnounceInterval"/>.</summary>
    public TimeSpan InitialAnnounceInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Steady re-announcement period; must stay below <see cref="HostRecordTtl"/> so peers' SRV entries never lapse.</summary>
    public TimeSpan MaxAnnounceInterval { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>First gap between browse (PTR) queries; it doubles after each up to <see cref="MaxQueryInterval"/>.</summary>
    public TimeSpan InitialQueryInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxQueryInterval { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>TTL of SRV and A/AAAA: a silent peer is lost this long after its last announcement.</summary>
    public TimeSpan HostRecordTtl { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>TTL of PTR and TXT (RFC 6762 §10 recommends 75 minutes for records not tied to a host).</summary>
    public TimeSpan ServiceRecordTtl { get; init; } = TimeSpan.FromMinutes(75);

    /// <summary>Every problem, as "Key: why". Empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string why) { if (!ok) errors.Add($"{key}: {why}"); }
        Check(!string.IsNullOrWhiteSpace(NodeName), nameof(NodeName), "must not be empty");
        Check(DnsSdNames.IsValidFingerprint(Fingerprint), nameof(Fingerprint), "must be 16 lowercase hex digits");
        Check(GossipPort is > 0 and <= 65535, nameof(GossipPort), "must be 1..65535");
        Check(MdnsPort is > 0 and <= 65535, nameof(MdnsPort), "must be 1..65535");
        Check(Interfaces.Count > 0, nameof(Interfaces), "at least one mesh interface is needed");
        Check(Interfaces.All(i => !string.IsNullOrWhiteSpace(i) && i.Length < 16), nameof(Interfaces), "interface names are 1..15 characters");
        Check(UseIPv4 || UseIPv6, nameof(UseIPv4), "at least one of IPv4 and IPv6 must be used");
        Check(InitialAnnounceInterval > TimeSpan.Zero && InitialAnnounceInterval <= MaxAnnounceInterval, nameof(InitialAnnounceInterval), "must be positive and at most MaxAnnounceInterval");
        Check(MaxAnnounceInterval < HostRecordTtl, nameof(MaxAnnounceInterval), "must be shorter than HostRecordTtl");
        Check(InitialQueryInterval > TimeSpan.Zero && InitialQueryInterval <= MaxQueryInterval, nameof(InitialQueryInterval), "must be positive and at most MaxQueryInterval");
        Check(HostRecordTtl >= TimeSpan.FromSeconds(2), nameof(HostRecordTtl), "must be at least 2 s");
        Check(ServiceRecordTtl >= HostRecordTtl, nameof(ServiceRecordTtl), "must be at least HostRecordTtl");
        return errors;
    }
}
