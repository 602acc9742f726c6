using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Runtime;
using Makaretu.Dns;

namespace Evernet.Discovery;

/// <summary>A datagram the engine wants sent: multicast on every socket of the link, or unicast to <see cref="Unicast"/>.</summary>
public readonly record struct MdnsSend(int InterfaceIndex, IPEndPoint? Unicast, byte[] Payload);

/// <summary>
/// DNS-SD responder and browser for the Evernet service, sans-IO: the host feeds it packets and timeouts and polls
/// datagrams to send and discovery events. Time is passed in, randomness injected, so tests drive it deterministically.
/// Not thread-safe: one loop owns it.
/// </summary>
public sealed class DnsSdEngine
{
    /// <summary>RFC 6762 §6: shared answers wait 20–120 ms so that answers from many responders spread out.</summary>
    private const int MinResponseDelayMs = 20, MaxResponseDelayMs = 120;
    /// <summary>RFC 6762 §6: a record is multicast at most once per second per link; this also caps query floods.</summary>
    private static readonly TimeSpan MulticastResponseSpacing = TimeSpan.FromSeconds(1);
    /// <summary>Unicast answers per link per second: a flood of spoofed legacy queries must not turn us into a reflector.</summary>
    private const int MaxUnicastAnswersPerSecond = 10;
    /// <summary>RFC 6762 §10.2: after a cache-flush record, older records of the set live one more second.</summary>
    private static readonly TimeSpan CacheFlushGrace = TimeSpan.FromSeconds(1);
    private const ushort CacheFlushBit = 0x8000;
    /// <summary>Cache bounds: a hostile host announcing endless instance or host names must not grow memory or per-packet work.</summary>
    public const int MaxCachedInstances = 1024, MaxCachedHosts = 1024;
    /// <summary>Keeps an announcement well inside one Ethernet frame.</summary>
    private const int MaxAdvertisedAddresses = 16;

    private readonly DiscoveryOptions _options;
    private readonly LocalService _service;
    private readonly Dictionary<int, MeshLink> _links;
    private readonly IInterfaceAddressSource _addressSource;
    private readonly IRandomSource _random;
    private readonly Queue<MdnsSend> _outgoing = new();
    private readonly Queue<DiscoveryEvent> _events = new();
    private readonly Dictionary<(int Link, string Instance), InstanceEntry> _instances = new();
    private readonly Dictionary<(int Link, string Host), HostEntry> _hosts = new();
    private readonly Dictionary<int, DateTimeOffset> _pendingResponses = new();
    private readonly Dictionary<int, DateTimeOffset> _lastMulticastResponse = new();
    private readonly Dictionary<int, (long Second, int Count)> _unicastBudget = new();
    private DateTimeOffset _nextAnnounce, _nextQuery;
    private TimeSpan _announceInterval, _queryInterval;
    private bool _running;

    public DnsSdEngine(DiscoveryOptions options, IReadOnlyList<MeshLink> links, IInterfaceAddressSource addressSource, IRandomSource random, DiscoveryCounters? counters = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid discovery options: " + string.Join("; ", errors), nameof(options));
        _options = options;
        _service = LocalService.From(options);
        _links = links.ToDictionary(l => l.Index);
        _addressSource = addressSource;
        _random = random;
        Counters = counters ?? new DiscoveryCounters();
    }

    public DiscoveryCounters Counters { get; }
    public LocalService Service => _service;
    public bool IsRunning => _running;

    public void Start(DateTimeOffset now)
    {
        _running = true;
        _announceInterval = _options.InitialAnnounceInterval;
        _queryInterval = _options.InitialQueryInterval;
        _nextAnnounce = now;
        _nextQuery = now;
    }

    /// <summary>Queues goodbyes on every link and goes idle; cached peers are forgotten without events.</summary>
    public void Stop()
    {
        if (!_running) return;
        _running = false;
        foreach (var link in _links.Values)
            Enqueue(link.Index, null, DnsSdRecords.Goodbye(_service, AddressesFor(link)));
        _pendingResponses.Clear();
        _instances.Clear();
        _hosts.Clear();
    }

