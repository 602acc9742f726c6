using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;

namespace Evernet.Discovery;

/// <summary>What we advertise: one service instance with its host.</summary>
public sealed record LocalService(
    string InstanceLabel,
    DomainName InstanceName,
    DomainName HostName,
    ushort Port,
    IReadOnlyList<string> Txt,
    TimeSpan HostTtl,
    TimeSpan ServiceTtl)
{
    public static LocalService From(DiscoveryOptions options)
    {
        var label = DnsSdNames.ToInstanceLabel(options.NodeName);
        var role = (options.Role & Gossip.Identity.NodeRoles.Gateway) != 0 ? "gateway" : "node";
        return new LocalService(
            label,
            DnsSdNames.InstanceName(label),
            DnsSdNames.HostName(options.Fingerprint),
            (ushort)options.GossipPort,
            [
                $"{DnsSdNames.FingerprintKey}={options.Fingerprint}",
                $"{DnsSdNames.ProtocolVersionKey}={options.ProtocolVersion}",
                $"{DnsSdNames.RoleKey}={role}",
            ],
            options.HostRecordTtl,
            options.ServiceRecordTtl);
    }
}

/// <summary>Builds the mDNS messages we send (RFC 6762, RFC 6763).</summary>
public static class DnsSdRecords
{
    /// <summary>Class IN with the mDNS cache-flush bit: the record set is unique to us, replace what you cached.</summary>
    private const DnsClass InCacheFlush = (DnsClass)0x8001;
    /// <summary>RFC 6762 §6.7: legacy unicast answers carry TTLs of at most 10 s.</summary>
    private static readonly TimeSpan LegacyUnicastMaxTtl = TimeSpan.FromSeconds(10);

    /// <summary>An announcement or multicast answer: every record of our instance and the link's addresses.</summary>
    public static Message Announcement(LocalService service, IReadOnlyList<IPAddress> addresses) =>
        Response(service, addresses, goodbye: false, legacyUnicast: false);

    /// <summary>The same records with TTL 0 (RFC 6762 §10.1): peers drop us at once instead of waiting for expiry.</summary>
    public static Message Goodbye(LocalService service, IReadOnlyList<IPAddress> addresses) =>
        Response(service, addresses, goodbye: true, legacyUnicast: false);

    /// <summary>An answer to a query from a port other than 5353 (RFC 6762 §6.7): id and questions echoed, short TTLs, no cache-flush bits.</summary>
    public static Message LegacyUnicastAnswer(LocalService service, IReadOnlyList<IPAddress> addresses, Message query)
    {
        var message = Response(service, addresses, goodbye: false, legacyUnicast: true);
        message.Id = query.Id;
        message.Questions.AddRange(query.Questions);
        return message;
    }

    private static Message Response(LocalService service, IReadOnlyList<IPAddress> addresses, bool goodbye, bool legacyUnicast)
    {
        TimeSpan Ttl(TimeSpan ttl) => goodbye ? TimeSpan.Zero : legacyUnicast && ttl > LegacyUnicastMaxTtl ? LegacyUnicastMaxTtl : ttl;
        // Goodbyes and legacy answers carry no cache-flush bit (a goodbye must not flush the peer's other records).
        var unique = goodbye || legacyUnicast ? DnsClass.IN : InCacheFlush;
        var message = new Message { QR = true, AA = true };
        message.Answers.Add(new PTRRecord { Name = DnsSdNames.ServiceType, DomainName = service.InstanceName, TTL = Ttl(service.ServiceTtl), Class = DnsClass.IN });
        message.Answers.Add(new SRVRecord { Name = service.InstanceName, Target = service.HostName, Port = service.Port, Priority = 0, Weight = 0, TTL = Ttl(service.HostTtl), Class = unique });
        var txt = new TXTRecord { Name = service.InstanceName, TTL = Ttl(service.ServiceTtl), Class = unique };
        txt.Strings.AddRange(service.Txt);
        message.Answers.Add(txt);
        foreach (var address in addresses)
        {
            AddressRecord record = address.AddressFamily == AddressFamily.InterNetwork ? new ARecord() : new AAAARecord();
            record.Name = service.HostName;
            record.Address = WithoutScope(address);
            record.TTL = Ttl(service.HostTtl);
            record.Class = unique;
            message.Answers.Add(record);
        }
        if (!goodbye)
            message.AdditionalRecords.Add(new PTRRecord { Name = DnsSdNames.ServiceEnumeration, DomainName = DnsSdNames.ServiceType, TTL = Ttl(service.ServiceTtl), Class = DnsClass.IN });
        return message;
    }

    /// <summary>A browse query (QM) for our service type, listing the instances we already know (known-answer suppression, RFC 6762 §7.1).</summary>
    public static Message BrowseQuery(IEnumerable<(DomainName Instance, TimeSpan RemainingTtl)> knownAnswers)
    {
        var message = new Message { QR = false };
        message.Questions.Add(new Question { Name = DnsSdNames.ServiceType, Type = DnsType.PTR, Class = DnsClass.IN });
        foreach (var (instance, remaining) in knownAnswers)
            message.Answers.Add(new PTRRecord { Name = DnsSdNames.ServiceType, DomainName = instance, TTL = TimeSpan.FromSeconds(Math.Floor(remaining.TotalSeconds)), Class = DnsClass.IN });
        return message;
    }

    /// <summary>Asks a known instance to refresh its SRV and TXT before they expire (RFC 6762 §5.2).</summary>
    public static Message RefreshQuery(DomainName instance)
    {
        var message = new Message { QR = false };
        message.Questions.Add(new Question { Name = instance, Type = DnsType.SRV, Class = DnsClass.IN });
        message.Questions.Add(new Question { Name = instance, Type = DnsType.TXT, Class = DnsClass.IN });
        return message;
    }

    /// <summary>Addresses worth publishing: unicast, not loopback, not unspecified, not IPv4-mapped.</summary>
    public static bool IsAdvertisable(IPAddress address) =>
        !IPAddress.IsLoopback(address)
        && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any)
        && !address.IsIPv4MappedToIPv6
        && !(address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv6Multicast)
        && !(address.AddressFamily == AddressFamily.InterNetwork && (address.GetAddressBytes()[0] & 0xF0) == 0xE0);

    private static IPAddress WithoutScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;
}
