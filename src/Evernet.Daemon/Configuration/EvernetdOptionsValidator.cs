using System.Globalization;
using System.Net;
using System.Text;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Wire;
using Microsoft.Extensions.Options;

namespace Evernet.Daemon.Configuration;

/// <summary>
/// Start-up validation of <see cref="EvernetdOptions"/>. Every message is "key: why" with the key spelled as in the
/// JSON file (camelCase, dotted, [index]), e.g. "gateway.capacityDownBps: must be > 0 when role is gateway".
/// </summary>
public sealed class EvernetdOptionsValidator : IValidateOptions<EvernetdOptions>
{
    private static readonly HashSet<string> LogLevels = new(StringComparer.OrdinalIgnoreCase) { "Trace", "Debug", "Information", "Warning", "Error", "Critical", "None" };
    private const int MaxInterfaceNameLength = 15;
    private const int MinInterfaceSuffixLength = 6;

    public ValidateOptionsResult Validate(string? name, EvernetdOptions options)
    {
        var errors = Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every problem at once; empty when the options are usable.</summary>
    public static IReadOnlyList<string> Validate(EvernetdOptions o)
    {
        var e = new List<string>();
        void Check(bool ok, string key, string why) { if (!ok) e.Add($"{key}: {why}"); }

        // Identity
        Check(o.NodeName is not null, "nodeName", "is required");
        if (o.NodeName is { } nodeName)
            Check(nodeName.Length > 0 && Encoding.UTF8.GetByteCount(nodeName) <= WireLimits.MaxStringBytes && !nodeName.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)),
                "nodeName", $"must be 1..{WireLimits.MaxStringBytes} UTF-8 bytes without spaces or control characters");
        var role = o.Role?.Trim().ToLowerInvariant();
        Check(role is RoleNames.Node or RoleNames.Gateway, "role", $"must be {RoleNames.Node} or {RoleNames.Gateway}, not '{o.Role}'");
        CheckAbsolutePath(e, "stateDirectory", o.StateDirectory);
        CheckAbsolutePath(e, "certificateFile", o.CertificateFile);
        Check(o.Authorities.Count > 0, "authorities", "at least one authority public key is required");
        var authorities = new HashSet<NodeId>();
        for (int i = 0; i < o.Authorities.Count; i++)
        {
            if (!NodeId.TryParseHex(o.Authorities[i]?.Trim() ?? "", out var id)) e.Add($"authorities[{i}]: not 64 hex characters");
            else Check(authorities.Add(id), $"authorities[{i}]", "listed twice");
        }

        // Interfaces and addresses
        CheckInterfaces(e, "meshInterfaces", o.MeshInterfaces);
        Check(o.ClientPrefixes.Count <= WireLimits.MaxClientPrefixes, "clientPrefixes", $"at most {WireLimits.MaxClientPrefixes} prefixes");
        for (int i = 0; i < o.ClientPrefixes.Count; i++)
            Check(IsCanonicalPrefix(o.ClientPrefixes[i]), $"clientPrefixes[{i}]",
                $"'{o.ClientPrefixes[i]}' is not a prefix in CIDR notation without host bits (e.g. 10.17.0.0/24)");

        // Gossip
        var g = o.Gossip;
        Check(g.Port is >= 1 and <= 65535, "gossip.port", "must be 1..65535");
        var listen = new HashSet<IPAddress>();
        for (int i = 0; i < g.ListenAddresses.Count; i++)
        {
            if (!IPAddress.TryParse(g.ListenAddresses[i]?.Trim() ?? "", out var address)) e.Add($"gossip.listenAddresses[{i}]: '{g.ListenAddresses[i]}' is not an IP address");
            else Check(listen.Add(address), $"gossip.listenAddresses[{i}]", "listed twice");
        }
        if (g.BindInterface is not null) Check(IsInterfaceName(g.BindInterface), "gossip.bindInterface", $"'{g.BindInterface}' is not a valid interface name");
        for (int i = 0; i < g.Seeds.Count; i++)
            Check(Transport.PeerEndpoint.IsValidSeed(g.Seeds[i]), $"gossip.seeds[{i}]", $"'{g.Seeds[i]}' is not host:port, a.b.c.d:port or [v6]:port");
        foreach (var error in g.Timing.ToGossipOptions().Validate())
        {
            int colon = error.IndexOf(':');
            e.Add(colon > 0 ? $"gossip.timing.{GossipTimingSettings.KeyFor(error[..colon])}{error[colon..]}" : $"gossip.timing: {error}");
        }

