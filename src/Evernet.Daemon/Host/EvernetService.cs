using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Evernet.Control;
using Evernet.Control.Mapping;
using Evernet.Control.Server;
using Evernet.Daemon.Configuration;
using Evernet.Daemon.Gateway;
using Evernet.Daemon.Metrics;
using Evernet.Daemon.State;
using Evernet.Daemon.Transport;
using Evernet.Dataplane;
using Evernet.Dataplane.Commands;
using Evernet.Discovery;
using Evernet.Gossip;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.Wire;
using Evernet.Policy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Host;

/// <summary>
/// evernetd: loads keys, certificate and state, starts the transport, discovery, control socket, metrics and (on a
/// gateway) the uplink monitor around one <see cref="DaemonLoop"/>. On SIGTERM it persists what it knows and stops,
/// leaving the dataplane installed so that a restart does not drop traffic.
/// </summary>
public sealed partial class EvernetService : BackgroundService
{
    private static readonly TimeSpan PersistInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MetricsInterval = TimeSpan.FromSeconds(1);
    private readonly EvernetdOptions _options;
    private readonly DaemonCommandLine _commandLine;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ISystemdNotifier? _systemd;
    private readonly TimeProvider _time = TimeProvider.System;

    public EvernetService(EvernetdOptions options, DaemonCommandLine commandLine, ILoggerFactory loggers, IServiceProvider services)
    {
        _options = options;
        _commandLine = commandLine;
        _loggers = loggers;
        _logger = loggers.CreateLogger("evernetd");
        _systemd = services.GetService(typeof(ISystemdNotifier)) as ISystemdNotifier;
    }

