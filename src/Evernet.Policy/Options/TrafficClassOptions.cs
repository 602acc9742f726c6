using Evernet.Gossip.Identity;

namespace Evernet.Policy;

/// <summary>
/// A traffic class from configuration: packets matching <see cref="Protocol"/>, <see cref="Ports"/> (destination) and
/// <see cref="Dscp"/> (all given criteria must match) are marked and routed by <see cref="Strategy"/>:
/// "balance" (per-flow hash over all usable gateways by weight), "lowest-latency" (the single best healthy path, with
/// hysteresis) or "pinned" (<see cref="Gateways"/> in failover order). Flows are never spread per packet.
/// </summary>
public sealed class TrafficClassOptions
{
    public const string BalanceName = "balance";
    public const string LowestLatencyName = "lowest-latency";
    public const string PinnedName = "pinned";

    public string Name { get; set; } = "";
    public string Strategy { get; set; } = BalanceName;
    /// <summary>"tcp", "udp" or null/"any".</summary>
    public string? Protocol { get; set; }
    public List<int> Ports { get; set; } = [];
    public List<int> Dscp { get; set; } = [];
    /// <summary>Pinned: gateway names (certificate name), ids (hex) or fingerprints, most preferred first.</summary>
    public List<string> Gateways { get; set; } = [];
    /// <summary>Pinned: when none of <see cref="Gateways"/> is usable, balance over the others (true) or route nothing via the class table (false: the packets fall through to the default multipath route's rule or main table).</summary>
    public bool FallbackToBalance { get; set; } = true;
    /// <summary>0: assigned from <see cref="RoutingOptions.ClassMarkBase"/> by position.</summary>
    public uint FirewallMark { get; set; }
    /// <summary>0: assigned from <see cref="RoutingOptions.ClassTableBase"/> by position.</summary>
    public int Table { get; set; }
    /// <summary>0: assigned from <see cref="RoutingOptions.ClassRulePriorityBase"/> by position.</summary>
    public int RulePriority { get; set; }
    /// <summary>Lowest-latency: a challenger must beat the current path by this fraction ...</summary>
    public double SwitchMarginFraction { get; set; } = 0.2;
    /// <summary>... and by this many milliseconds ...</summary>
    public double SwitchMarginMs { get; set; } = 5;
    /// <summary>... continuously for this long before the class moves (a dead current path moves it at once).</summary>
    public int SwitchHoldMs { get; set; } = 10_000;

    public TrafficStrategy ParsedStrategy => Strategy?.Trim().ToLowerInvariant() switch
    {
        LowestLatencyName => TrafficStrategy.LowestLatency,
        PinnedName => TrafficStrategy.Pinned,
        _ => TrafficStrategy.Balance,
    };

    public string? NormalizedProtocol => Protocol?.Trim().ToLowerInvariant() switch
    {
        null or "" or "any" => null,
        var p => p,
    };

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 32 && Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'),
            nameof(Name), "must be 1..32 characters of [a-zA-Z0-9_-]");
        string strategy = Strategy?.Trim().ToLowerInvariant() ?? "";
        e.Check(strategy is BalanceName or LowestLatencyName or PinnedName, nameof(Strategy), $"must be {BalanceName}, {LowestLatencyName} or {PinnedName}");
        string? protocol = NormalizedProtocol;
        e.Check(protocol is null or "tcp" or "udp", nameof(Protocol), "must be tcp, udp or any");
        e.Check(Ports is not null && Ports.All(p => p is >= 1 and <= 65535), nameof(Ports), "ports must be 1..65535");
        e.Check(Ports is null || Ports.Count <= 64, nameof(Ports), "at most 64 ports");
        e.Check(Ports is null || Ports.Count == 0 || protocol is not null, nameof(Ports), "ports need Protocol tcp or udp");
        e.Check(Dscp is not null && Dscp.All(d => d is >= 0 and <= 63), nameof(Dscp), "DSCP values must be 0..63");
        e.Check(protocol is not null || Ports is { Count: > 0 } || Dscp is { Count: > 0 }, nameof(Name),
            "a class must match on at least one of Protocol, Ports, Dscp (a class matching everything would replace the default route)");
        if (strategy == PinnedName)
        {
            e.Check(Gateways is { Count: > 0 }, nameof(Gateways), "pinned needs at least one gateway");
            e.Check(Gateways is null || Gateways.All(g => !string.IsNullOrWhiteSpace(g)), nameof(Gateways), "empty gateway name");
        }
        e.Check(SwitchMarginFraction is >= 0 and < 1, nameof(SwitchMarginFraction), "must be in [0, 1)");
        e.Check(SwitchMarginMs is >= 0 and <= 10_000, nameof(SwitchMarginMs), "must be 0..10000");
        e.Check(SwitchHoldMs is >= 0 and <= 3_600_000, nameof(SwitchHoldMs), "must be 0..3600000");
        e.Check(Table is >= 0 and < 0x7FFFFFFF && Table is not (253 or 254 or 255), nameof(Table), "must be 0 (auto) or a table id other than default/main/local (253..255)");
        e.Check(RulePriority is >= 0 and <= 32765, nameof(RulePriority), "must be 0 (auto) or 1..32765 (before the main table's rule)");
        return e.Errors;
    }

    /// <summary>Does <paramref name="entry"/> (from <see cref="Gateways"/>) name this gateway?</summary>
    public static bool Names(string entry, NodeId id, string name)
    {
        entry = entry.Trim();
        return string.Equals(entry, name, StringComparison.Ordinal)
            || string.Equals(entry, id.ToHex(), StringComparison.OrdinalIgnoreCase)
            || string.Equals(entry, id.Fingerprint, StringComparison.OrdinalIgnoreCase);
    }
}
