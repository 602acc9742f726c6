using Evernet.Daemon.Configuration;
using Evernet.Policy;

namespace Evernet.Daemon.Host;

/// <summary>The policy engine's and the gateway monitor's options, from the daemon's configuration.</summary>
public static class PolicyOptionsMapping
{
    public static PolicyOptions ToPolicyOptions(EvernetdOptions o, string wireGuardPrivateKeyFile) => new()
    {
        WireGuard = new WireGuardOptions
        {
            PrivateKeyFile = wireGuardPrivateKeyFile,
            GatewayListenPort = o.WireGuard.ListenPort,
            NodeInterfacePrefix = o.WireGuard.InterfacePrefix,
            Mtu = o.WireGuard.Mtu,
            PersistentKeepaliveSeconds = o.WireGuard.PersistentKeepaliveSeconds,
        },
        Routing = new RoutingOptions
        {
            Table = o.Routing.Table,
            RulePriority = o.Routing.RulePriority,
            Buckets = o.Routing.ResilientBuckets,
            IdleTimerSeconds = o.Routing.IdleTimerSeconds,
        },
        TrafficClasses = o.TrafficClasses.Select(c => new TrafficClassOptions
        {
            Name = c.Name ?? "",
            Strategy = c.Strategy,
            Protocol = c.Match.Protocol,
            Ports = [.. c.Match.Ports],
            Dscp = [.. c.Match.Dscp],
            Gateways = c.Gateway is null ? [] : [c.Gateway],
            FallbackToBalance = c.Failover,
        }).ToList(),
    };

    public static GatewayHealthOptions ToGatewayHealthOptions(EvernetdOptions o) => new()
    {
        Uplink = new UplinkMonitorOptions
        {
            Targets = o.Gateway.ProbeTargets.Select(t => t.ToSpec()).ToList(),
            ProbeIntervalMs = o.Gateway.ProbeIntervalMs,
            ProbeTimeoutMs = Math.Max(o.Gateway.ProbeIntervalMs, 250),
            StaleAfterMs = Math.Max(2_000, 2 * (o.Gateway.ProbeIntervalMs + Math.Max(o.Gateway.ProbeIntervalMs, 250)) + 1),
        },
        Load = new LoadReporterOptions
        {
            CapacityDownBps = o.Gateway.CapacityDownBps,
            CapacityUpBps = o.Gateway.CapacityUpBps,
        },
    };
}