    public bool TryPollSend(out MdnsSend send) => _outgoing.TryDequeue(out send);
    public bool TryPollEvent(out DiscoveryEvent? discoveryEvent) => _events.TryDequeue(out discoveryEvent);

    /// <summary>The peers currently resolved (SRV, valid TXT and at least one address).</summary>
    public IReadOnlyList<DiscoveredPeer> Peers() =>
        _instances.Values.Where(e => e.Emitted is not null).Select(e => e.Emitted!).ToArray();

    /// <summary>The earliest moment <see cref="HandleTimeout"/> has work; null when stopped.</summary>
    public DateTimeOffset? NextTimeout
    {
        get
        {
            if (!_running) return null;
            var next = _nextAnnounce < _nextQuery ? _nextAnnounce : _nextQuery;
            foreach (var due in _pendingResponses.Values) if (due < next) next = due;
            foreach (var entry in _instances.Values)
            {
                var deadline = entry.NextDeadline();
                if (deadline is { } d && d < next) next = d;
            }
            foreach (var host in _hosts.Values)
            foreach (var expiry in host.Addresses.Values)
                if (expiry.Expires < next) next = expiry.Expires;
            return next;
        }
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        if (!_running) return;
        if (now >= _nextAnnounce)
        {
            foreach (var link in _links.Values) SendMulticastAnswer(link, now);
            _nextAnnounce = now + _announceInterval;
            _announceInterval = Min(_announceInterval * 2, _options.MaxAnnounceInterval);
        }
        if (now >= _nextQuery)
        {
            foreach (var link in _links.Values)
                Enqueue(link.Index, null, DnsSdRecords.BrowseQuery(KnownAnswers(link.Index, now)));
            _nextQuery = now + _queryInterval;
            _queryInterval = Min(_queryInterval * 2, _options.MaxQueryInterval);
        }
        foreach (var (linkIndex, due) in _pendingResponses.ToArray())
        {
            if (due > now) continue;
            _pendingResponses.Remove(linkIndex);
            SendMulticastAnswer(_links[linkIndex], now);
            Counters.QueryAnswered();
        }
        Sweep(now);
    }

    /// <summary>One received mDNS datagram. Never throws for bad input: malformed packets are counted and dropped.</summary>
    public void HandlePacket(DateTimeOffset now, int interfaceIndex, IPEndPoint from, ReadOnlySpan<byte> datagram)
    {
        Counters.PacketReceived();
        if (!_running || !_links.TryGetValue(interfaceIndex, out var link)) { Counters.Ignored(); return; }
        if (!DnsPacketGuard.IsWellFormed(datagram, out _)) { Counters.Malformed(); return; }
        Message message;
        try
        {
            message = new Message();
            message.Read(datagram.ToArray(), 0, datagram.Length);
        }
        catch (Exception)
        {
            // Makaretu signals bad input with whatever exception its reader hits (EndOfStream, KeyNotFound, Overflow...).
            Counters.Malformed();
            return;
        }
        if (message.Opcode != MessageOperation.Query || message.Status != MessageStatus.NoError) { Counters.Ignored(); return; }
        if (message.IsQuery) HandleQuery(now, link, from, message);
        // RFC 6762 §11: responses not sent from port 5353 are not genuine mDNS responses.
        else if (from.Port == _options.MdnsPort) HandleResponse(now, link, message);
        else Counters.Ignored();
    }

