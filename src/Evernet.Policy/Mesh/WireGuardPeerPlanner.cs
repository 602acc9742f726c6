using System.Collections.Immutable;
using System.Net;
using Evernet.Gossip.Identity;
using Evernet.Gossip.View;

namespace Evernet.Policy;

/// <summary>This router: its identity, its certificate (for its own WireGuard key) and the client prefixes it serves.</summary>
public sealed record LocalNode(NodeId Id, MembershipCertificate Certificate, ImmutableArray<string> ClientPrefixes)
{
    public bool IsGateway => Certificate.IsGateway;
}

/// <summary>A node's tunnel to one gateway: where it goes and what it is called; the daemon probes the path through it.</summary>
public sealed record GatewayTunnel(NodeId Gateway, string GatewayName, string Interface, string PublicKey, string? Endpoint, TunnelAddresses? GatewayAddresses);

/// <summary>
/// A prefix refused on a gateway's interface. <see cref="Holder"/> is the peer that keeps an overlapping prefix
/// (<see cref="HolderPrefix"/>); null when the prefix was refused on its own (invalid, too short, inside the tunnel subnet).
/// </summary>
public sealed record AllowedIpConflict(string Prefix, NodeId Claimant, NodeId? Holder, string? HolderPrefix, string Why);

public sealed record NodeTunnelPlan(ImmutableArray<WireGuardInterfaceSpec> Interfaces, ImmutableArray<GatewayTunnel> Tunnels, ImmutableArray<string> Problems);

public sealed record GatewayTunnelPlan(WireGuardInterfaceSpec Interface, ImmutableArray<AllowedIpConflict> Conflicts, ImmutableArray<string> Problems);

/// <summary>
/// WireGuard peer lists from the certified members of the mesh view. Pure: the same view, options and time give the
/// same lists on every router.
/// A node has one interface per gateway because every gateway peer needs allowed-ips 0.0.0.0/0 and ::/0, and WireGuard
/// routes by allowed-ips within an interface: two peers with 0/0 on one interface would silently steal it from each
/// other. A gateway has one interface with a peer per node whose allowed-ips are the node's tunnel addresses and its
/// announced client prefixes, so return traffic to the node's clients finds the right tunnel.
/// Tunnels are kept while a member is alive or suspect, and for <see cref="WireGuardOptions.RemoveAfterMs"/> after it
/// died or left, so failback is instant and a flapping member does not churn the configuration. A revoked, expired or
/// otherwise uncertified key is never included.
/// </summary>
public static class WireGuardPeerPlanner
{
    public static bool IsRetained(MemberView member, long nowUnixMs, int removeAfterMs) =>
        member.State is MemberState.Alive or MemberState.Suspect || nowUnixMs - member.StateSinceUnixMs < removeAfterMs;

    /// <summary>The WireGuard keys of every certified member (and this router): the input of tunnel addressing.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> CertifiedKeys(MeshView view, LocalNode self, long nowUnixMs, RevocationCheck? revocationCheck)
    {
        yield return self.Certificate.WireGuardPublicKey;
        if (view.Members.IsDefaultOrEmpty) yield break;
        foreach (var m in view.Members)
            if (Certification.Check(view, m, NodeRoles.None, nowUnixMs, revocationCheck) == CertificateStatus.Certified)
                yield return m.Record.Certificate.WireGuardPublicKey;
    }

