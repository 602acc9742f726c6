using System.Globalization;
using System.Text;
using Evernet.Control.Mapping;
using Evernet.Gossip.Identity;
using Evernet.Gossip.View;
using Evernet.Gossip.Wire;
using Prometheus;

namespace Evernet.Daemon.Metrics;

/// <summary>
/// evernetd's Prometheus metrics, in a registry of its own (no process-global state). The daemon calls
/// <see cref="Update"/> after each loop iteration (or from the <c>beforeScrape</c> callback) and
/// <see cref="ObserveDataplaneApply"/> after each dataplane apply. <see cref="Start"/> serves them over HTTP (opt-in);
/// <see cref="RenderTextAsync"/> gives the same text for `evernetctl metrics`.
/// Thread-safe: prometheus-net's collectors are, and <see cref="Update"/> is serialised by a lock.
/// </summary>
public sealed class MetricsExporter : IAsyncDisposable
{
    private readonly Lock _updateLock = new();
    private readonly Gauge _members;
    private readonly Gauge _uplinkState;
    private readonly Gauge _lossRatio;
    private readonly Gauge _rttSeconds;
    private readonly Gauge _loadRatio;
    private readonly Gauge _pathRttSeconds;
    private readonly Gauge _summaryAgeSeconds;
    private readonly Gauge _weight;
    private readonly Gauge _usable;
    private readonly Counter _gossipBytes;
    private readonly Counter _gossipMessages;
    private readonly Counter _rejections;
    private readonly Counter _decodeErrors;
    private readonly Counter _failovers;
    private readonly Histogram _applySeconds;
    private readonly Counter _dataplaneErrors;
    private MetricServer? _server;

    /// <param name="beforeScrape">Called before every collection (HTTP scrape or <see cref="RenderTextAsync"/>), e.g. to call <see cref="Update"/> with fresh state.</param>
    /// <param name="processMetrics">Also export the standard process_* and dotnet_* metrics (memory, CPU, GC).</param>
    public MetricsExporter(Action? beforeScrape = null, bool processMetrics = true)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        if (processMetrics) DotNetStats.Register(Registry);
        if (beforeScrape is not null) Registry.AddBeforeCollectCallback(beforeScrape);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        _members = factory.CreateGauge("evernet_members", "Members of the mesh as this node sees them, by SWIM state.", "state");
        _uplinkState = factory.CreateGauge("evernet_gateway_uplink_state", "Gateway uplink state from its signed summary: 0 up, 1 degraded, 2 down.", "gateway");
        _lossRatio = factory.CreateGauge("evernet_gateway_loss_ratio", "Gateway uplink packet loss (0..1), averaged over its internet probe targets.", "gateway");
        _rttSeconds = factory.CreateGauge("evernet_gateway_rtt_seconds", "Gateway uplink round-trip time, averaged over its internet probe targets.", "gateway");
        _loadRatio = factory.CreateGauge("evernet_gateway_load_ratio", "Gateway load over capacity (0..1) in its busier direction.", "gateway");
        _pathRttSeconds = factory.CreateGauge("evernet_gateway_path_rtt_seconds", "Smoothed round-trip time of this node's own probes to the gateway.", "gateway");
        _summaryAgeSeconds = factory.CreateGauge("evernet_gateway_summary_age_seconds", "Age of the newest gateway summary (since the gateway signed it).", "gateway");
        _weight = factory.CreateGauge("evernet_gateway_weight", "This node's route weight for the gateway as the policy computed it.", "gateway");
        _usable = factory.CreateGauge("evernet_gateway_usable", "1 when this node may send traffic through the gateway, else 0.", "gateway");
        _gossipBytes = factory.CreateCounter("evernet_gossip_bytes_total", "Gossip datagram bytes sent and received.", "direction");
        _gossipMessages = factory.CreateCounter("evernet_gossip_messages_total", "Gossip datagrams sent and received.", "direction");
        _rejections = factory.CreateCounter("evernet_rejections_total", "Gossip input refused, by reason.", "reason");
        _decodeErrors = factory.CreateCounter("evernet_decode_errors_total", "Datagrams that failed to decode, by error.", "error");
        _failovers = factory.CreateCounter("evernet_failovers_total", "Times this node moved traffic off a gateway that became unusable.");
        _applySeconds = factory.CreateHistogram("evernet_dataplane_apply_seconds", "Time to apply a desired dataplane state (wg, ip, nft).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });
        _dataplaneErrors = factory.CreateCounter("evernet_dataplane_errors_total", "Dataplane applies that failed.");

        // Every series that has a fixed label set exists from the start, at zero: a rate() over it never starts with a gap.
        foreach (var state in Enum.GetValues<MemberState>()) _members.WithLabels(ControlNames.Of(state)).Set(0);
        foreach (string direction in new[] { "in", "out" })
        {
            _gossipBytes.WithLabels(direction);
            _gossipMessages.WithLabels(direction);
        }
        foreach (var reason in Enum.GetValues<RejectReason>()) _rejections.WithLabels(ControlNames.Of(reason));
        foreach (var error in Enum.GetValues<DecodeError>())
            if (error != DecodeError.None) _decodeErrors.WithLabels(ControlNames.Of(error));
    }

