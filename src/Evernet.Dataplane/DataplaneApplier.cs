using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Evernet.Dataplane.Commands;
using Evernet.Dataplane.Planning;
using Evernet.Dataplane.State;
using Evernet.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evernet.Dataplane;

/// <summary>
/// Applies a <see cref="DesiredDataplane"/> to Linux idempotently: reads what is installed, computes the difference and
/// issues only the commands needed (none when nothing differs). <see cref="ReconcileAsync"/> repeats the last apply to
/// repair drift. Failures (missing binaries, failing commands, bad input) never throw: they are returned and kept in
/// <see cref="Status"/>. Disposing or abandoning the applier leaves everything installed (a daemon restart must not drop
/// traffic); only <see cref="TeardownAsync"/> removes what evernet owns.
/// </summary>
public sealed class DataplaneApplier : IDataplane
{
    private readonly ICommandRunner _runner;
    private readonly DataplaneOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MultipathMode _multipathMode = MultipathMode.Unknown;
    private WireGuardImplementation _wireGuard = WireGuardImplementation.Unknown;
    private DesiredDataplane? _lastDesired;
    private volatile DataplaneStatus _status = DataplaneStatus.Initial;

    public DataplaneApplier(ICommandRunner runner, DataplaneOptions? options = null, ILogger<DataplaneApplier>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runner = runner;
        _options = options ?? new DataplaneOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    public DataplaneStatus Status => _status;

    /// <summary>The state the next <see cref="ReconcileAsync"/> restores; null before the first apply.</summary>
    public DesiredDataplane? LastDesired => Volatile.Read(ref _lastDesired);

    public async Task<DataplaneApplyResult> ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(desired);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _lastDesired, desired);
            return await RunOperationAsync("apply", (runner, errors, ct) => ApplyCoreAsync(desired, runner, errors, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Re-reads the system and repairs any drift from the last applied state. Does nothing before the first apply.</summary>
    public async Task<DataplaneApplyResult> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var desired = LastDesired;
        return desired is null ? new DataplaneApplyResult(true, TimeSpan.Zero, 0, 0, []) : await ApplyAsync(desired, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes everything evernet owns (its nftables table, rules, routes, nexthops and WireGuard interfaces). Best effort: continues past failures.</summary>
    public async Task<DataplaneApplyResult> TeardownAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _lastDesired, null);
            return await RunOperationAsync("teardown", TeardownCoreAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<DataplaneApplyResult> RunOperationAsync(
        string operation,
        Func<CountingCommandRunner, List<DataplaneError>, CancellationToken, Task<ImmutableArray<InstalledMultipathGroup>?>> body,
        CancellationToken cancellationToken)
    {
        var runner = new CountingCommandRunner(_runner, _logger);
        var errors = new List<DataplaneError>();
        var stopwatch = Stopwatch.StartNew();
        ImmutableArray<InstalledMultipathGroup>? groups = null;
        try
        {
            groups = await body(runner, errors, cancellationToken).ConfigureAwait(false);
        }
        catch (DataplaneException exception)
        {
            errors.Add(Error(exception));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The host must keep running; the status says what went wrong.
            errors.Add(new DataplaneError(DataplaneErrorKind.Internal, $"{exception.GetType().Name}: {exception.Message}", _time.GetUtcNow()));
        }

        var duration = stopwatch.Elapsed;
        foreach (var error in errors)
        {
            DataplaneLog.ApplyError(_logger, operation, error.Kind, error.Message);
        }

        DataplaneLog.Applied(_logger, operation, duration.TotalMilliseconds, runner.Commands, runner.Mutations);
        var previous = _status;
        _status = new DataplaneStatus(
            errors.Count == 0 ? DataplaneHealth.Healthy : DataplaneHealth.Failed,
            _wireGuard,
            _multipathMode,
            _time.GetUtcNow(),
            duration,
            runner.Mutations,
            errors.Count == 0 ? previous.LastError : errors[0],
            previous.ApplyCount + 1,
            previous.ErrorCount + (errors.Count == 0 ? 0 : 1),
            groups ?? previous.Groups);
        return new DataplaneApplyResult(errors.Count == 0, duration, runner.Commands, runner.Mutations, [.. errors]);
    }

    private async Task<ImmutableArray<InstalledMultipathGroup>?> ApplyCoreAsync(
        DesiredDataplane desired, CountingCommandRunner runner, List<DataplaneError> errors, CancellationToken cancellationToken)
    {
        _options.Validate();
        var interfaces = DesiredStateValidator.ValidateInterfaces(desired);
        var routing = DesiredStateValidator.ValidateRouting(desired, _options);
        Require(DataplaneBinaries.Ip);
        if (!interfaces.IsEmpty)
        {
            Require(DataplaneBinaries.Wg);
            if (_options.ManageReversePathFilter)
            {
                Require(DataplaneBinaries.Sysctl);
            }
        }

        var mode = routing.IsEmpty && _multipathMode == MultipathMode.Unknown ? MultipathMode.Unknown : await EnsureMultipathModeAsync(runner, cancellationToken).ConfigureAwait(false);
        var needsNft = !routing.IsEmpty && (mode == MultipathMode.ConnectionMark || !routing.Classes.IsEmpty);
        if (needsNft)
        {
            Require(DataplaneBinaries.Nft);
        }

        var reader = new SystemStateReader(runner);
        var snapshotTask = ReadSnapshotAsync(reader, interfaces, mode, needsNft || runner.CanRun(DataplaneBinaries.Nft), cancellationToken);
        var resolvedHosts = await ResolveEndpointHostsAsync(interfaces, cancellationToken).ConfigureAwait(false);
        var snapshot = await snapshotTask.ConfigureAwait(false);
        var links = snapshot.Links;
        var linksChanged = false;
        var converged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var intent in interfaces)
        {
            try
            {
                linksChanged |= await ConvergeInterfaceAsync(intent, snapshot, reader, runner, resolvedHosts, cancellationToken).ConfigureAwait(false);
                converged.Add(intent.Name);
            }
            catch (DataplaneException exception)
            {
                errors.Add(Error(exception));
            }
        }

        if (linksChanged)
        {
            links = await reader.ReadLinksAsync(cancellationToken).ConfigureAwait(false);
        }

        UpdateWireGuardImplementation(links, interfaces);
        ImmutableArray<InstalledMultipathGroup>? groups = null;
        try
        {
            groups = await ConvergeRoutingAsync(routing, mode, snapshot, links, converged, reader, runner, errors, cancellationToken).ConfigureAwait(false);
        }
        catch (DataplaneException exception)
        {
            errors.Add(Error(exception));
        }

        var wantedNames = interfaces.Select(static i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in links.Where(l => l.Alias == _options.InterfaceAlias && l.Kind is "wireguard" or "tun" && !wantedNames.Contains(l.Name)))
        {
            try
            {
                // For wireguard-go the process exits by itself once its TUN device is gone.
                await runner.RunCheckedAsync(Command.Mutate(DataplaneBinaries.Ip, "link", "del", "dev", stale.Name), cancellationToken).ConfigureAwait(false);
            }
            catch (DataplaneException exception)
            {
                errors.Add(Error(exception));
            }
        }

        return groups;
    }

    private async Task<bool> ConvergeInterfaceAsync(
        InterfaceIntent intent,
        Snapshot snapshot,
        SystemStateReader reader,
        CountingCommandRunner runner,
        IReadOnlyDictionary<string, ImmutableArray<IPAddress>> resolvedHosts,
        CancellationToken cancellationToken)
    {
        var fingerprint = PrivateKeyFile.ReadFingerprint(intent.Spec.PrivateKeyFile);
        var link = snapshot.Links.FirstOrDefault(l => l.Name == intent.Name);
        WireGuardDeviceState? device = null;
        var reversePath = snapshot.ReversePath.GetValueOrDefault(intent.Name, []);
        var created = false;
        if (link is null)
        {
            await CreateWireGuardInterfaceAsync(intent.Name, runner, cancellationToken).ConfigureAwait(false);
            created = true;
            reversePath = [];
            link = await reader.ReadLinkAsync(intent.Name, cancellationToken).ConfigureAwait(false)
                ?? new InstalledLink(intent.Name, null, 0, false, null, []);
        }
        else
        {
            if (link.Kind is not ("wireguard" or "tun"))
            {
                throw new DataplaneConfigurationException($"interface {intent.Name} exists but is a {link.Kind ?? "non-WireGuard"} device, not WireGuard");
            }

            device = snapshot.WireGuard.GetValueOrDefault(intent.Name);
            if (device is null && link.Kind == "tun")
            {
                throw new DataplaneConfigurationException($"interface {intent.Name} is a TUN device without a wireguard-go behind it");
            }
        }

        var commands = WireGuardPlanner.Plan(intent, fingerprint, link, device, _options.InterfaceAlias, resolvedHosts);
        foreach (var command in commands)
        {
            await runner.RunCheckedAsync(command, cancellationToken).ConfigureAwait(false);
        }

        if (_options.ManageReversePathFilter && !reversePath.SequenceEqual(["2", "1"]))
        {
            var keys = ReversePathKeys(intent.Name);
            await runner.RunCheckedAsync(Command.Mutate(DataplaneBinaries.Sysctl, "-q", "-w", keys[0] + "=2", keys[1] + "=1"), cancellationToken).ConfigureAwait(false);
        }

        return created || !commands.IsEmpty;
    }

    /// <summary>rp_filter and src_valid_mark of an interface; '/' separators because interface names may contain dots.</summary>
    private static string[] ReversePathKeys(string interfaceName) =>
        [$"net/ipv4/conf/{interfaceName}/rp_filter", $"net/ipv4/conf/{interfaceName}/src_valid_mark"];

    /// <summary>Everything an apply compares against, read with concurrent commands to keep apply latency low.</summary>
    private async Task<Snapshot> ReadSnapshotAsync(
        SystemStateReader reader, ImmutableArray<InterfaceIntent> interfaces, MultipathMode mode, bool readNft, CancellationToken cancellationToken)
    {
        var links = reader.ReadLinksAsync(cancellationToken);
        var routing = ReadRoutingStateAsync(reader, mode, cancellationToken);
        var nft = readNft
            ? reader.ReadNftTableAsync("inet", _options.NftTableName, cancellationToken)
            : Task.FromResult(InstalledNftTable.Absent);
        var wireGuard = interfaces.Select(async i => (i.Name, State: await reader.ReadWireGuardAsync(i.Name, cancellationToken).ConfigureAwait(false))).ToArray();
        var reversePath = _options.ManageReversePathFilter
            ? interfaces.Select(async i => (i.Name, Values: await reader.ReadSysctlsAsync(ReversePathKeys(i.Name), cancellationToken).ConfigureAwait(false))).ToArray()
            : [];
        await Task.WhenAll([links, routing, nft, .. wireGuard, .. reversePath]).ConfigureAwait(false);
        return new Snapshot(
            await links.ConfigureAwait(false),
            await routing.ConfigureAwait(false),
            await nft.ConfigureAwait(false),
            wireGuard.Select(static t => t.Result).ToDictionary(static r => r.Name, static r => r.State, StringComparer.Ordinal),
            reversePath.Select(static t => t.Result).ToDictionary(static r => r.Name, static r => r.Values, StringComparer.Ordinal));
    }

    private sealed record Snapshot(
        ImmutableArray<InstalledLink> Links,
        RoutingState Routing,
        InstalledNftTable Nft,
        IReadOnlyDictionary<string, WireGuardDeviceState?> WireGuard,
        IReadOnlyDictionary<string, ImmutableArray<string>> ReversePath);

    private async Task CreateWireGuardInterfaceAsync(string name, CountingCommandRunner runner, CancellationToken cancellationToken)
    {
        if (_wireGuard != WireGuardImplementation.WireGuardGo)
        {
            var command = Command.Mutate(DataplaneBinaries.Ip, "link", "add", "dev", name, "type", "wireguard");
            var result = await runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                _wireGuard = WireGuardImplementation.Kernel;
                return;
            }

            if (!IsMissingKernelSupport(result.StandardError))
            {
                throw new CommandFailedException(command, result);
            }

            _wireGuard = WireGuardImplementation.WireGuardGo;
        }

        Require(DataplaneBinaries.WireGuardGo);
        DataplaneLog.UsingWireGuardGo(_logger, name);

        // wireguard-go daemonises and returns once the device is up. LOG_LEVEL would make the daemon keep our
        // stdout/stderr pipes, WG_PROCESS_FOREGROUND would keep it from detaching: neither may leak in from our environment.
        await runner.RunCheckedAsync(
            Command.Mutate(DataplaneBinaries.WireGuardGo, name) with { UnsetEnvironment = ["LOG_LEVEL", "WG_PROCESS_FOREGROUND"] },
            cancellationToken).ConfigureAwait(false);
    }

    private static bool IsMissingKernelSupport(string error) =>
        error.Contains("Unknown device type", StringComparison.OrdinalIgnoreCase)
        || error.Contains("not supported", StringComparison.OrdinalIgnoreCase);

    private async Task<ImmutableArray<InstalledMultipathGroup>?> ConvergeRoutingAsync(
        RoutingIntent routing,
        MultipathMode mode,
        Snapshot snapshot,
        ImmutableArray<InstalledLink> links,
        IReadOnlySet<string> converged,
        SystemStateReader reader,
        CountingCommandRunner runner,
        List<DataplaneError> errors,
        CancellationToken cancellationToken)
    {
        // Interfaces just converged count as present even when a dry run cannot see them.
        var existing = links.Select(static l => l.Name).Concat(converged).ToHashSet(StringComparer.Ordinal);
        routing = routing.WithoutMissingDevices(existing, out var missing);
        foreach (var device in missing)
        {
            errors.Add(Error(new DataplaneConfigurationException($"nexthop device {device} does not exist; its gateways are left out")));
        }

        var state = snapshot.Routing;
        var plan = mode == MultipathMode.ConnectionMark
            ? ConnectionMarkRoutingPlanner.Plan(routing, state, _options)
            : ResilientRoutingPlanner.Plan(routing, state, _options);
        foreach (var command in plan.Commands)
        {
            await runner.RunCheckedAsync(command, cancellationToken).ConfigureAwait(false);
        }

        var table = ClassifierTableBuilder.Build(routing, mode, plan.GatewaySlots, _options);
        if (table is null && snapshot.Nft.Exists)
        {
            await runner.RunCheckedAsync(NftTableSpec.DeleteCommand("inet", _options.NftTableName), cancellationToken).ConfigureAwait(false);
        }
        else if (table is not null && !table.IsInstalledAs(snapshot.Nft))
        {
            await runner.RunCheckedAsync(table.ReplaceCommand(), cancellationToken).ConfigureAwait(false);
        }

        if (mode == MultipathMode.ConnectionMark)
        {
            return StatusGroupsForSlots(routing, plan.GatewaySlots);
        }

        if (!plan.Commands.IsEmpty)
        {
            state = await ReadRoutingStateAsync(reader, mode, cancellationToken, withRules: false).ConfigureAwait(false);
        }

        return StatusGroupsFromInstalled(state);
    }

    private async Task<RoutingState> ReadRoutingStateAsync(SystemStateReader reader, MultipathMode mode, CancellationToken cancellationToken, bool withRules = true)
    {
        var protocol = _options.RouteProtocol;
        var nexthops = reader.ReadNexthopsAsync(tolerateUnsupported: mode != MultipathMode.ResilientNexthopGroup, cancellationToken);
        var routes4 = reader.ReadRoutesAsync(IpFamily.V4, protocol, cancellationToken);
        var routes6 = reader.ReadRoutesAsync(IpFamily.V6, protocol, cancellationToken);
        var rules4 = withRules ? reader.ReadRulesAsync(IpFamily.V4, cancellationToken) : Task.FromResult(ImmutableArray<InstalledRule>.Empty);
        var rules6 = withRules ? reader.ReadRulesAsync(IpFamily.V6, cancellationToken) : Task.FromResult(ImmutableArray<InstalledRule>.Empty);
        await Task.WhenAll(nexthops, routes4, routes6, rules4, rules6).ConfigureAwait(false);
        return new RoutingState(
            await nexthops.ConfigureAwait(false),
            (await routes4.ConfigureAwait(false)).AddRange(await routes6.ConfigureAwait(false)),
            [.. (await rules4.ConfigureAwait(false)).AddRange(await rules6.ConfigureAwait(false)).Where(r => r.Protocol == protocol)]);
    }

    private async Task<MultipathMode> EnsureMultipathModeAsync(CountingCommandRunner runner, CancellationToken cancellationToken)
    {
        if (_multipathMode != MultipathMode.Unknown)
        {
            return _multipathMode;
        }

        var mode = _options.MultipathMode switch
        {
            MultipathModePreference.ConnectionMark => MultipathMode.ConnectionMark,
            MultipathModePreference.ResilientNexthopGroup => MultipathMode.ResilientNexthopGroup,
            _ => await ProbeResilientGroupsAsync(runner, cancellationToken).ConfigureAwait(false)
                ? MultipathMode.ResilientNexthopGroup
                : MultipathMode.ConnectionMark,
        };
        _multipathMode = mode;
        DataplaneLog.MultipathModeChosen(_logger, mode);
        return mode;
    }

    /// <summary>Creates and deletes a throwaway resilient group (blackhole member) in the target namespace.</summary>
    private async Task<bool> ProbeResilientGroupsAsync(CountingCommandRunner runner, CancellationToken cancellationToken)
    {
        var layout = new NexthopIdLayout(_options.NexthopIdBase);
        var protocol = IpCommands.Text(_options.RouteProtocol);
        var member = await runner.RunAsync(
            Command.Probe(DataplaneBinaries.Ip, "nexthop", "replace", "id", IpCommands.Text(layout.ProbeMember), "blackhole", "proto", protocol),
            cancellationToken).ConfigureAwait(false);
        var supported = member.Succeeded
            && (await runner.RunAsync(IpCommands.ResilientProbeGroup(layout.ProbeGroup, layout.ProbeMember, _options.RouteProtocol), cancellationToken).ConfigureAwait(false)).Succeeded;
        await runner.RunAsync(Command.Probe(DataplaneBinaries.Ip, "nexthop", "del", "id", IpCommands.Text(layout.ProbeGroup)), cancellationToken).ConfigureAwait(false);
        await runner.RunAsync(Command.Probe(DataplaneBinaries.Ip, "nexthop", "del", "id", IpCommands.Text(layout.ProbeMember)), cancellationToken).ConfigureAwait(false);
        return supported;
    }

    private async Task<ImmutableArray<InstalledMultipathGroup>?> TeardownCoreAsync(CountingCommandRunner runner, List<DataplaneError> errors, CancellationToken cancellationToken)
    {
        Require(DataplaneBinaries.Ip);
        var reader = new SystemStateReader(runner);
        var layout = new NexthopIdLayout(_options.NexthopIdBase);
        var commands = new List<Command>();
        if (runner.CanRun(DataplaneBinaries.Nft)
            && (await reader.ReadNftTableAsync("inet", _options.NftTableName, cancellationToken).ConfigureAwait(false)).Exists)
        {
            commands.Add(NftTableSpec.DeleteCommand("inet", _options.NftTableName));
        }

        var state = await ReadRoutingStateAsync(reader, MultipathMode.Unknown, cancellationToken).ConfigureAwait(false);
        commands.AddRange(state.Rules.Select(IpCommands.RuleDelete));
        commands.AddRange(state.Routes.Select(IpCommands.RouteDelete));
        var owned = state.Nexthops.Where(n => layout.IsOwned(n.Id)).ToArray();
        commands.AddRange(owned.Where(static n => n.IsGroup).Select(static n => IpCommands.NexthopDelete(n.Id)));
        commands.AddRange(owned.Where(static n => !n.IsGroup).Select(static n => IpCommands.NexthopDelete(n.Id)));
        var links = await reader.ReadLinksAsync(cancellationToken).ConfigureAwait(false);
        commands.AddRange(links
            .Where(l => l.Alias == _options.InterfaceAlias && l.Kind is "wireguard" or "tun")
            .Select(static l => Command.Mutate(DataplaneBinaries.Ip, "link", "del", "dev", l.Name)));

        foreach (var command in commands)
        {
            try
            {
                await runner.RunCheckedAsync(command, cancellationToken).ConfigureAwait(false);
            }
            catch (DataplaneException exception)
            {
                errors.Add(Error(exception));
            }
        }

        return ImmutableArray<InstalledMultipathGroup>.Empty;
    }

    private ImmutableArray<InstalledMultipathGroup> StatusGroupsFromInstalled(RoutingState state)
    {
        var layout = new NexthopIdLayout(_options.NexthopIdBase);
        var byId = state.Nexthops.Where(n => layout.IsOwned(n.Id)).ToDictionary(static n => n.Id);
        return [.. state.Routes
            .Where(static r => r.Destination == "default")
            .OrderBy(static r => r.Table).ThenBy(static r => r.Family)
            .Select(r => new InstalledMultipathGroup(
                r.Table,
                r.Family.ToIpFamily(),
                r.NexthopId,
                r.NexthopId is { } id && byId.TryGetValue(id, out var group)
                    ? [.. group.Members.Select(m => byId.TryGetValue(m.Id, out var member)
                        ? new InstalledGatewayWeight(member.Device ?? "?", member.Gateway?.ToString(), m.Weight, m.Id, null)
                        : new InstalledGatewayWeight("?", null, m.Weight, m.Id, null))]
                    : []))];
    }

    private ImmutableArray<InstalledMultipathGroup> StatusGroupsForSlots(RoutingIntent routing, ImmutableDictionary<HopKey, int> slots) =>
        [.. routing.Tables.SelectMany(t => routing.Families.Select(f => new InstalledMultipathGroup(
            t.Table,
            f,
            null,
            [.. t.Hops.Select(h => new InstalledGatewayWeight(h.Key.Device, h.Key.ViaText, h.Weight, null, _options.ConnectionMarkFor(slots[h.Key])))])))];

    private void UpdateWireGuardImplementation(ImmutableArray<InstalledLink> links, ImmutableArray<InterfaceIntent> interfaces)
    {
        var names = interfaces.Select(static i => i.Name).ToHashSet(StringComparer.Ordinal);
        var kinds = links.Where(l => names.Contains(l.Name)).Select(static l => l.Kind).ToHashSet();
        if (kinds.Contains("wireguard"))
        {
            _wireGuard = WireGuardImplementation.Kernel;
        }
        else if (kinds.Contains("tun"))
        {
            _wireGuard = WireGuardImplementation.WireGuardGo;
        }
    }

    private static async Task<IReadOnlyDictionary<string, ImmutableArray<IPAddress>>> ResolveEndpointHostsAsync(
        ImmutableArray<InterfaceIntent> interfaces, CancellationToken cancellationToken)
    {
        var hosts = interfaces.SelectMany(static i => i.Peers)
            .Select(static p => p.Endpoint is not null && EndpointText.TrySplit(p.Endpoint, out var host, out _) ? host : null)
            .Where(static h => h is not null && !IPAddress.TryParse(h, out _))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        var resolved = new Dictionary<string, ImmutableArray<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        foreach (var host in hosts)
        {
            try
            {
                resolved[host!] = [.. await Dns.GetHostAddressesAsync(host!, cancellationToken).ConfigureAwait(false)];
            }
            catch (SocketException)
            {
                // Unresolvable now: the endpoint counts as different and `wg set` reports the real error.
            }
        }

        return resolved;
    }

    private void Require(string program)
    {
        if (!_runner.CanRun(program))
        {
            throw new MissingBinaryException(program);
        }
    }

    private DataplaneError Error(DataplaneException exception) => new(exception.Kind, exception.Message, _time.GetUtcNow());
}