    public static NodeTunnelPlan PlanNode(
        MeshView view, LocalNode self, TunnelAddressAssignment addressing, TunnelAddressing subnets, WireGuardOptions options,
        long nowUnixMs, RevocationCheck? revocationCheck = null)
    {
        var problems = new List<string>();
        var own = addressing.For(self.Certificate.WireGuardPublicKey.Span);
        if (own is null) problems.Add("this node has no tunnel address (its WireGuard key is not 32 bytes, or the subnet is full)");
        // The tunnel subnet's prefix length, not a host prefix: the resulting connected route is what lets the replies
        // to the node's tunnel path probes (gateway tunnel address -> node) pass loose reverse-path filtering on a node
        // whose main table has no default route. With /32 every probe reply was dropped, every path judged dead and
        // every weight zero. The route is the same on each tunnel; the probes are bound to their tunnel interface.
        ImmutableArray<string> addresses = own is null
            ? []
            : [$"{own.IPv4}/{subnets.IPv4Network.PrefixLength}", $"{own.IPv6}/{subnets.IPv6Network.PrefixLength}"];

        var gateways = new List<MemberView>();
        foreach (var m in view.Members.IsDefault ? [] : view.Members)
        {
            if (m.Id == self.Id || !m.Record.Certificate.IsGateway) continue;
            var status = Certification.Check(view, m, NodeRoles.Gateway, nowUnixMs, revocationCheck);
            if (status != CertificateStatus.Certified)
            {
                problems.Add($"gateway {m.Name} ({m.Id}) left out: {status}");
                continue;
            }
            if (IsRetained(m, nowUnixMs, options.RemoveAfterMs)) gateways.Add(m);
        }
        var names = InterfaceNames.ForGateways(gateways.Select(g => g.Id), options.NodeInterfacePrefix);
        var interfaces = ImmutableArray.CreateBuilder<WireGuardInterfaceSpec>();
        var tunnels = ImmutableArray.CreateBuilder<GatewayTunnel>();
        foreach (var g in gateways.OrderBy(g => g.Id))
        {
            string key = Convert.ToBase64String(g.Record.Certificate.WireGuardPublicKey.Span);
            string? endpoint = Endpoint(g.Record.Addresses, options.GatewayListenPort);
            if (endpoint is null) problems.Add($"gateway {g.Name} ({g.Id}) announces no IP address to dial; its tunnel waits for its handshake");
            string name = names[g.Id];
            var peer = new WireGuardPeerSpec(key, endpoint, ["0.0.0.0/0", "::/0"], options.PersistentKeepaliveSeconds);
            interfaces.Add(new WireGuardInterfaceSpec(name, options.PrivateKeyFile, null, addresses, options.Mtu, [peer]));
            tunnels.Add(new GatewayTunnel(g.Id, g.Record.Certificate.Name, name, key, endpoint, addressing.For(g.Record.Certificate.WireGuardPublicKey.Span)));
        }
        return new NodeTunnelPlan(
            [.. interfaces.OrderBy(i => i.Name, StringComparer.Ordinal)],
            [.. tunnels.OrderBy(t => t.Gateway)],
            [.. problems]);
    }