    private void HandleQuery(DateTimeOffset now, MeshLink link, IPEndPoint from, Message query)
    {
        bool wantShared = false, wantUnique = false, unicastRequested = false;
        foreach (var question in query.Questions)
        {
            var type = question.Type;
            bool any = type == DnsType.ANY;
            if ((type == DnsType.PTR || any) && DnsSdNames.NameEquals(question.Name, DnsSdNames.ServiceType) && !KnownAnswerSuppresses(query))
                wantShared = true;
            else if ((type == DnsType.PTR || any) && DnsSdNames.NameEquals(question.Name, DnsSdNames.ServiceEnumeration))
                wantShared = true;
            else if ((type is DnsType.SRV or DnsType.TXT || any) && DnsSdNames.NameEquals(question.Name, _service.InstanceName))
                wantUnique = true;
            else if ((type is DnsType.A or DnsType.AAAA || any) && DnsSdNames.NameEquals(question.Name, _service.HostName))
                wantUnique = true;
            else continue;
            if (((ushort)question.Class & CacheFlushBit) != 0) unicastRequested = true;
        }
        if (!wantShared && !wantUnique) return;

        bool legacy = from.Port != _options.MdnsPort;
        if (legacy || unicastRequested)
        {
            if (!TakeUnicastBudget(link.Index, now)) return;
            var answer = legacy
                ? DnsSdRecords.LegacyUnicastAnswer(_service, AddressesFor(link), query)
                : DnsSdRecords.Announcement(_service, AddressesFor(link));
            Enqueue(link.Index, from, answer);
            Counters.QueryAnswered();
            return;
        }

        var due = wantShared ? now + TimeSpan.FromMilliseconds(MinResponseDelayMs + _random.Next(MaxResponseDelayMs - MinResponseDelayMs + 1)) : now;
        if (_lastMulticastResponse.TryGetValue(link.Index, out var last) && due < last + MulticastResponseSpacing)
            due = last + MulticastResponseSpacing;
        if (!_pendingResponses.TryGetValue(link.Index, out var pending) || due < pending)
            _pendingResponses[link.Index] = due;
        if (due <= now)
        {
            _pendingResponses.Remove(link.Index);
            SendMulticastAnswer(link, now);
            Counters.QueryAnswered();
        }
    }

    /// <summary>RFC 6762 §7.1: the querier already holds our PTR with at least half its TTL left.</summary>
    private bool KnownAnswerSuppresses(Message query) =>
        query.Answers.OfType<PTRRecord>().Any(ptr =>
            DnsSdNames.NameEquals(ptr.Name, DnsSdNames.ServiceType)
            && DnsSdNames.NameEquals(ptr.DomainName, _service.InstanceName)
            && ptr.TTL >= _service.ServiceTtl / 2);

    private bool TakeUnicastBudget(int linkIndex, DateTimeOffset now)
    {
        long second = now.ToUnixTimeSeconds();
        var (window, count) = _unicastBudget.GetValueOrDefault(linkIndex);
        if (window != second) (window, count) = (second, 0);
        if (count >= MaxUnicastAnswersPerSecond) return false;
        _unicastBudget[linkIndex] = (window, count + 1);
        return true;
    }

    private void HandleResponse(DateTimeOffset now, MeshLink link, Message response)
    {
        var touched = new Dictionary<InstanceEntry, bool>(); // entry -> saw a goodbye
        var touchedHosts = new HashSet<string>(StringComparer.Ordinal);
        bool conflictCounted = false;
        foreach (var record in response.Answers.Concat(response.AdditionalRecords))
        {
            if (((ushort)record.Class & 0x7FFF) != (ushort)DnsClass.IN) continue;
            bool cacheFlush = ((ushort)record.Class & CacheFlushBit) != 0;
            bool goodbye = record.TTL <= TimeSpan.Zero;
            switch (record)
            {
                case PTRRecord ptr when DnsSdNames.NameEquals(ptr.Name, DnsSdNames.ServiceType):
                {
                    var entry = EntryFor(link, ptr.DomainName, touched, ref conflictCounted, txt: null);
                    if (entry is null) break;
                    if (goodbye) { entry.Forget(); touched[entry] = true; }
                    else entry.Ptr = new Timed(now, record.TTL);
                    break;
                }
                case SRVRecord srv:
                {
                    var entry = EntryFor(link, srv.Name, touched, ref conflictCounted, txt: null);
                    if (entry is null) break;
                    if (goodbye) { entry.Forget(); touched[entry] = true; }
                    else entry.Srv = new SrvData(srv.Port, srv.Target, new Timed(now, record.TTL));
                    break;
                }
                case TXTRecord txt:
                {
                    var entry = EntryFor(link, txt.Name, touched, ref conflictCounted, txt);
                    if (entry is null) break;
                    if (goodbye) { entry.Txt = null; break; }
                    entry.Txt = TxtData.Parse(txt.Strings, new Timed(now, record.TTL));
                    if (!entry.Txt.Valid) Counters.InvalidServiceRecord();
                    break;
                }
                case AddressRecord address when address.Name is not null && address.Address is not null:
                    if (UpdateHost(now, link, address, goodbye, cacheFlush)) touchedHosts.Add(DnsSdNames.Key(address.Name));
                    break;
            }
        }
        // Addresses may arrive for hosts of entries this packet did not mention: those are reconciled too.
        foreach (var entry in _instances.Values.ToArray())
        {
            bool mentioned = touched.TryGetValue(entry, out var sawGoodbye);
            if (!mentioned && !(entry.Link == link.Index && entry.Srv is { } srv && touchedHosts.Contains(DnsSdNames.Key(srv.Target)))) continue;
            Reconcile(now, entry, sawGoodbye ? PeerLostReason.Goodbye : PeerLostReason.Invalidated);
        }
    }