    /// <summary>Set once everything runs; tests and the web interface read it.</summary>
    public DaemonLoop? Loop { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (StartupException e)
        {
            LogStartupFailed(_logger, e.Message);
            Environment.ExitCode = 78; // EX_CONFIG: systemd should not hammer a broken setup
            throw;
        }
        catch (ArgumentException e)
        {
            // Options that pass the configuration check but not a component's own validation: still a config error.
            LogStartupFailed(_logger, e.Message);
            Environment.ExitCode = 78;
            throw new StartupException(e.Message, e);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var o = _options;
        var state = Startup(() => StateDirectory.Open(o.StateDirectory));
        var (key, created) = Startup(state.LoadOrCreateNodeKey);
        var (wireGuardKey, _) = Startup(() => state.LoadOrCreateWireGuardKey(o.WireGuard.PrivateKeyFile));
        // Keys provisioned offline (evernetctl keys generate into the state directory) arrive without a version file or
        // a membership snapshot: that is a first start, so continue above the clock, which is above any counter.
        bool provisioned = !created && !File.Exists(state.VersionPath) && !File.Exists(state.MembershipPath);
        if (provisioned) LogProvisionedKey(_logger, state.NodeKeyPath);
        var versions = Startup(() => state.OpenVersionStore(created, _commandLine.ResetVersionFloor || provisioned, _time));
        var certificate = Startup(() => CertificateFiles.ReadCertificate(o.CertificateFile));
        if (certificate.Node != key.Id)
            throw new StartupException($"certificateFile: {o.CertificateFile} is for node {certificate.Node.ToHex()}, but this node's key ({state.NodeKeyPath}) is {key.Id.ToHex()}");
        if (!certificate.WireGuardPublicKey.Span.SequenceEqual(wireGuardKey.PublicKey))
            throw new StartupException($"certificateFile: its WireGuard key differs from {wireGuardKey.PrivateKeyFile}'s public key {wireGuardKey.PublicKeyBase64}");
        var authorities = o.Authorities.Select(a => NodeId.TryParseHex(a.Trim(), out var id) ? id : throw new StartupException($"authorities: '{a}' is not 64 hex digits")).ToList();
        var trust = new TrustStore(authorities);
        var verifier = new CachingVerifier(new Ed25519Verifier());
        var admission = trust.Check(certificate, _time.GetUtcNow().ToUnixTimeSeconds(), verifier);
        if (admission != AdmissionResult.Valid)
            throw new StartupException($"certificateFile: {o.CertificateFile} is not usable: {admission}");

        var warm = LoadWarmState(state);
        var (seeds, seedFailures) = await PeerEndpoint.ResolveSeedsAsync(o.Gossip.Seeds, stoppingToken).ConfigureAwait(false);
        foreach (var failure in seedFailures) LogSeedUnresolved(_logger, failure);
        var advertised = AdvertisedAddresses(o);
        var setup = new GossipNodeSetup(key, certificate, trust, versions, verifier,
            [.. advertised.Select(a => Format(a, o.Gossip.Port))], [.. o.ClientPrefixes],
            seeds, warm);
        var node = new GossipNode(setup, o.Gossip.Timing.ToGossipOptions(), _time, SeededRandom.FromEntropy());

        var self = new LocalNode(key.Id, certificate, [.. o.ClientPrefixes]);
        var policy = new PolicyEngine(PolicyOptionsMapping.ToPolicyOptions(o, wireGuardKey.PrivateKeyFile), self,
            revocationCheck: null);
        GatewayHealthPublisher? gateway = null;
        if (certificate.IsGateway)
        {
            gateway = new GatewayHealthPublisher(PolicyOptionsMapping.ToGatewayHealthOptions(o), _time.GetUtcNow().ToUnixTimeMilliseconds());
            gateway.SetCapacity(o.Gateway.CapacityDownBps, o.Gateway.CapacityUpBps);
        }

        ICommandRunner runner = o.DryRun ? new DryRunCommandRunner(Console.Out) : new ProcessCommandRunner();
        var applier = new DataplaneApplier(runner, new DataplaneOptions(), _loggers.CreateLogger<DataplaneApplier>(), _time);
        var dataplane = new DataplaneWorker(applier, TimeSpan.FromSeconds(10), _loggers.CreateLogger("dataplane"));

        var transport = new UdpGossipTransport(new UdpTransportOptions
        {
            Port = o.Gossip.Port,
            ListenAddresses = [.. o.Gossip.EffectiveListenAddresses.Select(IPAddress.Parse)],
            BindInterface = o.Gossip.BindInterface,
        }, _loggers.CreateLogger<UdpGossipTransport>(), _time);
        Startup(() => { transport.Start(); return true; });

        var events = new EventLog();
        var loop = new DaemonLoop(node, policy, gateway, _time, t => transport.TrySend(t), dataplane.Submit, events, _loggers.CreateLogger("loop"));
        loop.AttachDatagrams(transport.Received);
        transport.Arrived = loop.Wake;
        Loop = loop;

        var metrics = new MetricsExporter();
        dataplane.Applied += r => metrics.ObserveDataplaneApply(r.Duration, r.Succeeded);
        if (o.Metrics.ListenAddress is { } metricsAddress) Startup(() => { metrics.Start(metricsAddress); return true; });

        var handler = new DaemonControlHandler(loop, dataplane, metrics, runner, o.CertificateFile, certificate.Name, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var control = new ControlServer(new ControlServerOptions { SocketPath = o.ControlSocket }, handler, _loggers.CreateLogger<ControlServer>());
        Startup(() => { control.Start(); return true; });

        var web = new Web.WebAdminServer(new Web.WebAdminOptions
        {
            Enabled = o.WebAdmin.ListenAddress is not null,
            Listen = o.WebAdmin.ListenAddress ?? Web.WebAdminOptions.DefaultListen,
            PasswordHash = o.WebAdmin.PasswordHash,
        }, handler, _loggers.CreateLogger("web"), _time);
        try { await web.StartAsync(stoppingToken).ConfigureAwait(false); }
        catch (InvalidOperationException e) { throw new StartupException($"webAdmin.listenAddress: {e.Message}", e); }

        MdnsDiscovery? discovery = null;
        if (o.Discovery.Enabled && o.MeshInterfaces.Count > 0)
        {
            discovery = new MdnsDiscovery(new DiscoveryOptions
            {
                NodeName = certificate.Name,
                Fingerprint = key.Id.Fingerprint,
                Role = certificate.Roles,
                GossipPort = o.Gossip.Port,
                Interfaces = o.MeshInterfaces,
                // Listening on the wildcard: each link advertises its own addresses. Otherwise exactly the configured ones.
                AdvertisedAddresses = o.Gossip.ListenAddresses.Count > 0 ? advertised : [],
                AdvertiseIPv4 = o.Gossip.EffectiveListenAddresses.Any(a => IPAddress.Parse(a).AddressFamily == AddressFamily.InterNetwork),
                AdvertiseIPv6 = o.Gossip.EffectiveListenAddresses.Any(a => IPAddress.Parse(a).AddressFamily == AddressFamily.InterNetworkV6),
            }, _loggers.CreateLogger<MdnsDiscovery>(), _time);
            try { discovery.Start(); }
            catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
            {
                LogDiscoveryUnavailable(_logger, e.Message);
                discovery = null;
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var ct = stop.Token;
        var tasks = new List<Task>
        {
            loop.RunAsync(ct),
            dataplane.RunAsync(ct),
            PeriodicAsync(MetricsInterval, () => loop.Post(() => UpdateMetrics(loop, metrics)), ct),
            PeriodicAsync(PersistInterval, () => loop.Post(() => PersistWarmState(state, node)), ct),
            WatchdogAsync(loop, ct),
        };
        if (discovery is not null) tasks.Add(PumpDiscoveryAsync(discovery, loop, ct));
        if (gateway is not null)
        {
            var wan = o.Gateway.WanInterface;
            var probe = new WanUplinkProbe(wan);
            var targets = PolicyOptionsMapping.ToGatewayHealthOptions(o).Uplink.ParseTargets();
            tasks.Add(new GatewayProbeScheduler(loop, probe, targets, TimeSpan.FromMilliseconds(o.Gateway.ProbeIntervalMs),
                wan is null ? null : new WanLoadSampler(wan), _time).RunAsync(ct));
            if (wan is not null && !o.DryRun)
                tasks.Add(ApplyGatewayForwardingAsync(runner, wan, ct));
        }
        else if (!o.DryRun)
        {
            // Not in a dry run: no tunnel exists to probe through, and every path would be judged dead.
            tasks.Add(new TunnelPathProber(loop, TimeSpan.FromSeconds(1), _time).RunAsync(ct));
        }

        _systemd?.Notify(ServiceState.Ready);
        LogStarted(_logger, certificate.Name, key.Id.Fingerprint, certificate.IsGateway ? "gateway" : "node", string.Join(", ", transport.LocalEndpoints));

        try
        {
            await Task.WhenAny(tasks).ConfigureAwait(false);
        }
        finally
        {
            stop.Cancel();
            _systemd?.Notify(ServiceState.Stopping);
            try { await Task.WhenAll(tasks).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            catch (Exception e) { LogStopProblem(_logger, e); }
            PersistWarmState(state, node);
            await control.StopAsync().ConfigureAwait(false);
            await web.StopAsync(CancellationToken.None).ConfigureAwait(false);
            if (discovery is not null) await discovery.DisposeAsync().ConfigureAwait(false);
            await metrics.StopAsync().ConfigureAwait(false);
            await transport.DisposeAsync().ConfigureAwait(false);
            LogStopped(_logger);
        }
        // A task that ended on its own (not by cancellation) is a fault worth a restart.
        if (!stoppingToken.IsCancellationRequested) throw new InvalidOperationException("a daemon component stopped unexpectedly");
    }

    /// <summary>NAT and forwarding for tunnel traffic on the WAN, kept in place like the rest of the dataplane.</summary>
    private async Task ApplyGatewayForwardingAsync(ICommandRunner runner, string wan, CancellationToken ct)
    {
        var forwarding = new GatewayForwarding(runner, logger: _loggers.CreateLogger<GatewayForwarding>());
        var spec = new GatewayForwardingSpec(wan, [new WireGuardOptions().GatewayInterfaceName]);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), _time);
        try
        {
            do
            {
                var result = await forwarding.ApplyAsync(spec, ct).ConfigureAwait(false);
                foreach (var error in result.Errors) LogForwardingError(_logger, error.Message);
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task UntilCancelled(CancellationToken ct)
    {
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    private static async Task PumpDiscoveryAsync(MdnsDiscovery discovery, DaemonLoop loop, CancellationToken ct)
    {
        try
        {
            await foreach (var e in discovery.Events.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (e is PeerDiscovered { Peer: var peer } && peer.ProtocolVersion == WireLimits.ProtocolVersion)
                    foreach (var address in peer.Addresses) loop.Post(() => loop.Node.AddCandidate(address));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task PeriodicAsync(TimeSpan interval, Action action, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) action();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>systemd's watchdog is petted only while the event loop is turning: a wedged loop gets the daemon restarted.</summary>
    private async Task WatchdogAsync(DaemonLoop loop, CancellationToken ct)
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (_systemd is null || !_systemd.IsEnabled || !long.TryParse(usec, out long micros) || micros <= 0)
        {
            await UntilCancelled(ct).ConfigureAwait(false);
            return;
        }
        var interval = TimeSpan.FromMicroseconds(micros / 2.0);
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var sinceLoop = _time.GetUtcNow().UtcTicks - loop.LastIterationTicks;
                if (sinceLoop < TimeSpan.FromMicroseconds(micros).Ticks) _systemd.Notify(new ServiceState("WATCHDOG=1"));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static void UpdateMetrics(DaemonLoop loop, MetricsExporter metrics)
    {
        var view = loop.LastView ?? loop.Node.Snapshot();
        var weights = loop.LastPlan?.Weights?.Gateways.Select(g => new GatewayWeightInput(g.Gateway, g.Weight)).ToList() ?? [];
        metrics.Update(view, loop.Node.Counters, weights);
    }

    private ImmutableArray<IGossipItem> LoadWarmState(StateDirectory state)
    {
        var snapshot = state.LoadMembership();
        if (snapshot.Problem is { } problem) LogWarmStateProblem(_logger, problem);
        var items = ImmutableArray.CreateBuilder<IGossipItem>();
        foreach (var bytes in snapshot.Items)
        {
            if (WireCodec.TryDecode(bytes, out var message, out _) && message is PushPullRecords records) items.AddRange(records.Items);
        }
        return items.ToImmutable();
    }

    private void PersistWarmState(StateDirectory state, GossipNode node)
    {
        var encoded = new List<ReadOnlyMemory<byte>>();
        foreach (var item in node.ExportState())
        {
            if (WireCodec.TryEncode(new PushPullRecords(0, 0, [item]), out var bytes)) encoded.Add(bytes);
        }
        try
        {
            state.SaveMembership(encoded, _time.GetUtcNow());
        }
        catch (StateFileException e)
        {
            LogWarmStateProblem(_logger, e.Message);
        }
    }

    /// <summary>The addresses other members reach our gossip socket at: configured listen addresses, else the mesh interfaces' addresses.</summary>
    private static List<IPAddress> AdvertisedAddresses(EvernetdOptions o)
    {
        var configured = o.Gossip.ListenAddresses.Select(IPAddress.Parse).Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any)).ToList();
        if (configured.Count > 0) return configured;
        var found = new List<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (o.MeshInterfaces.Count > 0 && !o.MeshInterfaces.Contains(nic.Name)) continue;
            if (o.MeshInterfaces.Count == 0 && nic.NetworkInterfaceType == NetworkInterfaceType.Loopback) continue;
            foreach (var a in nic.GetIPProperties().UnicastAddresses)
                if (a.Address.AddressFamily == AddressFamily.InterNetwork || (a.Address.AddressFamily == AddressFamily.InterNetworkV6 && !a.Address.IsIPv6LinkLocal))
                    found.Add(a.Address);
        }
        return found.Take(WireLimits.MaxAddresses).ToList();
    }

    private static string Format(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    private static T Startup<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is StateFileException or CertificateFileException or TransportStartException or IOException or UnauthorizedAccessException or ArgumentException or SocketException or InvalidOperationException or FormatException)
        {
            throw new StartupException(e.Message, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "seed not usable: {Failure}")]
    private static partial void LogSeedUnresolved(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} was provisioned without a version file: first start, record versions continue from the clock")]
    private static partial void LogProvisionedKey(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "evernetd started: {Name} ({Fingerprint}), {Role}, gossip on {Endpoints}")]
    private static partial void LogStarted(ILogger logger, string name, string fingerprint, string role, string endpoints);

    [LoggerMessage(Level = LogLevel.Critical, Message = "evernetd cannot start: {Reason}")]
    private static partial void LogStartupFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mDNS discovery unavailable: {Reason}; static seeds only")]
    private static partial void LogDiscoveryUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "membership snapshot: {Problem}")]
    private static partial void LogWarmStateProblem(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "gateway forwarding: {Message}")]
    private static partial void LogForwardingError(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "a component failed while stopping")]
    private static partial void LogStopProblem(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "evernetd stopped; the dataplane stays installed")]
    private static partial void LogStopped(ILogger logger);
}

/// <summary>A start-up problem with a message that names the file or key and why.</summary>
public sealed class StartupException : Exception
{
    public StartupException(string message) : base(message) { }
    public StartupException(string message, Exception inner) : base(message, inner) { }
}