    public static GatewayTunnelPlan PlanGateway(
        MeshView view, LocalNode self, TunnelAddressAssignment addressing, TunnelAddressing subnets, WireGuardOptions options,
        long nowUnixMs, RevocationCheck? revocationCheck = null)
    {
        var problems = new List<string>();
        var conflicts = new List<AllowedIpConflict>();
        var own = addressing.For(self.Certificate.WireGuardPublicKey.Span);
        ImmutableArray<string> addresses = own is null
            ? []
            : [$"{own.IPv4}/{subnets.IPv4Network.PrefixLength}", $"{own.IPv6}/{subnets.IPv6Network.PrefixLength}"];
        if (own is null) problems.Add("this gateway has no tunnel address (its WireGuard key is not 32 bytes, or the subnet is full)");

        var nodes = new List<(MemberView Member, TunnelAddresses Addresses)>();
        foreach (var m in view.Members.IsDefault ? [] : view.Members)
        {
            if (m.Id == self.Id || (m.Record.Certificate.Roles & NodeRoles.Node) == 0) continue;
            var status = Certification.Check(view, m, NodeRoles.Node, nowUnixMs, revocationCheck);
            if (status != CertificateStatus.Certified)
            {
                problems.Add($"node {m.Name} ({m.Id}) left out: {status}");
                continue;
            }
            if (!IsRetained(m, nowUnixMs, options.RemoveAfterMs)) continue;
            var tunnelAddresses = addressing.For(m.Record.Certificate.WireGuardPublicKey.Span);
            if (tunnelAddresses is null)
            {
                problems.Add($"node {m.Name} ({m.Id}) has no tunnel address; left out");
                continue;
            }
            nodes.Add((m, tunnelAddresses));
        }
        nodes.Sort((a, b) => a.Member.Id.CompareTo(b.Member.Id));

        // Claimed prefixes, first come first served in node-id order: tunnel host addresses first (they are what the
        // mesh itself needs), then client prefixes. The gateway's own tunnel subnet and client prefixes are reserved.
        var claimed = new List<(IPNetwork Prefix, PrefixRange Range, NodeId Owner)>();
        var allowed = nodes.ToDictionary(n => n.Member.Id, _ => new List<IPNetwork>());
        var ownPrefixes = self.ClientPrefixes.IsDefault ? [] : self.ClientPrefixes;
        var reserved = new List<IPNetwork>();
        foreach (var text in ownPrefixes)
            if (Prefixes.TryParse(text, out var p)) reserved.Add(p);

        foreach (var (member, tunnel) in nodes)
        {
            foreach (var host in new[] { new IPNetwork(tunnel.IPv4, 32), new IPNetwork(tunnel.IPv6, 128) })
                TryClaim(member.Id, host, Prefixes.Format(host));
        }
        foreach (var (member, _) in nodes)
        {
            var parsed = new List<(IPNetwork Prefix, string Text)>();
            foreach (var text in member.Record.ClientPrefixes.IsDefault ? [] : member.Record.ClientPrefixes)
            {
                if (!Prefixes.TryParse(text, out var prefix))
                {
                    conflicts.Add(new AllowedIpConflict(text ?? "", member.Id, null, null, "not an IP prefix"));
                    continue;
                }
                int min = Prefixes.IsIPv4(prefix) ? options.MinClientPrefixLengthIPv4 : options.MinClientPrefixLengthIPv6;
                if (prefix.PrefixLength < min)
                {
                    conflicts.Add(new AllowedIpConflict(text, member.Id, null, null, $"shorter than /{min}"));
                    continue;
                }
                if (Prefixes.Overlap(prefix, subnets.IPv4Network) || Prefixes.Overlap(prefix, subnets.IPv6Network))
                {
                    conflicts.Add(new AllowedIpConflict(text, member.Id, null, null, "overlaps the tunnel subnet"));
                    continue;
                }
                int clash = reserved.FindIndex(r => Prefixes.Overlap(r, prefix));
                if (clash >= 0)
                {
                    conflicts.Add(new AllowedIpConflict(text, member.Id, self.Id, Prefixes.Format(reserved[clash]), "overlaps this gateway's own client prefix"));
                    continue;
                }
                parsed.Add((prefix, text));
            }
            // Shorter prefixes first so that a peer's own more-specific duplicates are dropped, not kept twice.
            foreach (var (prefix, text) in parsed.OrderBy(p => p.Prefix, Prefixes.Order))
                TryClaim(member.Id, prefix, text);
        }

        var peers = nodes.Select(n => new WireGuardPeerSpec(
                Convert.ToBase64String(n.Member.Record.Certificate.WireGuardPublicKey.Span),
                null,
                [.. allowed[n.Member.Id].Order(Prefixes.Order).Select(Prefixes.Format)],
                0))
            .OrderBy(p => p.PublicKey, StringComparer.Ordinal)
            .ToImmutableArray();
        var spec = new WireGuardInterfaceSpec(options.GatewayInterfaceName, options.PrivateKeyFile, options.GatewayListenPort, addresses, options.Mtu, peers);
        return new GatewayTunnelPlan(spec, [.. conflicts], [.. problems]);

        void TryClaim(NodeId owner, IPNetwork prefix, string text)
        {
            var range = Prefixes.Range(prefix);
            foreach (var (held, heldRange, holder) in claimed)
            {
                if (!heldRange.Overlaps(range)) continue;
                if (holder == owner)
                {
                    if (held.PrefixLength <= prefix.PrefixLength) return; // already covered by the same peer
                    continue;
                }
                conflicts.Add(new AllowedIpConflict(text, owner, holder, Prefixes.Format(held), "overlaps a prefix another node holds (lowest node id wins)"));
                return;
            }
            claimed.Add((prefix, range, owner));
            allowed[owner].Add(prefix);
        }
    }

    /// <summary>The first announced address with an IP host, as "ip:port" / "[v6]:port" with the WireGuard port.</summary>
    public static string? Endpoint(ImmutableArray<string> addresses, int port)
    {
        if (addresses.IsDefaultOrEmpty) return null;
        foreach (var a in addresses)
        {
            if (a is null || !ProbeTarget.TrySplitHostPort(a, out var host, out _)) continue;
            if (!IPAddress.TryParse(host, out var ip) || host.Contains('%')) continue;
            return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]:{port}" : $"{ip}:{port}";
        }
        return null;
    }
}
