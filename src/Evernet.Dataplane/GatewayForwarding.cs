using System.Collections.Immutable;
using System.Diagnostics;
using Evernet.Dataplane.Commands;
using Evernet.Dataplane.Planning;
using Evernet.Dataplane.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evernet.Dataplane;

/// <summary>
/// Installs NAT and forwarding for a gateway, idempotently: IP forwarding sysctls, and an nftables table (default
/// <c>inet evernet_gw</c>) that accepts tunnel-to-WAN traffic and its replies, clamps TCP MSS to the tunnel MTU and
/// masquerades towards the WAN. (MSS is clamped on SYNs entering a tunnel, i.e. the server's SYN-ACK: that bounds what
/// the client sends; the router bounds the other direction where its own tunnel is the outgoing route.) Our forward chain accepts; it cannot override a drop in another table's forward chain.
/// </summary>
public sealed class GatewayForwarding(ICommandRunner runner, string tableName = "evernet_gw", ILogger<GatewayForwarding>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public async Task<DataplaneApplyResult> ApplyAsync(GatewayForwardingSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var counting = new CountingCommandRunner(runner, _logger);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var table = Build(spec);
            Require(DataplaneBinaries.Nft);
            Require(DataplaneBinaries.Sysctl);
            var reader = new SystemStateReader(counting);
            var sysctls = spec.IPv6 ? new[] { "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding" } : ["net.ipv4.ip_forward"];
            foreach (var key in sysctls)
            {
                if (await reader.ReadSysctlAsync(key, cancellationToken).ConfigureAwait(false) != "1")
                {
                    await counting.RunCheckedAsync(Command.Mutate(DataplaneBinaries.Sysctl, "-q", "-w", $"{key}=1"), cancellationToken).ConfigureAwait(false);
                }
            }

            var installed = await reader.ReadNftTableAsync(table.Family, table.Name, cancellationToken).ConfigureAwait(false);
            if (!table.IsInstalledAs(installed))
            {
                await counting.RunCheckedAsync(table.ReplaceCommand(), cancellationToken).ConfigureAwait(false);
            }

            return new DataplaneApplyResult(true, stopwatch.Elapsed, counting.Commands, counting.Mutations, []);
        }
        catch (DataplaneException exception)
        {
            DataplaneLog.ApplyError(_logger, "gateway forwarding", exception.Kind, exception.Message);
            return new DataplaneApplyResult(false, stopwatch.Elapsed, counting.Commands, counting.Mutations,
                [new DataplaneError(exception.Kind, exception.Message, DateTimeOffset.UtcNow)]);
        }
    }

    /// <summary>Removes the table (the forwarding sysctls stay: other services may rely on them).</summary>
    public async Task<DataplaneApplyResult> TeardownAsync(CancellationToken cancellationToken = default)
    {
        var counting = new CountingCommandRunner(runner, _logger);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            Require(DataplaneBinaries.Nft);
            var installed = await new SystemStateReader(counting).ReadNftTableAsync("inet", tableName, cancellationToken).ConfigureAwait(false);
            if (installed.Exists)
            {
                await counting.RunCheckedAsync(NftTableSpec.DeleteCommand("inet", tableName), cancellationToken).ConfigureAwait(false);
            }

            return new DataplaneApplyResult(true, stopwatch.Elapsed, counting.Commands, counting.Mutations, []);
        }
        catch (DataplaneException exception)
        {
            return new DataplaneApplyResult(false, stopwatch.Elapsed, counting.Commands, counting.Mutations,
                [new DataplaneError(exception.Kind, exception.Message, DateTimeOffset.UtcNow)]);
        }
    }

    internal NftTableSpec Build(GatewayForwardingSpec spec)
    {
        DesiredStateValidator.RequireInterfaceName(spec.WanInterface, "WAN interface");
        var tunnels = spec.TunnelInterfaces.IsDefault ? [] : spec.TunnelInterfaces;
        if (tunnels.IsEmpty)
        {
            throw new DataplaneConfigurationException("gateway forwarding needs at least one tunnel interface");
        }

        foreach (var tunnel in tunnels)
        {
            DesiredStateValidator.RequireInterfaceName(tunnel, "tunnel interface");
        }

        if (string.IsNullOrEmpty(tableName) || !tableName.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new DataplaneConfigurationException("gateway nftables table name must be letters, digits and '_'");
        }

        var tunnelSet = $"{{ {string.Join(", ", tunnels.Distinct().Order(StringComparer.Ordinal).Select(static t => $"\"{t}\""))} }}";
        var wan = $"\"{spec.WanInterface}\"";
        ImmutableArray<string> forward =
        [
            $"iifname {wan} oifname {tunnelSet} tcp flags syn tcp option maxseg size set rt mtu",
            $"iifname {tunnelSet} oifname {wan} accept",
            $"iifname {wan} oifname {tunnelSet} ct state established,related accept",
        ];
        return new NftTableSpec("inet", tableName,
        [
            new NftChainSpec("forward", "type filter hook forward priority filter; policy accept;", forward),
            new NftChainSpec("postrouting", "type nat hook postrouting priority srcnat; policy accept;", [$"iifname {tunnelSet} oifname {wan} masquerade"]),
        ]);
    }

    private void Require(string program)
    {
        if (!runner.CanRun(program))
        {
            throw new MissingBinaryException(program);
        }
    }
}
