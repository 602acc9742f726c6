using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Evernet.Dataplane.Commands;
using Evernet.Dataplane.State;

namespace Evernet.Dataplane.Planning;

/// <summary>
/// Diff for one existing WireGuard interface: alias, MTU, addresses, keys, port and peers, link state. Configuration
/// goes through one <c>wg set</c> (works for the kernel module and wireguard-go alike); the private key only as a file path.
/// </summary>
internal static class WireGuardPlanner
{
    /// <param name="keyFingerprint">Fingerprint of the key in the interface's key file.</param>
    /// <param name="resolvedHosts">Addresses of endpoint host names (an endpoint given as a name matches any of them).</param>
    public static ImmutableArray<Command> Plan(
        InterfaceIntent desired,
        string keyFingerprint,
        InstalledLink link,
        WireGuardDeviceState? device,
        string alias,
        IReadOnlyDictionary<string, ImmutableArray<IPAddress>> resolvedHosts)
    {
        var name = desired.Name;
        var commands = ImmutableArray.CreateBuilder<Command>();
        if (link.Alias != alias)
        {
            commands.Add(Command.Mutate(DataplaneBinaries.Ip, "link", "set", "dev", name, "alias", alias));
        }

        if (desired.Spec.Mtu != 0 && link.Mtu != desired.Spec.Mtu)
        {
            commands.Add(Command.Mutate(DataplaneBinaries.Ip, "link", "set", "dev", name, "mtu", Text(desired.Spec.Mtu)));
        }

        var installedAddresses = link.Addresses.Where(static a => !a.IsIPv6LinkLocal).ToHashSet();
        foreach (var address in desired.Addresses.Where(a => !installedAddresses.Contains(a)))
        {
            commands.Add(Command.Mutate(DataplaneBinaries.Ip, "addr", "replace", address.ToString(), "dev", name));
        }

        foreach (var address in installedAddresses.Where(a => !desired.Addresses.Contains(a)).OrderBy(static a => a.ToString(), StringComparer.Ordinal))
        {
            commands.Add(Command.Mutate(DataplaneBinaries.Ip, "addr", "del", address.ToString(), "dev", name));
        }

        var wgArguments = WgSetArguments(desired, keyFingerprint, device, resolvedHosts);
        if (!wgArguments.IsEmpty)
        {
            commands.Add(Command.Mutate(DataplaneBinaries.Wg, [.. wgArguments.Prepend(name).Prepend("set")]));
        }

        if (!link.IsUp)
        {
            commands.Add(Command.Mutate(DataplaneBinaries.Ip, "link", "set", "dev", name, "up"));
        }

        return commands.ToImmutable();
    }

    private static ImmutableArray<string> WgSetArguments(
        InterfaceIntent desired,
        string keyFingerprint,
        WireGuardDeviceState? device,
        IReadOnlyDictionary<string, ImmutableArray<IPAddress>> resolvedHosts)
    {
        var arguments = ImmutableArray.CreateBuilder<string>();
        if (device?.PrivateKeyFingerprint != keyFingerprint)
        {
            arguments.AddRange("private-key", desired.Spec.PrivateKeyFile);
        }

        if (desired.Spec.ListenPort is { } port && device?.ListenPort != port)
        {
            arguments.AddRange("listen-port", Text(port));
        }

        var installedPeers = (device?.Peers ?? []).ToDictionary(static p => p.PublicKey, StringComparer.Ordinal);
        foreach (var peer in desired.Peers)
        {
            installedPeers.TryGetValue(peer.PublicKey, out var installed);
            var endpointDiffers = peer.Endpoint is not null && (installed is null || !EndpointMatches(peer.Endpoint, installed.Endpoint, resolvedHosts));
            var allowedDiffers = installed is null || !installed.AllowedIps.ToHashSet().SetEquals(peer.AllowedIps);
            var keepaliveDiffers = installed is null ? peer.PersistentKeepaliveSeconds != 0 : installed.PersistentKeepaliveSeconds != peer.PersistentKeepaliveSeconds;
            if (installed is not null && !endpointDiffers && !allowedDiffers && !keepaliveDiffers)
            {
                continue;
            }

            arguments.AddRange("peer", peer.PublicKey);
            if (endpointDiffers)
            {
                arguments.AddRange("endpoint", peer.Endpoint!);
            }

            if (allowedDiffers)
            {
                // `wg set ... allowed-ips` replaces the whole list; an empty argument clears it.
                arguments.AddRange("allowed-ips", string.Join(',', peer.AllowedIps.Select(static a => a.ToString())));
            }

            if (keepaliveDiffers)
            {
                arguments.AddRange("persistent-keepalive", Text(peer.PersistentKeepaliveSeconds));
            }
        }

        var desiredKeys = desired.Peers.Select(static p => p.PublicKey).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in installedPeers.Keys.Where(k => !desiredKeys.Contains(k)).Order(StringComparer.Ordinal))
        {
            arguments.AddRange("peer", stale, "remove");
        }

        return arguments.ToImmutable();
    }

    internal static bool EndpointMatches(string desired, string? installed, IReadOnlyDictionary<string, ImmutableArray<IPAddress>> resolvedHosts)
    {
        if (installed is null
            || !EndpointText.TrySplit(desired, out var desiredHost, out var desiredPort)
            || !EndpointText.TrySplit(installed, out var installedHost, out var installedPort)
            || desiredPort != installedPort
            || !IPAddress.TryParse(installedHost, out var installedAddress))
        {
            return false;
        }

        if (IPAddress.TryParse(desiredHost, out var desiredAddress))
        {
            return Normalise(desiredAddress).Equals(Normalise(installedAddress));
        }

        return resolvedHosts.TryGetValue(desiredHost, out var addresses) && addresses.Any(a => Normalise(a).Equals(Normalise(installedAddress)));
    }

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