    private InstanceEntry? EntryFor(MeshLink link, DomainName? instance, Dictionary<InstanceEntry, bool> touched, ref bool conflictCounted, TXTRecord? txt)
    {
        var label = DnsSdNames.InstanceLabelOf(instance);
        if (label is null) return null;
        if (string.Equals(label, _service.InstanceLabel, StringComparison.OrdinalIgnoreCase))
        {
            // Our own name: our multicast looped back, or another key claims our name (misconfiguration).
            if (txt is not null && !conflictCounted && TxtData.Parse(txt.Strings, default).Fingerprint is { } fp && fp != _options.Fingerprint)
            {
                Counters.NameConflict();
                conflictCounted = true;
            }
            return null;
        }
        var key = (link.Index, label.ToLowerInvariant());
        if (!_instances.TryGetValue(key, out var entry))
        {
            if (_instances.Count >= MaxCachedInstances) { Counters.CacheFull(); return null; }
            entry = new InstanceEntry(link.Index, label, DnsSdNames.InstanceName(label));
            _instances[key] = entry;
        }
        touched.TryAdd(entry, false);
        return entry;
    }

    /// <returns>True if the host's address set changed.</returns>
    private bool UpdateHost(DateTimeOffset now, MeshLink link, AddressRecord record, bool goodbye, bool cacheFlush)
    {
        if (!DnsSdRecords.IsAdvertisable(record.Address)) return false;
        var key = (link.Index, DnsSdNames.Key(record.Name));
        if (!_hosts.TryGetValue(key, out var host))
        {
            if (goodbye) return false;
            if (_hosts.Count >= MaxCachedHosts) { Counters.CacheFull(); return false; }
            host = new HostEntry();
            _hosts[key] = host;
        }
        var address = record.Address;
        if (goodbye) { host.Addresses.Remove(address); return true; }
        if (!host.Addresses.ContainsKey(address) && host.Addresses.Count >= HostEntry.MaxAddresses) { Counters.CacheFull(); return false; }
        if (cacheFlush)
        {
            foreach (var (other, timed) in host.Addresses.ToArray())
                if (other.AddressFamily == address.AddressFamily && timed.Received < now - CacheFlushGrace)
                    host.Addresses[other] = timed.ExpiringAt(now + CacheFlushGrace);
        }
        bool isNew = !host.Addresses.ContainsKey(address);
        host.Addresses[address] = new Timed(now, record.TTL);
        return isNew; // a refreshed TTL changes no resolution; expiries are the sweep's business
    }