        // WireGuard and routing
        var w = o.WireGuard;
        Check(w.ListenPort is >= 1 and <= 65535, "wireGuard.listenPort", "must be 1..65535");
        Check(w.ListenPort != g.Port, "wireGuard.listenPort", $"must differ from gossip.port ({g.Port}): both are UDP");
        if (w.PrivateKeyFile is not null) CheckAbsolutePath(e, "wireGuard.privateKeyFile", w.PrivateKeyFile);
        Check(IsInterfaceName(w.InterfacePrefix) && w.InterfacePrefix.Length <= MaxInterfaceNameLength - MinInterfaceSuffixLength,
            "wireGuard.interfacePrefix", $"must be 1..{MaxInterfaceNameLength - MinInterfaceSuffixLength} characters of [a-zA-Z0-9_.-]");
        Check(w.Mtu is >= 1280 and <= 9000, "wireGuard.mtu", "must be 1280..9000");
        Check(w.PersistentKeepaliveSeconds is >= 0 and <= 3600, "wireGuard.persistentKeepaliveSeconds", "must be 0 (off)..3600");
        var r = o.Routing;
        Check(r.Table is >= 1 and < int.MaxValue && r.Table is not (253 or 254 or 255), "routing.table", "must be a table id other than 0 and default/main/local (253..255)");
        Check(r.RulePriority is >= 1 and <= 32765, "routing.rulePriority", "must be 1..32765 (before the main table's rule at 32766)");
        Check(r.ResilientBuckets is >= 16 and <= 4096, "routing.resilientBuckets", "must be 16..4096");
        Check(r.IdleTimerSeconds is >= 0 and <= 3600, "routing.idleTimerSeconds", "must be 0..3600");