    public CollectorRegistry Registry { get; }

    /// <summary>The URL being served, once <see cref="Start"/> ran.</summary>
    public Uri? Endpoint { get; private set; }

    /// <summary>
    /// Sets every gauge from a snapshot and advances the counters to the core's totals.
    /// Gateways that left the view lose their series.
    /// </summary>
    public void Update(MeshView view, GossipCounters counters, IReadOnlyList<GatewayWeightInput> weights)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(weights);
        lock (_updateLock)
        {
            var byState = new int[Enum.GetValues<MemberState>().Length];
            foreach (var member in view.Members)
                if ((int)member.State < byState.Length) byState[(int)member.State]++;
            foreach (var state in Enum.GetValues<MemberState>()) _members.WithLabels(ControlNames.Of(state)).Set(byState[(int)state]);

            var weightOf = new Dictionary<NodeId, int>();
            foreach (var w in weights) weightOf[w.Gateway] = w.Weight;
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var gateway in view.Gateways)
            {
                string label = string.IsNullOrEmpty(gateway.Name) ? gateway.Id.Fingerprint : gateway.Name;
                present.Add(label);
                _usable.WithLabels(label).Set(gateway.Usable ? 1 : 0);
                _weight.WithLabels(label).Set(weightOf.GetValueOrDefault(gateway.Id));
                SetOrRemove(_pathRttSeconds, label, double.IsFinite(gateway.SmoothedRttMs) && gateway.SmoothedRttMs > 0 ? gateway.SmoothedRttMs / 1000.0 : null);

                var summary = gateway.Summary;
                SetOrRemove(_uplinkState, label, summary is null ? null : (double)summary.Uplink);
                SetOrRemove(_summaryAgeSeconds, label, summary is null ? null : Math.Max(0, view.AtUnixMs - summary.TimestampUnixMs) / 1000.0);
                bool hasTargets = summary is not null && !summary.Targets.IsDefaultOrEmpty;
                SetOrRemove(_lossRatio, label, hasTargets ? summary!.Targets.Average(t => t.LossPermille) / 1000.0 : null);
                SetOrRemove(_rttSeconds, label, hasTargets ? summary!.Targets.Average(t => (double)t.RttMicros) / 1_000_000.0 : null);
                SetOrRemove(_loadRatio, label, summary is null ? null : LoadRatio(summary.LoadDownBps, summary.CapacityDownBps, summary.LoadUpBps, summary.CapacityUpBps));
            }
            foreach (var gauge in new[] { _usable, _weight, _pathRttSeconds, _uplinkState, _summaryAgeSeconds, _lossRatio, _rttSeconds, _loadRatio })
            {
                foreach (string[] labels in gauge.GetAllLabelValues().ToList())
                    if (!present.Contains(labels[0])) gauge.RemoveLabelled(labels);
            }

