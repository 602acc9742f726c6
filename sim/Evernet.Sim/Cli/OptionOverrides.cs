using System.Globalization;
using Evernet.Gossip;
using Evernet.Sim.Time;

namespace Evernet.Sim.Cli;

/// <summary>"Key=Value" settings of <see cref="GossipOptions"/> from the command line; explicit (no reflection).</summary>
public static class OptionOverrides
{
    public static readonly string[] Keys =
    [
        nameof(GossipOptions.ProbeInterval), nameof(GossipOptions.ProbeTimeout), nameof(GossipOptions.IndirectChecks),
        nameof(GossipOptions.SuspicionMultiplier), nameof(GossipOptions.SuspicionMaxMultiplier), nameof(GossipOptions.RetransmitMultiplier),
        nameof(GossipOptions.UrgentFanout), nameof(GossipOptions.PushPullInterval), nameof(GossipOptions.GatewayProbeInterval),
        nameof(GossipOptions.GatewayProbeTimeout), nameof(GossipOptions.GatewayRoundTimeout), nameof(GossipOptions.GatewayFailedRoundsToUnusable),
        nameof(GossipOptions.GatewayIndirectChecks), nameof(GossipOptions.TombstoneRetention), nameof(GossipOptions.MaxClockSkew),
        nameof(GossipOptions.MaxAwareness), nameof(GossipOptions.RecordRefreshInterval), nameof(GossipOptions.PushPullSummaries),
    ];

    /// <summary>Applies one setting; returns an error text or null.</summary>
    public static string? Apply(GossipOptions o, string key, string value)
    {
        bool Span(out TimeSpan t) => DurationParser.TryParse(value, out t);
        bool Int(out int i) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out i);
        bool Dbl(out double d) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out d);
        string bad = $"{key}: cannot parse '{value}'";
        switch (key)
        {
            case nameof(GossipOptions.ProbeInterval): if (!Span(out var a)) return bad; o.ProbeInterval = a; break;
            case nameof(GossipOptions.ProbeTimeout): if (!Span(out var b)) return bad; o.ProbeTimeout = b; break;
            case nameof(GossipOptions.IndirectChecks): if (!Int(out var c)) return bad; o.IndirectChecks = c; break;
            case nameof(GossipOptions.SuspicionMultiplier): if (!Dbl(out var d)) return bad; o.SuspicionMultiplier = d; break;
            case nameof(GossipOptions.SuspicionMaxMultiplier): if (!Dbl(out var e)) return bad; o.SuspicionMaxMultiplier = e; break;
            case nameof(GossipOptions.RetransmitMultiplier): if (!Dbl(out var f)) return bad; o.RetransmitMultiplier = f; break;
            case nameof(GossipOptions.UrgentFanout): if (!Int(out var g)) return bad; o.UrgentFanout = g; break;
            case nameof(GossipOptions.PushPullInterval): if (!Span(out var h)) return bad; o.PushPullInterval = h; break;
            case nameof(GossipOptions.GatewayProbeInterval): if (!Span(out var i)) return bad; o.GatewayProbeInterval = i; break;
            case nameof(GossipOptions.GatewayProbeTimeout): if (!Span(out var j)) return bad; o.GatewayProbeTimeout = j; break;
            case nameof(GossipOptions.GatewayRoundTimeout): if (!Span(out var k)) return bad; o.GatewayRoundTimeout = k; break;
            case nameof(GossipOptions.GatewayFailedRoundsToUnusable): if (!Int(out var l)) return bad; o.GatewayFailedRoundsToUnusable = l; break;
            case nameof(GossipOptions.GatewayIndirectChecks): if (!Int(out var m)) return bad; o.GatewayIndirectChecks = m; break;
            case nameof(GossipOptions.TombstoneRetention): if (!Span(out var n)) return bad; o.TombstoneRetention = n; break;
            case nameof(GossipOptions.MaxClockSkew): if (!Span(out var p)) return bad; o.MaxClockSkew = p; break;
            case nameof(GossipOptions.MaxAwareness): if (!Int(out var q)) return bad; o.MaxAwareness = q; break;
            case nameof(GossipOptions.RecordRefreshInterval): if (!Span(out var r)) return bad; o.RecordRefreshInterval = r; break;
            case nameof(GossipOptions.PushPullSummaries): if (!bool.TryParse(value, out var u)) return bad; o.PushPullSummaries = u; break;
            default: return $"unknown option '{key}' (known: {string.Join(", ", Keys)})";
        }
        return null;
    }

    /// <summary>The settings that differ from the defaults, as "Key=Value" (for reports).</summary>
    public static string Describe(GossipOptions o)
    {
        var d = new GossipOptions();
        var parts = new List<string>();
        void Cmp<T>(string key, T a, T b) where T : IEquatable<T>
        {
            if (!a.Equals(b)) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{key}={(a is TimeSpan t ? DurationParser.Format(t) : a.ToString())}"));
        }
        Cmp(nameof(o.ProbeInterval), o.ProbeInterval, d.ProbeInterval);
        Cmp(nameof(o.PushPullSummaries), o.PushPullSummaries, d.PushPullSummaries);
        Cmp(nameof(o.ProbeTimeout), o.ProbeTimeout, d.ProbeTimeout);
        Cmp(nameof(o.IndirectChecks), o.IndirectChecks, d.IndirectChecks);
        Cmp(nameof(o.SuspicionMultiplier), o.SuspicionMultiplier, d.SuspicionMultiplier);
        Cmp(nameof(o.SuspicionMaxMultiplier), o.SuspicionMaxMultiplier, d.SuspicionMaxMultiplier);
        Cmp(nameof(o.RetransmitMultiplier), o.RetransmitMultiplier, d.RetransmitMultiplier);
        Cmp(nameof(o.UrgentFanout), o.UrgentFanout, d.UrgentFanout);
        Cmp(nameof(o.PushPullInterval), o.PushPullInterval, d.PushPullInterval);
        Cmp(nameof(o.GatewayProbeInterval), o.GatewayProbeInterval, d.GatewayProbeInterval);
        Cmp(nameof(o.GatewayProbeTimeout), o.GatewayProbeTimeout, d.GatewayProbeTimeout);
        Cmp(nameof(o.GatewayRoundTimeout), o.GatewayRoundTimeout, d.GatewayRoundTimeout);
        Cmp(nameof(o.GatewayFailedRoundsToUnusable), o.GatewayFailedRoundsToUnusable, d.GatewayFailedRoundsToUnusable);
        Cmp(nameof(o.GatewayIndirectChecks), o.GatewayIndirectChecks, d.GatewayIndirectChecks);
        Cmp(nameof(o.TombstoneRetention), o.TombstoneRetention, d.TombstoneRetention);
        Cmp(nameof(o.MaxClockSkew), o.MaxClockSkew, d.MaxClockSkew);
        Cmp(nameof(o.MaxAwareness), o.MaxAwareness, d.MaxAwareness);
        Cmp(nameof(o.RecordRefreshInterval), o.RecordRefreshInterval, d.RecordRefreshInterval);
        return parts.Count == 0 ? "defaults" : string.Join(" ", parts);
    }
}
