using System.Collections.Immutable;
using System.Net.Sockets;
using Evernet.Dataplane.Commands;

namespace Evernet.Dataplane.State;

/// <summary>Reads installed state back from the system through an <see cref="ICommandRunner"/> (so it works in namespaces and dry runs).</summary>
internal sealed class SystemStateReader(ICommandRunner runner)
{
    public async Task<ImmutableArray<InstalledLink>> ReadLinksAsync(CancellationToken cancellationToken)
    {
        var result = await RunCheckedAsync(Command.Read(DataplaneBinaries.Ip, "-N", "-d", "-j", "addr", "show"), cancellationToken).ConfigureAwait(false);
        return InstalledStateParser.ParseLinks(result.StandardOutput);
    }

    /// <summary>One link, or null when it does not exist.</summary>
    public async Task<InstalledLink?> ReadLinkAsync(string name, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(Command.Read(DataplaneBinaries.Ip, "-N", "-d", "-j", "addr", "show", "dev", name), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? InstalledStateParser.ParseLinks(result.StandardOutput).FirstOrDefault(l => l.Name == name) : null;
    }

    /// <summary>The WireGuard device's configuration, or null when there is no such WireGuard device.</summary>
    public async Task<WireGuardDeviceState?> ReadWireGuardAsync(string interfaceName, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(Command.Read(DataplaneBinaries.Wg, "show", interfaceName, "dump"), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? InstalledStateParser.ParseWireGuardDump(result.StandardOutput) : null;
    }

    /// <summary>All nexthop objects; empty when the kernel has no nexthop support and <paramref name="tolerateUnsupported"/>.</summary>
    public async Task<ImmutableArray<InstalledNexthop>> ReadNexthopsAsync(bool tolerateUnsupported, CancellationToken cancellationToken)
    {
        var command = Command.Read(DataplaneBinaries.Ip, "-N", "-j", "nexthop", "show");
        var result = await runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return tolerateUnsupported ? [] : throw new CommandFailedException(command, result);
        }

        return InstalledStateParser.ParseNexthops(result.StandardOutput);
    }

    /// <summary>Routes of one family in every table that carry routing protocol <paramref name="protocol"/> (evernet's marker).</summary>
    public async Task<ImmutableArray<InstalledRoute>> ReadRoutesAsync(IpFamily family, int protocol, CancellationToken cancellationToken)
    {
        var command = Command.Read(
            DataplaneBinaries.Ip, family.Flag(), "-N", "-j", "route", "show", "table", "all", "proto", protocol.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await RunCheckedAsync(command, cancellationToken).ConfigureAwait(false);
        return [.. InstalledStateParser.ParseRoutes(result.StandardOutput, family.ToAddressFamily()).Select(r => r with { Protocol = protocol })];
    }

    public async Task<ImmutableArray<InstalledRule>> ReadRulesAsync(IpFamily family, CancellationToken cancellationToken)
    {
        var result = await RunCheckedAsync(Command.Read(DataplaneBinaries.Ip, family.Flag(), "-N", "-j", "rule", "show"), cancellationToken).ConfigureAwait(false);
        return InstalledStateParser.ParseRules(result.StandardOutput, family == IpFamily.V6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
    }

    public async Task<InstalledNftTable> ReadNftTableAsync(string family, string name, CancellationToken cancellationToken)
    {
        var command = Command.Read(DataplaneBinaries.Nft, "-j", "list", "table", family, name);
        var result = await runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return result.StandardError.Contains("No such file or directory", StringComparison.Ordinal)
                ? InstalledNftTable.Absent
                : throw new CommandFailedException(command, result);
        }

        return InstalledStateParser.ParseNftTable(result.StandardOutput);
    }

    /// <summary>The value of a sysctl, or null when unreadable or a dry run.</summary>
    public async Task<string?> ReadSysctlAsync(string key, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(Command.Read(DataplaneBinaries.Sysctl, "-n", key), cancellationToken).ConfigureAwait(false);
        var value = result.StandardOutput.Trim();
        return result.Succeeded && value.Length > 0 ? value : null;
    }

    /// <summary>Several sysctl values in one call, in order; empty when unreadable or a dry run.</summary>
    public async Task<ImmutableArray<string>> ReadSysctlsAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(Command.Read(DataplaneBinaries.Sysctl, [.. keys.Prepend("-n")]), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [];
    }

    private async Task<CommandResult> RunCheckedAsync(Command command, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result : throw new CommandFailedException(command, result);
    }
}