            _gossipBytes.WithLabels("in").IncTo(counters.BytesIn);
            _gossipBytes.WithLabels("out").IncTo(counters.BytesOut);
            _gossipMessages.WithLabels("in").IncTo(counters.DatagramsIn);
            _gossipMessages.WithLabels("out").IncTo(counters.DatagramsOut);
            foreach (var reason in Enum.GetValues<RejectReason>())
                if ((int)reason < counters.RejectsByReason.Length) _rejections.WithLabels(ControlNames.Of(reason)).IncTo(counters.RejectsByReason[(int)reason]);
            foreach (var error in Enum.GetValues<DecodeError>())
                if (error != DecodeError.None && (int)error < counters.DecodeErrors.Length)
                    _decodeErrors.WithLabels(ControlNames.Of(error)).IncTo(counters.DecodeErrors[(int)error]);
            _failovers.IncTo(counters.GatewayFailovers);
        }
    }

    /// <summary>One dataplane apply: its duration goes into the histogram, a failure also counts as an error.</summary>
    public void ObserveDataplaneApply(TimeSpan duration, bool succeeded)
    {
        _applySeconds.Observe(Math.Max(0, duration.TotalSeconds));
        if (!succeeded) _dataplaneErrors.Inc();
    }

    /// <summary>
    /// Serves /metrics over HTTP on <paramref name="address"/>: "127.0.0.1:9464", "[::1]:9464", or "0.0.0.0:9464" / "*:9464" for every address.
    /// Throws <see cref="FormatException"/> for an address that is not host:port, <see cref="InvalidOperationException"/> when it cannot listen.
    /// </summary>
    public void Start(string address)
    {
        if (_server is not null) throw new InvalidOperationException("the metrics endpoint is already started");
        var (host, port) = ParseAddress(address);
        var server = new MetricServer(host, port, "metrics/", Registry);
        try
        {
            server.Start();
        }
        catch (Exception ex) when (ex is System.Net.HttpListenerException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            server.Dispose();
            throw new InvalidOperationException($"cannot serve metrics on {address}: {ex.Message}", ex);
        }
        _server = server;
        string shown = host is "+" ? "0.0.0.0" : host.Trim('[', ']');
        Endpoint = new UriBuilder("http", shown, port, "/metrics").Uri;
    }

    public async Task StopAsync()
    {
        if (_server is null) return;
        await _server.StopAsync().ConfigureAwait(false);
        _server.Dispose();
        _server = null;
        Endpoint = null;
    }

    /// <summary>The text exposition (format 0.0.4), as the HTTP endpoint serves it.</summary>
    public async Task<string> RenderTextAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>"host:port" to HttpListener's host and port; the wildcard hosts become "+".</summary>
    public static (string Host, int Port) ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || colon == address.Length - 1)
            throw new FormatException($"metrics address '{address}' must be host:port, e.g. 127.0.0.1:9464");
        string host = address[..colon];
        if (!int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new FormatException($"metrics address '{address}': port must be 1..65535");
        if (host is "*" or "+" or "0.0.0.0" or "[::]") return ("+", port);
        if (host.StartsWith('[') != host.EndsWith(']'))
            throw new FormatException($"metrics address '{address}': unbalanced brackets around the IPv6 address");
        string bare = host.Trim('[', ']');
        if (System.Net.IPAddress.TryParse(bare, out var ip))
            return (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bare}]" : bare, port);
        if (Uri.CheckHostName(host) == UriHostNameType.Dns) return (host, port);
        throw new FormatException($"metrics address '{address}': '{host}' is not an IP address or host name");
    }

    private static double? LoadRatio(ulong loadDown, ulong capacityDown, ulong loadUp, ulong capacityUp)
    {
        double? ratio = null;
        if (capacityDown > 0) ratio = (double)loadDown / capacityDown;
        if (capacityUp > 0) ratio = Math.Max(ratio ?? 0, (double)loadUp / capacityUp);
        return ratio;
    }

    private static void SetOrRemove(Gauge gauge, string label, double? value)
    {
        if (value is { } v) gauge.WithLabels(label).Set(v);
        else gauge.RemoveLabelled(label);
    }
}