    private void Sweep(DateTimeOffset now)
    {
        var changedHosts = new HashSet<(int, string)>();
        foreach (var (key, host) in _hosts.ToArray())
        {
            foreach (var (address, timed) in host.Addresses.ToArray())
            {
                if (timed.Expires > now) continue;
                host.Addresses.Remove(address);
                changedHosts.Add(key);
            }
            if (host.Addresses.Count == 0) _hosts.Remove(key);
        }
        foreach (var entry in _instances.Values.ToArray())
        {
            bool changed = false;
            if (entry.Ptr is { } ptr && ptr.Expires <= now) { entry.Ptr = null; changed = true; }
            if (entry.Txt is { } txt && txt.Timed.Expires <= now) { entry.Txt = null; changed = true; }
            if (entry.Srv is { } srv)
            {
                if (srv.Timed.Expires <= now) { entry.Srv = null; changed = true; }
                else if (entry.RefreshStage < 2 && now >= srv.Timed.At(entry.RefreshStage == 0 ? 0.8 : 0.9))
                {
                    entry.RefreshStage++;
                    Enqueue(entry.Link, null, DnsSdRecords.RefreshQuery(entry.Name));
                }
                if (entry.Srv is { } live && changedHosts.Contains((entry.Link, DnsSdNames.Key(live.Target)))) changed = true;
            }
            if (changed) Reconcile(now, entry, PeerLostReason.Expired);
        }
    }

    /// <summary>Compares what the cache now resolves for an instance with what was last reported and emits the difference.</summary>
    private void Reconcile(DateTimeOffset now, InstanceEntry entry, PeerLostReason reasonIfLost)
    {
        var link = _links[entry.Link];
        var peer = Resolve(now, link, entry);
        if (peer is not null)
        {
            if (!peer.SameAs(entry.Emitted))
            {
                if (entry.Emitted is null) Counters.PeerDiscovered();
                entry.Emitted = peer;
                _events.Enqueue(new PeerDiscovered(peer));
            }
        }
        else if (entry.Emitted is { } lost)
        {
            entry.Emitted = null;
            Counters.PeerLost();
            _events.Enqueue(new PeerLost(lost, reasonIfLost));
        }
        if (entry.IsEmpty) _instances.Remove((entry.Link, entry.Label.ToLowerInvariant()));
    }

    private DiscoveredPeer? Resolve(DateTimeOffset now, MeshLink link, InstanceEntry entry)
    {
        if (entry.Srv is not { } srv || entry.Txt is not { Valid: true } txt || srv.Port == 0) return null;
        if (!_hosts.TryGetValue((link.Index, DnsSdNames.Key(srv.Target)), out var host)) return null;
        var addresses = host.Addresses
            .Where(a => a.Value.Expires > now)
            .Select(a => a.Key)
            .OrderBy(Preference)
            .ThenBy(a => Convert.ToHexString(a.GetAddressBytes()), StringComparer.Ordinal)
            .Select(a => Format(a, srv.Port, link))
            .ToImmutableArray();
        if (addresses.IsEmpty) return null;
        return new DiscoveredPeer(entry.Label, link.Name, addresses, txt.Fingerprint!, txt.ProtocolVersion, txt.Role);
    }

    private static int Preference(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? 0 : address.IsIPv6LinkLocal ? 2 : 1;

    private static PeerAddress Format(IPAddress address, ushort port, MeshLink link)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return new PeerAddress(string.Create(CultureInfo.InvariantCulture, $"{address}:{port}"));
        var bare = new IPAddress(address.GetAddressBytes());
        return address.IsIPv6LinkLocal
            ? new PeerAddress(string.Create(CultureInfo.InvariantCulture, $"[{bare}%{link.Name}]:{port}"))
            : new PeerAddress(string.Create(CultureInfo.InvariantCulture, $"[{bare}]:{port}"));
    }

    private IEnumerable<(DomainName, TimeSpan)> KnownAnswers(int linkIndex, DateTimeOffset now)
    {
        foreach (var entry in _instances.Values)
        {
            if (entry.Link != linkIndex || entry.Ptr is not { } ptr) continue;
            var remaining = ptr.Expires - now;
            // RFC 6762 §7.1: only answers with more than half their TTL left suppress a response.
            if (remaining > ptr.Ttl / 2) yield return (entry.Name, remaining);
        }
    }

