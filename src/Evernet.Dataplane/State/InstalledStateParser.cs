using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace Evernet.Dataplane.State;

/// <summary>
/// Pure parsers for the machine-readable output of <c>ip -N -j</c>, <c>wg show dump</c> and <c>nft -j</c>.
/// Empty output means "nothing installed" (what a dry run answers). Output that cannot be understood raises
/// <see cref="UnexpectedOutputException"/>.
/// </summary>
internal static class InstalledStateParser
{
    public static ImmutableArray<InstalledLink> ParseLinks(string json) =>
        ParseArray(json, "ip addr", static element =>
        {
            var addresses = ImmutableArray.CreateBuilder<IpPrefix>();
            if (element.TryGetProperty("addr_info", out var info) && info.ValueKind == JsonValueKind.Array)
            {
                foreach (var address in info.EnumerateArray())
                {
                    if (String(address, "local") is { } local && Int(address, "prefixlen") is { } length
                        && IPAddress.TryParse(local, out var ip))
                    {
                        addresses.Add(new IpPrefix(ip, length));
                    }
                }
            }

            string? kind = null;
            if (element.TryGetProperty("linkinfo", out var linkInfo) && linkInfo.ValueKind == JsonValueKind.Object)
            {
                kind = String(linkInfo, "info_kind");
            }

            var flags = element.TryGetProperty("flags", out var flagArray) && flagArray.ValueKind == JsonValueKind.Array
                ? flagArray.EnumerateArray().Select(static f => f.GetString()).ToArray()
                : [];
            return new InstalledLink(
                String(element, "ifname") ?? throw new UnexpectedOutputException("ip addr: link without ifname"),
                kind,
                Int(element, "mtu") ?? 0,
                flags.Contains("UP"),
                String(element, "ifalias"),
                addresses.ToImmutable());
        });

    /// <summary>Parses <c>wg show NAME dump</c>; null for empty output (no such device).</summary>
    public static WireGuardDeviceState? ParseWireGuardDump(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return null;
        }

        var device = lines[0].Split('\t');
        if (device.Length < 4)
        {
            throw new UnexpectedOutputException("wg show dump: interface line has fewer than 4 fields");
        }

        var peers = ImmutableArray.CreateBuilder<WireGuardPeerState>();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split('\t');
            if (fields.Length < 8)
            {
                throw new UnexpectedOutputException("wg show dump: peer line has fewer than 8 fields");
            }