        // Traffic classes
        Check(o.TrafficClasses.Count <= 32, "trafficClasses", "at most 32 classes");
        var classNames = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.TrafficClasses.Count; i++) ValidateClass(e, $"trafficClasses[{i}]", o.TrafficClasses[i], classNames);

        // Gateway
        if (role == RoleNames.Gateway) ValidateGateway(e, o.Gateway);

        // Services
        CheckAbsolutePath(e, "controlSocket", o.ControlSocket);
        if (o.Metrics.ListenAddress is { } metrics)
            Check(IsListenEndpoint(metrics), "metrics.listenAddress", $"'{metrics}' is not address:port (e.g. 127.0.0.1:9464 or [::1]:9464)");
        if (o.WebAdmin.ListenAddress is { } web)
        {
            Check(IsListenEndpoint(web), "webAdmin.listenAddress", $"'{web}' is not address:port (e.g. 127.0.0.1:8080)");
            Check(!string.IsNullOrWhiteSpace(o.WebAdmin.PasswordHash), "webAdmin.passwordHash", "is required when webAdmin.listenAddress is set");
        }
        if (o.WebAdmin.PasswordHash is { } hash)
            Check(hash.Length > 0 && !hash.Any(char.IsWhiteSpace), "webAdmin.passwordHash", "must not be empty or contain spaces");
        Check(!o.Discovery.Enabled || o.MeshInterfaces.Count > 0, "discovery.enabled", "needs at least one entry in meshInterfaces");
        Check(LogLevels.Contains(o.LogLevel ?? ""), "logLevel", $"must be one of {string.Join(", ", LogLevels)}");
        return e;
    }

    private static void ValidateClass(List<string> e, string key, TrafficClassSettings? c, HashSet<string> names)
    {
        void Check(bool ok, string sub, string why) { if (!ok) e.Add($"{key}{sub}: {why}"); }
        if (c is null) { e.Add($"{key}: is empty"); return; }
        Check(c.Name is { Length: >= 1 and <= 32 } n && n.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'), ".name", "must be 1..32 characters of [a-zA-Z0-9_-]");
        if (c.Name is not null) Check(names.Add(c.Name), ".name", $"'{c.Name}' is used by two classes");
        var protocol = c.Match.Protocol?.Trim().ToLowerInvariant() switch { null or "" or "any" => null, var p => p };
        Check(protocol is null or "tcp" or "udp", ".match.protocol", $"must be tcp, udp or any, not '{c.Match.Protocol}'");
        Check(c.Match.Ports.Count <= 64, ".match.ports", "at most 64 ports");
        for (int i = 0; i < c.Match.Ports.Count; i++) Check(c.Match.Ports[i] is >= 1 and <= 65535, $".match.ports[{i}]", "must be 1..65535");
        Check(c.Match.Ports.Count == 0 || protocol is not null, ".match.ports", "ports need match.protocol tcp or udp");
        for (int i = 0; i < c.Match.Dscp.Count; i++) Check(c.Match.Dscp[i] is >= 0 and <= 63, $".match.dscp[{i}]", "must be 0..63");
        Check(protocol is not null || c.Match.Ports.Count > 0 || c.Match.Dscp.Count > 0, ".match",
            "must match on at least one of protocol, ports, dscp (a class matching everything would replace the default route)");
        var strategy = c.Strategy?.Trim().ToLowerInvariant();
        Check(strategy is "balance" or "lowest-latency" or "pinned", ".strategy", $"must be balance, lowest-latency or pinned, not '{c.Strategy}'");
        if (strategy == "pinned") Check(!string.IsNullOrWhiteSpace(c.Gateway), ".gateway", "is required when strategy is pinned");
        else Check(c.Gateway is null, ".gateway", "is only meaningful when strategy is pinned");
    }

    private static void ValidateGateway(List<string> e, GatewaySettings g)
    {
        void Check(bool ok, string key, string why) { if (!ok) e.Add($"gateway.{key}: {why}"); }
        Check(g.WanInterface is not null && IsInterfaceName(g.WanInterface), "wanInterface", "is required when role is gateway (an interface name)");
        Check(g.CapacityDownBps > 0, "capacityDownBps", "must be > 0 when role is gateway");
        Check(g.CapacityUpBps > 0, "capacityUpBps", "must be > 0 when role is gateway");
        Check(g.ProbeTargets.Count is >= 1 and <= WireLimits.MaxProbeTargets, "probeTargets", $"1..{WireLimits.MaxProbeTargets} targets are required when role is gateway (3 independent ones recommended)");
        for (int i = 0; i < g.ProbeTargets.Count; i++)
        {
            var t = g.ProbeTargets[i];
            if (t is null) { e.Add($"gateway.probeTargets[{i}]: is empty"); continue; }
            var problem = ProbeTargetProblem(t);
            if (problem is not null) e.Add($"gateway.probeTargets[{i}]: {problem}");
        }
        Check(g.ProbeIntervalMs is >= 20 and <= 60_000, "probeIntervalMs", "must be 20..60000");
    }

    private static string? ProbeTargetProblem(ProbeTargetSettings t)
    {
        var kind = t.Kind?.Trim().ToLowerInvariant();
        var address = t.Address?.Trim() ?? "";
        if (address.Length == 0) return "address is required";
        switch (kind)
        {
            case "http":
                return Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
                    ? null : $"'{address}' is not an http:// or https:// URL";
            case "icmp":
                return IPAddress.TryParse(address, out _) || Uri.CheckHostName(address) is UriHostNameType.Dns ? null : $"'{address}' is not a host or IP address (icmp takes no port)";
            case "dns":
                return IPAddress.TryParse(address, out _) || Uri.CheckHostName(address) is UriHostNameType.Dns || Transport.PeerEndpoint.IsValidSeed(address)
                    ? null : $"'{address}' is not host, host:port or [v6]:port";
            case "tcp":
                return Transport.PeerEndpoint.IsValidSeed(address) ? null : $"'{address}' is not host:port or [v6]:port (tcp needs a port)";
            default:
                return $"kind must be icmp, dns, tcp or http, not '{t.Kind}'";
        }
    }

    private static void CheckInterfaces(List<string> e, string key, List<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            if (!IsInterfaceName(names[i])) e.Add($"{key}[{i}]: '{names[i]}' is not a valid interface name (1..15 characters of [a-zA-Z0-9_.-])");
            else if (!seen.Add(names[i])) e.Add($"{key}[{i}]: '{names[i]}' listed twice");
        }
    }

    private static void CheckAbsolutePath(List<string> e, string key, string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathRooted(path) || path.Any(char.IsControl))
            e.Add($"{key}: must be an absolute path");
    }

    /// <summary>"10.17.0.0/24" yes, "10.17.0.1/24" no: host bits set usually means a typo for a different prefix.</summary>
    private static bool IsCanonicalPrefix(string? text)
    {
        text = text?.Trim() ?? "";
        int slash = text.IndexOf('/');
        return slash > 0 && IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text[..slash], out var address)
            && address.Equals(network.BaseAddress);
    }

    internal static bool IsInterfaceName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxInterfaceNameLength && name is not ("." or "..")
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private static bool IsListenEndpoint(string text) =>
        IPEndPoint.TryParse(text.Trim(), out var endpoint) && endpoint.Port > 0
        && text.TrimEnd().EndsWith(endpoint.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