    private void SendMulticastAnswer(MeshLink link, DateTimeOffset now)
    {
        Enqueue(link.Index, null, DnsSdRecords.Announcement(_service, AddressesFor(link)));
        _lastMulticastResponse[link.Index] = now;
    }

    /// <summary>Wildcards, loopback and multicast never go into an A/AAAA record, whatever the source hands us.</summary>
    private IReadOnlyList<IPAddress> AddressesFor(MeshLink link) =>
        _addressSource.GetAddresses(link).Where(DnsSdRecords.IsAdvertisable).Take(MaxAdvertisedAddresses).ToArray();

    private void Enqueue(int linkIndex, IPEndPoint? unicast, Message message) =>
        _outgoing.Enqueue(new MdnsSend(linkIndex, unicast, message.ToByteArray()));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private readonly record struct Timed(DateTimeOffset Received, TimeSpan Ttl)
    {
        public DateTimeOffset Expires => Received + Ttl;
        public DateTimeOffset At(double fraction) => Received + Ttl * fraction;
        public Timed ExpiringAt(DateTimeOffset expiry) => new(Received, expiry - Received);
    }

    private sealed record SrvData(ushort Port, DomainName Target, Timed Timed);

    private sealed record TxtData(string? Fingerprint, byte ProtocolVersion, NodeRoles Role, bool Valid, Timed Timed)
    {
        /// <summary>RFC 6763 §6.4: keys are case-insensitive and the first occurrence of a key wins.</summary>
        public static TxtData Parse(IEnumerable<string> strings, Timed timed)
        {
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var s in strings)
            {
                int eq = s.IndexOf('=');
                var key = eq < 0 ? s : s[..eq];
                if (key.Length > 0) values.TryAdd(key, eq < 0 ? null : s[(eq + 1)..]);
            }
            var fp = values.GetValueOrDefault(DnsSdNames.FingerprintKey)?.ToLowerInvariant();
            bool fpOk = DnsSdNames.IsValidFingerprint(fp);
            bool pvOk = byte.TryParse(values.GetValueOrDefault(DnsSdNames.ProtocolVersionKey), NumberStyles.None, CultureInfo.InvariantCulture, out var pv);
            var role = values.TryGetValue(DnsSdNames.RoleKey, out var r)
                ? r?.ToLowerInvariant() switch { "gateway" => NodeRoles.Gateway, "node" => NodeRoles.Node, _ => NodeRoles.None }
                : NodeRoles.Node;
            return new TxtData(fpOk ? fp : null, pv, role, fpOk && pvOk, timed);
        }
    }

    private sealed class HostEntry
    {
        public const int MaxAddresses = 16;
        public Dictionary<IPAddress, Timed> Addresses { get; } = new();
    }

    private sealed class InstanceEntry(int link, string label, DomainName name)
    {
        public int Link { get; } = link;
        public string Label { get; } = label;
        public DomainName Name { get; } = name;
        public Timed? Ptr { get; set; }
        private SrvData? _srv;
        public SrvData? Srv
        {
            get => _srv;
            set { _srv = value; RefreshStage = 0; }
        }
        public TxtData? Txt { get; set; }
        public int RefreshStage { get; set; }
        public DiscoveredPeer? Emitted { get; set; }
        public bool IsEmpty => Ptr is null && Srv is null && Txt is null && Emitted is null;

        public void Forget()
        {
            Ptr = null;
            Srv = null;
            Txt = null;
        }

        public DateTimeOffset? NextDeadline()
        {
            DateTimeOffset? next = null;
            void Consider(DateTimeOffset t) { if (next is null || t < next) next = t; }
            if (Ptr is { } ptr) Consider(ptr.Expires);
            if (Txt is { } txt) Consider(txt.Timed.Expires);
            if (Srv is { } srv)
            {
                Consider(srv.Timed.Expires);
                if (RefreshStage < 2) Consider(srv.Timed.At(RefreshStage == 0 ? 0.8 : 0.9));
            }
            return next;
        }
    }
}