            var allowed = fields[3] == "(none)"
                ? ImmutableArray<IpPrefix>.Empty
                : [.. fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(static a => IpPrefix.TryParse(a, out var p)
                    ? p
                    : throw new UnexpectedOutputException($"wg show dump: bad allowed-ip '{a}'"))];
            var handshake = ParseLong(fields[4]);
            peers.Add(new WireGuardPeerState(
                fields[0],
                fields[2] == "(none)" ? null : fields[2],
                allowed,
                fields[7] == "off" ? 0 : (int)ParseLong(fields[7]),
                handshake == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(handshake),
                ParseLong(fields[5]),
                ParseLong(fields[6])));
        }

        return new WireGuardDeviceState(
            device[0] == "(none)" ? null : KeyFingerprint(device[0]),
            device[1] == "(none)" ? null : device[1],
            (int)ParseLong(device[2]),
            peers.ToImmutable());
    }

    /// <summary>SHA-256 of the decoded 32-byte key, hex; null when the text is not a WireGuard key.</summary>
    public static string? KeyFingerprint(string base64Key)
    {
        Span<byte> key = stackalloc byte[33];
        if (!Convert.TryFromBase64String(base64Key.Trim(), key, out var written) || written != 32)
        {
            return null;
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(key[..32]));
        CryptographicOperations.ZeroMemory(key);
        return fingerprint;
    }

    public static ImmutableArray<InstalledNexthop> ParseNexthops(string json) =>
        ParseArray(json, "ip nexthop", static element =>
        {
            var members = ImmutableArray<NexthopGroupMember>.Empty;
            if (element.TryGetProperty("group", out var group) && group.ValueKind == JsonValueKind.Array)
            {
                members = [.. group.EnumerateArray().Select(static m => new NexthopGroupMember(
                    (uint)(Long(m, "id") ?? throw new UnexpectedOutputException("ip nexthop: group member without id")),
                    Int(m, "weight") ?? 1))];
            }

            int? buckets = null;
            int? idle = null;
            if (element.TryGetProperty("resilient_args", out var resilient) && resilient.ValueKind == JsonValueKind.Object)
            {
                buckets = Int(resilient, "buckets");
                idle = Int(resilient, "idle_timer");
            }

            return new InstalledNexthop(
                (uint)(Long(element, "id") ?? throw new UnexpectedOutputException("ip nexthop: entry without id")),
                String(element, "dev"),
                String(element, "gateway") is { } gateway && IPAddress.TryParse(gateway, out var gatewayAddress) ? gatewayAddress : null,
                element.TryGetProperty("blackhole", out _),
                NumericProtocol(element),
                members,
                String(element, "type") == "resilient",
                buckets,
                idle);
        });

    public static ImmutableArray<InstalledRoute> ParseRoutes(string json, AddressFamily family) =>
        ParseArray(json, "ip route", element =>
        {
            uint? nexthopId = Long(element, "nhid") is { } id ? (uint)id : null;
            var hops = ImmutableArray<RouteHop>.Empty;
            if (element.TryGetProperty("nexthops", out var nexthops) && nexthops.ValueKind == JsonValueKind.Array)
            {
                hops = [.. nexthops.EnumerateArray()
                    .Where(static h => String(h, "dev") is not null)
                    .Select(static h => new RouteHop(String(h, "dev")!, Address(h, "gateway"), Int(h, "weight") ?? 1))];
            }
            else if (String(element, "dev") is { } device)
            {
                hops = [new RouteHop(device, Address(element, "gateway"), 1)];
            }

            return new InstalledRoute(
                family,
                TableNumber(String(element, "table")) ?? 254,
                NormaliseDestination(String(element, "dst") ?? "default"),
                RouteTypeName(String(element, "type")),
                nexthopId,
                String(element, "dev"),
                String(element, "gateway") is { } gateway && IPAddress.TryParse(gateway, out var address) ? address : null,
                Int(element, "metric"),
                NumericProtocol(element)) { Hops = hops };
        });

    public static ImmutableArray<InstalledRule> ParseRules(string json, AddressFamily family) =>
        ParseArray(json, "ip rule", element =>
        {
            IpPrefix? source = null;
            if (String(element, "src") is { } src && src != "all" && IPAddress.TryParse(src, out var sourceAddress))
            {
                source = new IpPrefix(sourceAddress, Int(element, "srclen") ?? (family == AddressFamily.InterNetworkV6 ? 128 : 32));
            }

            return new InstalledRule(
                family,
                Int(element, "priority") ?? 0,
                source,
                ParseHex(String(element, "fwmark")),
                ParseHex(String(element, "fwmask")),
                TableNumber(String(element, "table")),
                NumericProtocol(element));
        });

    public static InstalledNftTable ParseNftTable(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return InstalledNftTable.Absent;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                throw new UnexpectedOutputException("nft -j: no 'nftables' array");
            }

            var exists = false;
            var rules = ImmutableArray.CreateBuilder<NftRuleSignature>();
            foreach (var item in items.EnumerateArray())
            {
                if (item.TryGetProperty("table", out _))
                {
                    exists = true;
                }
                else if (item.TryGetProperty("rule", out var rule))
                {
                    rules.Add(new NftRuleSignature(String(rule, "chain") ?? string.Empty, String(rule, "comment")));
                }
            }

            return new InstalledNftTable(exists, rules.ToImmutable());
        }
        catch (JsonException exception)
        {
            throw new UnexpectedOutputException("nft -j: output is not JSON", exception);
        }
    }

    private static ImmutableArray<T> ParseArray<T>(string json, string what, Func<JsonElement, T> parse)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new UnexpectedOutputException($"{what} -j: expected a JSON array");
            }

            return [.. document.RootElement.EnumerateArray().Select(parse)];
        }
        catch (JsonException exception)
        {
            throw new UnexpectedOutputException($"{what} -j: output is not JSON", exception);
        }
        catch (InvalidOperationException exception)
        {
            throw new UnexpectedOutputException($"{what} -j: unexpected value type", exception);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IPAddress? Address(JsonElement element, string name) =>
        String(element, name) is { } text && IPAddress.TryParse(text, out var address) ? address : null;

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) => number,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        } : null;

    private static int? Int(JsonElement element, string name) => Long(element, name) is { } value ? (int)value : null;

    private static int? NumericProtocol(JsonElement element) => Int(element, "protocol");

    private static int? TableNumber(string? table) => table switch
    {
        null => null,
        "main" => 254,
        "local" => 255,
        "default" => 253,
        _ => long.TryParse(table, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? (int)number : null,
    };

    private static uint? ParseHex(string? text) =>
        text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        && uint.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static long ParseLong(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UnexpectedOutputException($"wg show dump: '{text}' is not a number");

    private static string NormaliseDestination(string destination) =>
        destination != "default" && IpPrefix.TryParse(destination, out var prefix) ? prefix.ToString() : destination;

    /// <summary>With -N the kernel's rtnetlink route type arrives as a number; without it, as a name. Absent means unicast.</summary>
    private static string RouteTypeName(string? type) => type switch
    {
        null or "1" => "unicast",
        "2" => "local",
        "3" => "broadcast",
        "4" => "anycast",
        "5" => "multicast",
        "6" => "blackhole",
        "7" => "unreachable",
        "8" => "prohibit",
        "9" => "throw",
        _ => type,
    };
}
