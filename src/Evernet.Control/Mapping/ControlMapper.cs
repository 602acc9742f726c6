using System.Globalization;
using Evernet.Control.Dtos;
using Evernet.Gossip.Identity;
using Evernet.Gossip.View;

namespace Evernet.Control.Mapping;

/// <summary>
/// Builds the control DTOs from a <see cref="MeshView"/> snapshot plus what only the daemon knows (weights, tunnels, routes).
/// Pure: equal inputs give equal answers. Every age is relative to <see cref="MeshView.AtUnixMs"/>.
/// </summary>
public static class ControlMapper
{
    public static StatusData ToStatus(MeshView view, LocalNodeInput local, IReadOnlyList<GatewayWeightInput> weights, IReadOnlyList<TunnelInput> tunnels)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(local);
        var node = new NodeStatus(
            local.Name,
            RoleNames.Format(local.Roles),
            view.Self.ToHex(),
            view.Self.Fingerprint,
            Seconds(view.AtUnixMs - local.StartedAtUnixMs),
            local.Version,
            view.LocalIncarnation,
            local.Draining,
            view.AtUnixMs);
        return new StatusData(node, CountMembers(view), MapGateways(view, weights, tunnels));
    }

    public static GatewaysData ToGateways(MeshView view, IReadOnlyList<GatewayWeightInput> weights, IReadOnlyList<TunnelInput> tunnels)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new GatewaysData(view.AtUnixMs, MapGateways(view, weights, tunnels));
    }

    public static MembersData ToMembers(MeshView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var members = view.Members
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Id)
            .Select(m => new MemberStatus(
                m.Name,
                m.Id.ToHex(),
                m.Id.Fingerprint,
                RoleNames.Format(m.Roles),
                ControlNames.Of(m.State),
                m.Incarnation,
                m.Record.Addresses.IsDefault ? [] : [.. m.Record.Addresses],
                m.StateSinceUnixMs,
                Seconds(view.AtUnixMs - m.StateSinceUnixMs),
                m.Record.Certificate.Serial,
                m.Record.Certificate.NotAfterUnixSeconds))
            .ToList();
        return new MembersData(view.AtUnixMs, members);
    }

    public static RoutesData ToRoutes(IReadOnlyList<RouteTableInput> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var result = new List<RouteTableStatus>(tables.Count);
        foreach (var table in tables.OrderBy(t => t.Table))
        {
            var desired = table.Desired.ToDictionary(n => (n.Gateway, n.Interface));
            var installed = (table.Installed ?? []).ToDictionary(n => (n.Gateway, n.Interface));
            var nexthops = desired.Keys.Union(installed.Keys)
                .OrderBy(k => k.Gateway, StringComparer.Ordinal)
                .ThenBy(k => k.Interface, StringComparer.Ordinal)
                .Select(k => new RouteNexthopStatus(
                    k.Gateway,
                    k.Interface,
                    installed.TryGetValue(k, out var i) ? i.Weight : null,
                    desired.TryGetValue(k, out var d) ? d.Weight : null))
                .ToList();
            bool inSync = table.Installed is not null && SameShares(nexthops);
            result.Add(new RouteTableStatus(table.Name, table.Table, ControlNames.Of(table.Mode), [.. table.SourcePrefixes], nexthops, inSync));
        }
        return new RoutesData(result);
    }

    /// <summary>
    /// Installed and desired weights agree as shares, not as numbers: the dataplane installs a group's weights divided
    /// by their common divisor and, when the largest exceeds the kernel's 256, scaled down to it (each rounded, at
    /// least 1). So 330/340/330 is in sync with 33/34/33, and with 253/256/248. The tolerance covers that rounding:
    /// half a unit per weight in the sum, a whole unit for the rounding up to 1, over a sum of at least 256.
    /// </summary>
    private static bool SameShares(IReadOnlyList<RouteNexthopStatus> nexthops)
    {
        if (nexthops.Any(n => (n.InstalledWeight is > 0) != (n.DesiredWeight is > 0))) return false;
        double installedSum = nexthops.Sum(n => n.InstalledWeight ?? 0);
        double desiredSum = nexthops.Sum(n => n.DesiredWeight ?? 0);
        if (installedSum == 0 || desiredSum == 0) return installedSum == desiredSum;
        double tolerance = (1 + 0.5 * nexthops.Count) / 256;
        return nexthops.All(n => Math.Abs((n.InstalledWeight ?? 0) / installedSum - (n.DesiredWeight ?? 0) / desiredSum) <= tolerance);
    }

    /// <summary>A core event as an event entry. <paramref name="nameOf"/> names nodes the event only has the id of (null: fingerprint).</summary>
    public static EventEntry ToEvent(GossipEvent gossipEvent, Func<NodeId, string?>? nameOf = null)
    {
        ArgumentNullException.ThrowIfNull(gossipEvent);
        string Name(NodeId id) => nameOf?.Invoke(id) is { Length: > 0 } name ? name : id.Fingerprint;
        return gossipEvent switch
        {
            MemberStateChanged e => Event(e.AtUnixMs, "member-state", NameOr(e.Name, e.Member),
                $"{(e.Previous is { } p ? ControlNames.Of(p) : "new")} -> {ControlNames.Of(e.Current)} (incarnation {e.Incarnation})"),
            GatewayUsabilityChanged e => Event(e.AtUnixMs, "gateway-usability", NameOr(e.Name, e.Gateway),
                e.Usable ? "usable" : $"not usable: {ControlNames.Of(e.Reason)}"),
            SummaryAccepted e => Event(e.AtUnixMs, "gateway-summary", Name(e.Gateway),
                $"version {e.Version}, uplink {ControlNames.Of(e.Uplink)}, signed {Seconds(e.AtUnixMs - e.SignedAtUnixMs).ToString("0.###", CultureInfo.InvariantCulture)} s before"),
            RevocationAccepted e => Event(e.AtUnixMs, "revocation", Name(e.Node),
                e.Serial == 0 ? "every certificate revoked" : $"certificate serial {e.Serial} revoked"),
            Rejected e => Event(e.AtUnixMs, "rejected", ControlNames.Of(e.Reason), e.Detail),
            _ => Event(gossipEvent.AtUnixMs, "other", gossipEvent.GetType().Name, gossipEvent.ToString()),
        };
    }

    /// <summary>An event entry for something the daemon itself did (failover, dataplane apply, certificate reload, ...).</summary>
    public static EventEntry Event(long atUnixMs, string kind, string subject, string detail) =>
        new(atUnixMs, DateTimeOffset.FromUnixTimeMilliseconds(atUnixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            kind, subject, detail);

    private static string NameOr(string name, NodeId id) => string.IsNullOrEmpty(name) ? id.Fingerprint : name;

    private static MembershipCounts CountMembers(MeshView view)
    {
        int alive = 0, suspect = 0, dead = 0, left = 0;
        foreach (var member in view.Members)
        {
            switch (member.State)
            {
                case MemberState.Alive: alive++; break;
                case MemberState.Suspect: suspect++; break;
                case MemberState.Dead: dead++; break;
                case MemberState.Left: left++; break;
            }
        }
        return new MembershipCounts(alive, suspect, dead, left);
    }

    private static List<GatewayStatus> MapGateways(MeshView view, IReadOnlyList<GatewayWeightInput> weights, IReadOnlyList<TunnelInput> tunnels)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(tunnels);
        var weightOf = new Dictionary<NodeId, int>();
        foreach (var w in weights) weightOf[w.Gateway] = Math.Max(0, w.Weight);
        long totalWeight = weightOf.Values.Sum(w => (long)w);
        var tunnelOf = new Dictionary<NodeId, TunnelInput>();
        foreach (var t in tunnels) tunnelOf[t.Gateway] = t;

        return view.Gateways
            .OrderBy(g => g.Name, StringComparer.Ordinal)
            .ThenBy(g => g.Id)
            .Select(g =>
            {
                var summary = g.Summary;
                int weight = weightOf.GetValueOrDefault(g.Id);
                tunnelOf.TryGetValue(g.Id, out var tunnel);
                var targets = summary is null || summary.Targets.IsDefaultOrEmpty
                    ? []
                    : summary.Targets.Select(t => new ProbeTargetStatus(t.Target, Round(t.LossPermille / 10.0), Round(t.RttMicros / 1000.0), Round(t.JitterMicros / 1000.0))).ToList();
                return new GatewayStatus(
                    g.Name,
                    g.Id.ToHex(),
                    g.Id.Fingerprint,
                    summary is null ? null : ControlNames.Of(summary.Uplink),
                    targets.Count == 0 ? null : Round(targets.Average(t => t.LossPercent)),
                    targets.Count == 0 ? null : Round(targets.Average(t => t.RttMs)),
                    Finite(g.ProbeLossRatio * 100.0, allowZero: true),
                    Finite(g.SmoothedRttMs, allowZero: false),
                    summary?.CapacityDownBps,
                    summary?.CapacityUpBps,
                    summary?.LoadDownBps,
                    summary?.LoadUpBps,
                    summary is null ? null : LoadPercent(summary.LoadDownBps, summary.CapacityDownBps, summary.LoadUpBps, summary.CapacityUpBps),
                    summary?.ActiveFlows,
                    summary?.Draining ?? false,
                    weight,
                    totalWeight == 0 ? 0 : Round(100.0 * weight / totalWeight),
                    tunnel?.Interface,
                    tunnel is null ? null : ControlNames.Of(tunnel.State),
                    tunnel?.LastHandshakeUnixMs is { } hs ? Seconds(view.AtUnixMs - hs) : null,
                    summary?.Version,
                    summary is null ? null : Seconds(view.AtUnixMs - summary.TimestampUnixMs),
                    targets,
                    g.Usable,
                    ControlNames.Of(g.Reason),
                    Seconds(view.AtUnixMs - g.UsabilitySinceUnixMs));
            })
            .ToList();
    }

    /// <summary>The busier direction's load over capacity; null when no direction has a capacity.</summary>
    private static double? LoadPercent(ulong loadDown, ulong capacityDown, ulong loadUp, ulong capacityUp)
    {
        double? ratio = null;
        if (capacityDown > 0) ratio = (double)loadDown / capacityDown;
        if (capacityUp > 0) ratio = Math.Max(ratio ?? 0, (double)loadUp / capacityUp);
        return ratio is { } r ? Round(r * 100.0) : null;
    }

    private static double Seconds(long milliseconds) => Round(milliseconds / 1000.0);

    private static double? Finite(double value, bool allowZero) =>
        double.IsFinite(value) && value >= 0 && (allowZero || value > 0) ? Round(value) : null;

    // Three decimals: enough for milliseconds and permille, and keeps 0.30000000000000004 out of the JSON.
    private static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);
}
